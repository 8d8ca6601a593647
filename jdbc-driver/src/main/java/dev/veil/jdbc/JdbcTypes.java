package dev.veil.jdbc;

import dev.veil.policy.LogicalType;

import java.sql.Types;

/**
 * How an encrypted column's logical type shows in JDBC metadata: the type and class the
 * application reads and binds, never those of the ciphertext's storage. One mapping for result
 * set and parameter metadata.
 */
final class JdbcTypes {
    private JdbcTypes() {
    }

    /** The {@link Types} constant of a logical type. */
    static int sqlType(LogicalType t) {
        return switch (t) {
            case STRING -> Types.VARCHAR;
            case BYTES -> Types.VARBINARY;
            case INTEGER -> Types.BIGINT;
            case DECIMAL -> Types.NUMERIC;
            case BOOLEAN -> Types.BOOLEAN;
            case DATE -> Types.DATE;
            case TIME -> Types.TIME;
            case TIMESTAMP -> Types.TIMESTAMP;
            case TIMESTAMPTZ -> Types.TIMESTAMP_WITH_TIMEZONE;
            case UUID -> Types.OTHER;
        };
    }

    /** The name of the Java class a logical type's values are read as. */
    static String className(LogicalType t) {
        return switch (t) {
            case STRING -> String.class.getName();
            case BYTES -> byte[].class.getName();
            case INTEGER -> Long.class.getName();
            case DECIMAL -> java.math.BigDecimal.class.getName();
            case BOOLEAN -> Boolean.class.getName();
            case DATE -> java.sql.Date.class.getName();
            case TIME -> java.sql.Time.class.getName();
            case TIMESTAMP, TIMESTAMPTZ -> java.sql.Timestamp.class.getName();
            case UUID -> java.util.UUID.class.getName();
        };
    }

    /** Whether a logical type's values carry a sign. */
    static boolean signed(LogicalType t) {
        return t == LogicalType.INTEGER || t == LogicalType.DECIMAL;
    }
}
