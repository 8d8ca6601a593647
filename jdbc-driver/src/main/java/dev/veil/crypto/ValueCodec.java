package dev.veil.crypto;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.ColumnRef;
import dev.veil.policy.LogicalType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;

/**
 * Turns typed plaintext into canonical bytes and back. Canonical means one encoding per value of a
 * logical type: {@code setInt(5)}, {@code setLong(5)} and {@code setString("5")} on an integer
 * column all give the same bytes, and so do {@code 1.0} and {@code 1.00} on a deterministic decimal
 * column, which is what makes deterministic equality work whatever setter the application used.
 * Randomized decimal columns keep the scale a value was written with (see
 * {@link #encode(ColumnPolicy, Object)}).
 *
 * <p>Decoding returns the canonical Java type of the logical type: String, byte[], Long, BigDecimal,
 * Boolean, LocalDate, LocalTime, LocalDateTime, OffsetDateTime (UTC) or UUID.
 */
public final class ValueCodec {
    private ValueCodec() {
    }

    /**
     * The bytes of a value bound to a column, as its policy asks: canonical (see
     * {@link #encode(LogicalType, Object, ColumnRef)}) for a deterministic column; for a randomized
     * decimal column the number keeps the scale it was written with ({@code 1234.50} stays two
     * decimal places), which needs no canonical form since no ciphertext of it is ever compared.
     * A decimal column with a declared {@code scale} refuses values with more decimal places.
     *
     * <p>The decimal encoding (4-byte scale, then the unscaled value's two's-complement bytes)
     * is the same in both cases, so values written either way decode everywhere.
     *
     * @throws VeilException {@code VE008} as for {@link #encode(LogicalType, Object, ColumnRef)}, or
     *         when a decimal has more decimal places than the column's declared scale
     */
    public static byte[] encode(ColumnPolicy policy, Object value) throws VeilException {
        if (policy.type() != LogicalType.DECIMAL) {
            return encode(policy.type(), value, policy.column());
        }
        BigDecimal exact;
        try {
            exact = toDecimal(value);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new VeilException(VeilState.VALUE_CONVERSION, "a " + value.getClass().getSimpleName()
                    + " value for " + policy.column() + " (bound, or written in the SQL text) cannot be converted to its type decimal");
        }
        if (exact == null) {
            return encode(policy.type(), value, policy.column()); // reports the unsupported Java type
        }
        BigDecimal canonical = canonicalDecimal(exact);
        if (policy.scale() != null && canonical.scale() > policy.scale()) {
            throw new VeilException(VeilState.VALUE_CONVERSION, "a decimal for " + policy.column() + " (bound, or written in the SQL text) has more than "
                    + policy.scale() + " decimal place(s), the column's scale in the policy; round it before writing");
        }
        BigDecimal d = policy.isDeterministic() ? canonical : policy.scale() != null ? exact.setScale(policy.scale(), java.math.RoundingMode.UNNECESSARY)
                : exact.scale() < 0 ? exact.setScale(0) : exact;
        return decimalBytes(d);
    }

    /**
     * The value encoded by {@link #encode(ColumnPolicy, Object)}: a decimal comes back with the
     * column's declared scale when it has one, else with the scale it was stored with.
     */
    public static Object decode(ColumnPolicy policy, byte[] bytes) throws VeilException {
        Object v = decode(policy.type(), bytes, policy.column());
        if (policy.scale() != null && v instanceof BigDecimal d && d.scale() != policy.scale()) {
            try {
                return d.setScale(policy.scale(), java.math.RoundingMode.UNNECESSARY);
            } catch (ArithmeticException writtenBeforeTheScale) {
                return d; // more places than the scale allows (written before it was declared): never rounded away
            }
        }
        return v;
    }

    private static byte[] decimalBytes(BigDecimal d) {
        byte[] unscaled = d.unscaledValue().toByteArray();
        return ByteBuffer.allocate(4 + unscaled.length).putInt(d.scale()).put(unscaled).array();
    }

    /**
     * Canonical bytes of a value bound to a column.
     *
     * @param value a non-null Java value
     * @throws VeilException {@code VE008} if the value's Java type cannot represent the column's
     *         type; the message names the column and the Java type, never the value
     */
    public static byte[] encode(LogicalType type, Object value, ColumnRef column) throws VeilException {
        Object v = canonical(type, value, column);
        return switch (type) {
            case STRING -> ((String) v).getBytes(StandardCharsets.UTF_8);
            case BYTES -> ((byte[]) v).clone();
            case INTEGER -> ByteBuffer.allocate(8).putLong((Long) v).array();
            case DECIMAL -> decimalBytes((BigDecimal) v);
            case BOOLEAN -> new byte[] {(byte) ((Boolean) v ? 1 : 0)};
            case DATE -> ByteBuffer.allocate(8).putLong(((LocalDate) v).toEpochDay()).array();
            case TIME -> ByteBuffer.allocate(8).putLong(((LocalTime) v).toNanoOfDay()).array();
            case TIMESTAMP -> {
                LocalDateTime t = (LocalDateTime) v;
                yield ByteBuffer.allocate(12).putLong(t.toEpochSecond(ZoneOffset.UTC)).putInt(t.getNano()).array();
            }
            case TIMESTAMPTZ -> {
                Instant i = ((OffsetDateTime) v).toInstant();
                yield ByteBuffer.allocate(12).putLong(i.getEpochSecond()).putInt(i.getNano()).array();
            }
            case UUID -> {
                UUID u = (UUID) v;
                yield ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
            }
        };
    }

    /**
     * The value encoded by {@link #encode}.
     *
     * @throws VeilException {@code VE005} if the bytes are not a valid encoding of the type (which
     *         authenticated decryption makes possible only after a policy type change)
     */
    /** Whether every byte is ASCII: such UTF-8 is valid and decodes without a strict decoder. */
    private static boolean isAscii(byte[] bytes) {
        int any = 0;
        for (byte x : bytes) {
            any |= x;
        }
        return any >= 0;
    }

    public static Object decode(LogicalType type, byte[] bytes, ColumnRef column) throws VeilException {
        if (type == LogicalType.STRING && isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            Object v = switch (type) {
                case STRING -> StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(b).toString();
                case BYTES -> bytes;
                case INTEGER -> fixed(b, 8).getLong();
                case DECIMAL -> {
                    int scale = b.getInt();
                    byte[] unscaled = new byte[b.remaining()];
                    b.get(unscaled);
                    yield new BigDecimal(new BigInteger(unscaled), scale);
                }
                case BOOLEAN -> fixed(b, 1).get() != 0;
                case DATE -> LocalDate.ofEpochDay(fixed(b, 8).getLong());
                case TIME -> LocalTime.ofNanoOfDay(fixed(b, 8).getLong());
                case TIMESTAMP -> LocalDateTime.ofEpochSecond(fixed(b, 12).getLong(), b.getInt(), ZoneOffset.UTC);
                case TIMESTAMPTZ -> Instant.ofEpochSecond(fixed(b, 12).getLong(), b.getInt()).atOffset(ZoneOffset.UTC);
                case UUID -> new UUID(fixed(b, 16).getLong(), b.getLong());
            };
            if (b.hasRemaining() && type != LogicalType.BYTES) {
                throw new IllegalArgumentException("trailing bytes");
            }
            return v;
        } catch (RuntimeException | CharacterCodingException e) {
            throw new VeilException(VeilState.DECRYPTION_FAILED, "decrypted value of " + column
                    + " is not a valid " + type.policyName() + "; was the column's type changed in the policy?");
        }
    }

    private static ByteBuffer fixed(ByteBuffer b, int size) {
        if (b.remaining() != size) {
            throw new IllegalArgumentException("bad length");
        }
        return b;
    }

    /**
     * Converts an application value to the canonical Java type of {@code type}, the way a JDBC
     * driver converts a setter's argument for a column of that SQL type.
     */
    public static Object canonical(LogicalType type, Object value, ColumnRef column) throws VeilException {
        try {
            Object v = switch (type) {
                case STRING -> toText(value);
                case BYTES -> value instanceof byte[] b ? b : null;
                case INTEGER -> toLong(value);
                case DECIMAL -> canonicalDecimal(toDecimal(value));
                case BOOLEAN -> toBoolean(value);
                case DATE -> toDate(value);
                case TIME -> toTime(value);
                case TIMESTAMP -> toTimestamp(value);
                case TIMESTAMPTZ -> toTimestampTz(value);
                case UUID -> value instanceof UUID u ? u : value instanceof String s ? UUID.fromString(s.strip()) : null;
            };
            if (v != null) {
                return v;
            }
        } catch (ArithmeticException | IllegalArgumentException | DateTimeParseException e) {
            throw new VeilException(VeilState.VALUE_CONVERSION, "a " + value.getClass().getSimpleName()
                    + " value for " + column + " (bound, or written in the SQL text) cannot be converted to its type " + type.policyName());
        }
        throw new VeilException(VeilState.VALUE_CONVERSION, "a " + value.getClass().getName() + " (bound, or written in the SQL text) "
                + "cannot be used for " + column + ", which the policy declares as " + type.policyName());
    }

    private static String toText(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof CharSequence || v instanceof Character || v instanceof Number || v instanceof Boolean
                || v instanceof UUID || v instanceof java.time.temporal.Temporal) {
            return v.toString();
        }
        return null;
    }

    private static Long toLong(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger i) {
            return i.longValueExact();
        }
        if (v instanceof BigDecimal d) {
            return d.longValueExact();
        }
        if (v instanceof Double || v instanceof Float) {
            return new BigDecimal(v.toString()).longValueExact();
        }
        if (v instanceof String s) {
            return new BigDecimal(s.strip()).longValueExact();
        }
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        return null;
    }

    private static BigDecimal toDecimal(Object v) {
        BigDecimal d;
        if (v instanceof BigDecimal b) {
            d = b;
        } else if (v instanceof BigInteger i) {
            d = new BigDecimal(i);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            d = BigDecimal.valueOf(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                throw new IllegalArgumentException("not finite");
            }
            d = new BigDecimal(v.toString());
        } else if (v instanceof String s) {
            d = new BigDecimal(s.strip());
        } else {
            return null;
        }
        return d;
    }

    /** One encoding per number: 1.0 and 1.00 are the same value. */
    private static BigDecimal canonicalDecimal(BigDecimal d) {
        return d == null ? null : d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }

    /** The boolean a value stands for, or {@code null} when its type has none; IAE when it has none. */
    static Boolean canonicalBoolean(Object v) {
        return toBoolean(v);
    }

    private static Boolean toBoolean(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            long x = new BigDecimal(n.toString()).longValueExact();
            if (x == 0 || x == 1) {
                return x == 1;
            }
            throw new IllegalArgumentException("not 0 or 1");
        }
        if (v instanceof String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "true", "t", "yes", "y", "on", "1" -> true;
                case "false", "f", "no", "n", "off", "0" -> false;
                default -> throw new IllegalArgumentException("not a boolean");
            };
        }
        return null;
    }

    private static LocalDate toDate(Object v) {
        if (v instanceof LocalDate d) {
            return d;
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate();
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toLocalDate();
        }
        if (v instanceof String s) {
            return LocalDate.parse(s.strip());
        }
        return null;
    }

    private static LocalTime toTime(Object v) {
        if (v instanceof LocalTime t) {
            return t;
        }
        if (v instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        if (v instanceof String s) {
            return LocalTime.parse(s.strip());
        }
        return null;
    }

    private static LocalDateTime toTimestamp(Object v) {
        if (v instanceof LocalDateTime t) {
            return t;
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime();
        }
        if (v instanceof LocalDate d) {
            return d.atStartOfDay();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().atStartOfDay();
        }
        if (v instanceof String s) {
            return LocalDateTime.parse(s.strip().replace(' ', 'T'));
        }
        return null;
    }

    private static OffsetDateTime toTimestampTz(Object v) {
        Instant i;
        if (v instanceof Instant x) {
            i = x;
        } else if (v instanceof OffsetDateTime o) {
            i = o.toInstant();
        } else if (v instanceof ZonedDateTime z) {
            i = z.toInstant();
        } else if (v instanceof java.sql.Timestamp t) {
            i = t.toInstant();
        } else if (v instanceof String s) {
            i = OffsetDateTime.parse(s.strip().replace(' ', 'T')).toInstant();
        } else {
            return null;
        }
        return i.atOffset(ZoneOffset.UTC);
    }
}
