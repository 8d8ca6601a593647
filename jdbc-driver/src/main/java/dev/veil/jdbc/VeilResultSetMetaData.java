package dev.veil.jdbc;

import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.LogicalType;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/** Reports an encrypted column by the logical type the application reads, not its ciphertext storage. */
final class VeilResultSetMetaData extends DelegatingResultSetMetaData {
    private final ColumnCipher[] ciphers;

    VeilResultSetMetaData(ResultSetMetaData raw, ColumnCipher[] ciphers) {
        super(raw);
        this.ciphers = ciphers;
    }

    private LogicalType logical(int index) {
        return ciphers == null || index < 1 || index >= ciphers.length || ciphers[index] == null ? null : ciphers[index].policy().type();
    }

    @Override
    public int getColumnType(int index) throws SQLException {
        LogicalType t = logical(index);
        if (t == null) {
            return delegate.getColumnType(index);
        }
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

    @Override
    public String getColumnTypeName(int index) throws SQLException {
        LogicalType t = logical(index);
        return t == null ? delegate.getColumnTypeName(index) : t.policyName();
    }

    @Override
    public String getColumnClassName(int index) throws SQLException {
        LogicalType t = logical(index);
        if (t == null) {
            return delegate.getColumnClassName(index);
        }
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
}
