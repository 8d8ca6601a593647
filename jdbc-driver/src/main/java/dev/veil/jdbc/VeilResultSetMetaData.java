package dev.veil.jdbc;

import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.LogicalType;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * Reports an encrypted column by the logical type the application reads, not its ciphertext
 * storage, and reports only the columns the application asked for: those Veil appended to filter
 * by (see {@link VeilResultSet}) are absent.
 */
final class VeilResultSetMetaData extends DelegatingResultSetMetaData {
    private final ColumnCipher[] ciphers;
    /** How many columns the application sees ({@link VeilResultSet#ALL_COLUMNS}: all). */
    private final int visible;

    VeilResultSetMetaData(ResultSetMetaData raw, ColumnCipher[] ciphers) {
        this(raw, ciphers, VeilResultSet.ALL_COLUMNS);
    }

    VeilResultSetMetaData(ResultSetMetaData raw, ColumnCipher[] ciphers, int visible) {
        super(raw);
        this.ciphers = ciphers;
        this.visible = visible;
    }

    /** Refuses a hidden column's index as the real driver refuses an index past the result. */
    private int check(int index) throws SQLException {
        if (index > visible) {
            throw VeilResultSet.outOfRange(index, visible);
        }
        return index;
    }

    @Override
    public int getColumnCount() throws SQLException {
        return visible == VeilResultSet.ALL_COLUMNS ? delegate.getColumnCount() : visible;
    }

    @Override
    public String getCatalogName(int index) throws SQLException {
        return delegate.getCatalogName(check(index));
    }

    @Override
    public int getColumnDisplaySize(int index) throws SQLException {
        return delegate.getColumnDisplaySize(check(index));
    }

    @Override
    public String getColumnLabel(int index) throws SQLException {
        return delegate.getColumnLabel(check(index));
    }

    @Override
    public String getColumnName(int index) throws SQLException {
        return delegate.getColumnName(check(index));
    }

    @Override
    public int getPrecision(int index) throws SQLException {
        return delegate.getPrecision(check(index));
    }

    @Override
    public int getScale(int index) throws SQLException {
        return delegate.getScale(check(index));
    }

    @Override
    public String getSchemaName(int index) throws SQLException {
        return delegate.getSchemaName(check(index));
    }

    @Override
    public String getTableName(int index) throws SQLException {
        return delegate.getTableName(check(index));
    }

    @Override
    public boolean isAutoIncrement(int index) throws SQLException {
        return delegate.isAutoIncrement(check(index));
    }

    @Override
    public boolean isCaseSensitive(int index) throws SQLException {
        return delegate.isCaseSensitive(check(index));
    }

    @Override
    public boolean isCurrency(int index) throws SQLException {
        return delegate.isCurrency(check(index));
    }

    @Override
    public boolean isDefinitelyWritable(int index) throws SQLException {
        return delegate.isDefinitelyWritable(check(index));
    }

    @Override
    public int isNullable(int index) throws SQLException {
        return delegate.isNullable(check(index));
    }

    @Override
    public boolean isReadOnly(int index) throws SQLException {
        return delegate.isReadOnly(check(index));
    }

    @Override
    public boolean isSearchable(int index) throws SQLException {
        return delegate.isSearchable(check(index));
    }

    @Override
    public boolean isSigned(int index) throws SQLException {
        return delegate.isSigned(check(index));
    }

    @Override
    public boolean isWritable(int index) throws SQLException {
        return delegate.isWritable(check(index));
    }

    private LogicalType logical(int index) throws SQLException {
        check(index);
        return ciphers == null || index < 1 || index >= ciphers.length || ciphers[index] == null ? null : ciphers[index].policy().type();
    }

    @Override
    public int getColumnType(int index) throws SQLException {
        LogicalType t = logical(index);
        return t == null ? delegate.getColumnType(index) : JdbcTypes.sqlType(t);
    }

    @Override
    public String getColumnTypeName(int index) throws SQLException {
        LogicalType t = logical(index);
        return t == null ? delegate.getColumnTypeName(index) : t.policyName();
    }

    @Override
    public String getColumnClassName(int index) throws SQLException {
        LogicalType t = logical(index);
        return t == null ? delegate.getColumnClassName(index) : JdbcTypes.className(t);
    }
}
