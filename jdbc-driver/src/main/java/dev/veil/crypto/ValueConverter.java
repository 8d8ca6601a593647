package dev.veil.crypto;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnRef;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Serves a decrypted value to whichever getter the application calls, converting the way JDBC
 * drivers do: {@code getString} of an integer column gives its decimal text, {@code getInt} of a
 * text column parses it, and a conversion that cannot be made fails with {@code VE008}.
 */
public final class ValueConverter {
    private static final HexFormat HEX = HexFormat.of();

    private ValueConverter() {
    }

    /**
     * Converts a canonical decoded value (see {@link ValueCodec}) to {@code target}.
     *
     * @param value the decoded value, or {@code null} for SQL NULL
     * @param target the requested class; primitive wrappers, String, BigDecimal, byte[], java.time
     *        types, java.sql Date/Time/Timestamp, UUID or Object
     * @return the converted value, or {@code null} when {@code value} is null
     * @throws VeilException {@code VE008} when the conversion is not possible; the message names
     *         the column and the types, never the value
     */
    public static <T> T convert(Object value, Class<T> target, ColumnRef column) throws VeilException {
        if (value == null) {
            return null;
        }
        try {
            Object r = convertOrNull(value, target);
            if (r != null) {
                return target.cast(r);
            }
        } catch (ArithmeticException | IllegalArgumentException | DateTimeParseException e) {
            throw new VeilException(VeilState.VALUE_CONVERSION, "the value of " + column + " cannot be read as "
                    + target.getSimpleName() + " (it is a " + kind(value) + ")");
        }
        throw new VeilException(VeilState.VALUE_CONVERSION, "cannot read " + column + " (a " + kind(value) + ") as "
                + target.getName());
    }

    private static String kind(Object v) {
        return v instanceof byte[] ? "byte array" : v.getClass().getSimpleName();
    }

    private static Object convertOrNull(Object v, Class<?> t) {
        if (t == Object.class || t.isInstance(v) && t != byte[].class) {
            return v;
        }
        if (t == String.class) {
            if (v instanceof byte[] b) {
                return "\\x" + HEX.formatHex(b);
            }
            if (v instanceof BigDecimal d) {
                return d.toPlainString();
            }
            return v.toString();
        }
        if (t == byte[].class) {
            return v instanceof byte[] b ? b.clone() : null;
        }
        if (t == Long.class || t == Integer.class || t == Short.class || t == Byte.class || t == BigInteger.class) {
            BigDecimal d = decimal(v);
            if (d == null) {
                return null;
            }
            if (t == Long.class) {
                return d.longValueExact();
            }
            if (t == Integer.class) {
                return d.intValueExact();
            }
            if (t == Short.class) {
                return d.shortValueExact();
            }
            if (t == Byte.class) {
                return d.byteValueExact();
            }
            return d.toBigIntegerExact();
        }
        if (t == BigDecimal.class) {
            return decimal(v);
        }
        if (t == Double.class || t == Float.class) {
            BigDecimal d = decimal(v);
            if (d == null) {
                return null;
            }
            return t == Double.class ? (Object) d.doubleValue() : (Object) d.floatValue();
        }
        if (t == Boolean.class) {
            return ValueCodec.canonicalBoolean(v);
        }
        if (t == UUID.class) {
            return v instanceof String s ? UUID.fromString(s.strip()) : null;
        }
        return temporal(v, t);
    }

    private static BigDecimal decimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Long l) {
            return BigDecimal.valueOf(l);
        }
        if (v instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        if (v instanceof String s) {
            return new BigDecimal(s.strip());
        }
        return null;
    }

    private static Object temporal(Object v, Class<?> t) {
        if (v instanceof String s) {
            String iso = s.strip().replace(' ', 'T');
            v = t == LocalDate.class || t == java.sql.Date.class ? LocalDate.parse(iso)
                    : t == LocalTime.class || t == java.sql.Time.class ? LocalTime.parse(iso)
                    : t == OffsetDateTime.class || t == Instant.class || t == ZonedDateTime.class ? OffsetDateTime.parse(iso)
                    : LocalDateTime.parse(iso);
            if (t.isInstance(v)) {
                return v;
            }
        }
        if (v instanceof LocalDate d) {
            if (t == java.sql.Date.class) {
                return java.sql.Date.valueOf(d);
            }
            if (t == LocalDateTime.class) {
                return d.atStartOfDay();
            }
            if (t == java.sql.Timestamp.class) {
                return java.sql.Timestamp.valueOf(d.atStartOfDay());
            }
        } else if (v instanceof LocalTime time) {
            if (t == java.sql.Time.class) {
                return java.sql.Time.valueOf(time);
            }
        } else if (v instanceof LocalDateTime dt) {
            if (t == java.sql.Timestamp.class) {
                return java.sql.Timestamp.valueOf(dt);
            }
            if (t == LocalDate.class) {
                return dt.toLocalDate();
            }
            if (t == java.sql.Date.class) {
                return java.sql.Date.valueOf(dt.toLocalDate());
            }
            if (t == LocalTime.class) {
                return dt.toLocalTime();
            }
            if (t == java.sql.Time.class) {
                return java.sql.Time.valueOf(dt.toLocalTime());
            }
        } else if (v instanceof OffsetDateTime o) {
            if (t == Instant.class) {
                return o.toInstant();
            }
            if (t == ZonedDateTime.class) {
                return o.toZonedDateTime();
            }
            if (t == java.sql.Timestamp.class) {
                return java.sql.Timestamp.from(o.toInstant());
            }
            // JDBC drivers read timestamptz into local types in the JVM's zone
            LocalDateTime local = LocalDateTime.ofInstant(o.toInstant(), ZoneId.systemDefault());
            if (t == LocalDateTime.class) {
                return local;
            }
            if (t == LocalDate.class) {
                return local.toLocalDate();
            }
            if (t == java.sql.Date.class) {
                return java.sql.Date.valueOf(local.toLocalDate());
            }
            if (t == LocalTime.class) {
                return local.toLocalTime();
            }
            if (t == java.sql.Time.class) {
                return java.sql.Time.valueOf(local.toLocalTime());
            }
        }
        return null;
    }
}
