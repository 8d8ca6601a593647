package dev.veil.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ValueCodec;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.LogicalType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A range column's order key: a 64-bit unsigned number that orders exactly as the values do, so
 * that buckets of adjacent keys are ranges of values. Integers are themselves; decimals are their
 * unscaled value at the column's {@code scale}; dates are days since 1970-01-01; times are
 * nanoseconds of the day; timestamps (with or without zone) are microseconds since
 * 1970-01-01T00:00Z (PostgreSQL's precision). The sign bit is flipped so that unsigned order is
 * signed order.
 *
 * <p>A stored value that has no exact key (a decimal with more places than the scale, a timestamp
 * with nanoseconds, a value beyond 64 bits) is refused ({@code VE008}): a token for a rounded key
 * would make range queries that need no filtering wrong. Query bounds may be anything: they are
 * rounded to the nearest key inside the range.
 */
public final class RangeOrder {
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger MICROS = BigInteger.valueOf(1_000_000);

    private final ColumnPolicy column;

    public RangeOrder(ColumnPolicy column) {
        this.column = column;
    }

    /** The smallest order key a value of the column's type can have (unsigned). */
    public long minKey() {
        return minKey(column.type());
    }

    /** The largest order key a value of the column's type can have (unsigned). */
    public long maxKey() {
        return maxKey(column.type());
    }

    /**
     * The highest level of a range index on a column of {@code type}: the lowest level at which
     * the type's keys fall in at most 2^{@code branch} buckets, as the whole 64-bit space does at
     * the highest level below 64. Where the type's keys span that whole space (integers, decimals,
     * timestamps), it is that level. Dates (Java's {@code LocalDate}, about 2^39.4 days) and times
     * (2^46.3 nanoseconds) fill a small part of it: the buckets above their top level hold every
     * value of the type but for a split at the sign, so they would cost each row a token without
     * ever narrowing a search, and are not kept.
     */
    public static int topLevel(LogicalType type, SearchSpec.Range r) {
        long min = minKey(type);
        long max = maxKey(type);
        int e = r.leaf();
        while (e + r.branch() < 64 && Long.compareUnsigned((max >>> e) - (min >>> e), 1L << r.branch()) >= 0) {
            e += r.branch();
        }
        return e;
    }

    /** How many range tokens each value of a column of {@code type} has: its levels up to {@link #topLevel}. */
    public static int levels(LogicalType type, SearchSpec.Range r) {
        return (topLevel(type, r) - r.leaf()) / r.branch() + 1;
    }

    private static long minKey(LogicalType type) {
        return switch (type) {
            case DATE -> flip(LocalDate.MIN.toEpochDay());
            case TIME -> flip(0);
            default -> 0;
        };
    }

    private static long maxKey(LogicalType type) {
        return switch (type) {
            case DATE -> flip(LocalDate.MAX.toEpochDay());
            case TIME -> flip(LocalTime.MAX.toNanoOfDay());
            default -> -1L;
        };
    }

    /**
     * The order key of a value to store.
     *
     * @throws VeilException {@code VE008} when the value does not convert to the column's type or has no exact key
     */
    public long storedKey(Object value) throws VeilException {
        BigInteger k;
        try {
            k = signed(ValueCodec.canonical(column.type(), value, column.column()), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new VeilException(VeilState.VALUE_CONVERSION, column.column() + ": a range-searchable value must be exact at the "
                    + "index's precision (" + precision() + ")");
        }
        if (k.compareTo(MIN) < 0 || k.compareTo(MAX) > 0) {
            throw new VeilException(VeilState.VALUE_CONVERSION, column.column() + ": the value is outside what a range index holds (64 bits at "
                    + precision() + ")");
        }
        return flip(k.longValue());
    }

    /**
     * The smallest order key a stored value above {@code bound} can have ({@code inclusive}: at or above).
     *
     * @return the key, or empty when no stored value can be above the bound
     * @throws VeilException {@code VE008} when the bound does not convert to the column's type
     */
    public java.util.OptionalLong lowerKey(Object bound, boolean inclusive) throws VeilException {
        BigDecimal exact = exact(bound);
        BigInteger k = exact.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        if (!inclusive && new BigDecimal(k).compareTo(exact) == 0) {
            k = k.add(BigInteger.ONE);
        }
        if (k.compareTo(MAX) > 0) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(flip(k.max(MIN).longValue()));
    }

    /** The largest order key a stored value below {@code bound} can have ({@code inclusive}: at or below); empty when none can. */
    public java.util.OptionalLong upperKey(Object bound, boolean inclusive) throws VeilException {
        BigDecimal exact = exact(bound);
        BigInteger k = exact.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        if (!inclusive && new BigDecimal(k).compareTo(exact) == 0) {
            k = k.subtract(BigInteger.ONE);
        }
        if (k.compareTo(MIN) < 0) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(flip(k.min(MAX).longValue()));
    }

    /** A bound's position on the signed key scale, unrounded. */
    private BigDecimal exact(Object bound) throws VeilException {
        Object v = bound instanceof Number n && column.type() == LogicalType.INTEGER
                ? new BigDecimal(n.toString()) : ValueCodec.canonical(column.type(), bound, column.column());
        return switch (column.type()) {
            case INTEGER -> v instanceof BigDecimal d ? d : BigDecimal.valueOf((Long) v);
            case DECIMAL -> ((BigDecimal) v).movePointRight(column.scale());
            case DATE, TIME -> new BigDecimal(signed(v, RoundingMode.UNNECESSARY));
            case TIMESTAMP -> micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC));
            case TIMESTAMPTZ -> micros(((OffsetDateTime) v).toInstant());
            default -> throw new IllegalStateException(column.type() + " has no order");
        };
    }

    private static BigDecimal micros(Instant i) {
        return new BigDecimal(BigInteger.valueOf(i.getEpochSecond()).multiply(MICROS)).add(BigDecimal.valueOf(i.getNano(), 3));
    }

    private BigInteger signed(Object v, RoundingMode mode) {
        return switch (column.type()) {
            case INTEGER -> BigInteger.valueOf((Long) v);
            case DECIMAL -> ((BigDecimal) v).setScale(column.scale(), mode).unscaledValue();
            case DATE -> BigInteger.valueOf(((LocalDate) v).toEpochDay());
            case TIME -> BigInteger.valueOf(((LocalTime) v).toNanoOfDay());
            case TIMESTAMP -> micros(((LocalDateTime) v).toInstant(ZoneOffset.UTC)).setScale(0, mode).toBigIntegerExact();
            case TIMESTAMPTZ -> micros(((OffsetDateTime) v).toInstant()).setScale(0, mode).toBigIntegerExact();
            default -> throw new IllegalStateException(column.type() + " has no order");
        };
    }

    private String precision() {
        return switch (column.type()) {
            case DECIMAL -> column.scale() + " decimal places";
            case TIMESTAMP, TIMESTAMPTZ -> "microseconds";
            case TIME -> "nanoseconds";
            case DATE -> "days";
            default -> "whole numbers";
        };
    }

    private static long flip(long signed) {
        return signed ^ Long.MIN_VALUE;
    }
}
