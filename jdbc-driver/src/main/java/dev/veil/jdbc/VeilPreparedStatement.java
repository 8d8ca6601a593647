package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.sql.ParameterTarget;
import dev.veil.sql.StatementPlan;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * A prepared statement whose plan was made once, at prepare time. Setters for parameters bound
 * for encrypted columns encrypt the value once (so batches encrypt each value once); all other
 * setters go straight to the real statement.
 */
class VeilPreparedStatement extends DelegatingPreparedStatement<PreparedStatement> {
    private final VeilConnection connection;
    private final ResultWrapping results;
    /** The statement's plan: which parameters go to encrypted columns. */
    private final StatementPlan plan;
    /** What must be checked before the statement runs while a deterministic ring has several live versions. */
    private final VersionChecks checks;
    /** The lexical rules the statement was read under (MariaDB/MySQL {@code sql_mode}, H2 mode). */
    private final dev.veil.sql.SqlSyntax syntax;
    /** Whether the connection reads its lexical rules again after this statement runs (a prepared {@code SET}, {@code CALL}, ...). */
    private final boolean rereadAfter;
    /** The statement's search predicates, or {@code null} when it has none. */
    private final SearchRun search;

    VeilPreparedStatement(VeilConnection connection, PreparedStatement raw, StatementPlan plan, boolean generatedKeys)
            throws SQLException {
        this(connection, raw, plan, generatedKeys, null);
    }

    VeilPreparedStatement(VeilConnection connection, PreparedStatement raw, StatementPlan plan, boolean generatedKeys,
                          SearchRun search) throws SQLException {
        super(raw);
        this.search = search;
        this.connection = connection;
        this.results = new ResultWrapping(connection, this, plan);
        this.results.requestGeneratedKeys(generatedKeys);
        this.plan = plan;
        this.syntax = connection.syntaxRead();
        this.rereadAfter = connection.rereadAfter(plan);
        try {
            this.checks = VersionChecks.of(connection, plan, true);
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private ParameterTarget target(int index) {
        return plan.parameter(index);
    }

    /** The number of application parameter {@code index} in the SQL sent (the same unless lookups were slotted). */
    private int server(int index) {
        return plan.remapsParameters() ? plan.serverIndex(index) : index;
    }

    /** Binds the encrypted value when parameter {@code index} goes to an encrypted column; false otherwise. */
    private boolean encrypted(int index, Object value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            if (search != null && search.takes(index)) {
                search.set(index, value);
                return true;
            }
            return false;
        }
        connection.encryptor().bind(delegate, server(index), t, value, checks);
        return true;
    }

    /** Whether parameter {@code index} goes to an encrypted column: primitive setters ask first, so they box only values they encrypt. */
    private boolean goesToEncryptedColumn(int index) {
        return target(index) != null || search != null && search.takes(index);
    }

    /** Like {@link #encrypted(int, Object)}, reading streams and LOBs only when the column is encrypted. */
    private boolean encrypted(int index, ValueSource value) throws SQLException {
        return goesToEncryptedColumn(index) && encrypted(index, value.get());
    }

    /** Binds the tokens of the search predicates from the values bound so far; returns the rows to drop after the query. */
    private RowFilter bindSearch() throws SQLException {
        if (search == null) {
            return null;
        }
        search.bind(delegate, connection.raw());
        return search.filter();
    }

    @FunctionalInterface
    private interface ValueSource {
        Object get() throws SQLException;
    }

    private static VeilException unsupported(ParameterTarget t, String what) {
        return new VeilException(VeilState.VALUE_CONVERSION, what + " cannot be bound to encrypted column " + t.column().column());
    }

    // ---- execution ----

    @Override
    protected String sql(String sql) throws SQLException {
        throw new SQLException("a PreparedStatement cannot execute another SQL text; use Connection.createStatement()", "42000");
    }

    @Override
    protected ResultSet wrapResultSet(ResultSet raw) {
        return results.wrap(raw);
    }

    @Override
    protected ResultSetMetaData wrapResultSetMetaData(ResultSetMetaData raw) {
        return results.wrapMetaData(raw);
    }

    @Override
    protected Connection wrapConnection(Connection raw) {
        return connection;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        connection.executing(plan, syntax, rereadAfter);
        results.rerun(bindSearch());
        checks.beforeRun(true);
        return checks.runsPlain() ? super.executeQuery() : checks.run(super::executeQuery, true);
    }

    @Override
    public boolean execute() throws SQLException {
        connection.executing(plan, syntax, rereadAfter);
        results.rerun(bindSearch());
        checks.beforeRun(true);
        return checks.runsPlain() ? super.execute() : checks.run(super::execute, true);
    }

    @Override
    public int executeUpdate() throws SQLException {
        connection.executing(plan, syntax, rereadAfter);
        bindSearch();
        checks.beforeRun(true);
        return checks.runsPlain() ? super.executeUpdate() : checks.run(super::executeUpdate, true);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        connection.executing(plan, syntax, rereadAfter);
        bindSearch();
        checks.beforeRun(true);
        return checks.runsPlain() ? super.executeLargeUpdate() : checks.run(super::executeLargeUpdate, true);
    }

    @Override
    public void addBatch() throws SQLException {
        bindSearch();
        checks.addBatch();
        super.addBatch();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        connection.executing(plan, syntax, rereadAfter);
        checks.beforeRun(false);
        return checks.runsPlain() ? super.executeBatch() : checks.run(super::executeBatch, false);
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        connection.executing(plan, syntax, rereadAfter);
        checks.beforeRun(false);
        return checks.runsPlain() ? super.executeLargeBatch() : checks.run(super::executeLargeBatch, false);
    }

    @Override
    public void clearBatch() throws SQLException {
        checks.clear();
        super.clearBatch();
    }

    @Override
    public void clearParameters() throws SQLException {
        checks.clearParameters();
        if (search != null) {
            search.clear();
        }
        super.clearParameters();
    }

    /**
     * The application's parameters: their count and, for those bound for encrypted columns or
     * search predicates, the type the application binds (see {@link VeilParameterMetaData}).
     */
    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return VeilParameterMetaData.of(delegate.getParameterMetaData(), plan);
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return results.wrapGeneratedKeys(delegate.getGeneratedKeys());
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        results.nextResult();
        return delegate.getMoreResults();
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        results.nextResult();
        return delegate.getMoreResults(current);
    }

    // ---- setters ----

    @Override
    public void setNull(int index, int sqlType) throws SQLException {
        if (!encrypted(index, (Object) null)) {
            delegate.setNull(server(index), sqlType);
        }
    }

    @Override
    public void setNull(int index, int sqlType, String typeName) throws SQLException {
        if (!encrypted(index, (Object) null)) {
            delegate.setNull(server(index), sqlType, typeName);
        }
    }

    @Override
    public void setBoolean(int index, boolean value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setBoolean(server(index), value);
        }
    }

    @Override
    public void setByte(int index, byte value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setByte(server(index), value);
        }
    }

    @Override
    public void setShort(int index, short value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setShort(server(index), value);
        }
    }

    @Override
    public void setInt(int index, int value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setInt(server(index), value);
        }
    }

    @Override
    public void setLong(int index, long value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setLong(server(index), value);
        }
    }

    @Override
    public void setFloat(int index, float value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setFloat(server(index), value);
        }
    }

    @Override
    public void setDouble(int index, double value) throws SQLException {
        if (goesToEncryptedColumn(index)) {
            encrypted(index, (Object) value);
        } else {
            delegate.setDouble(server(index), value);
        }
    }

    @Override
    public void setBigDecimal(int index, BigDecimal value) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setBigDecimal(server(index), value);
        }
    }

    @Override
    public void setString(int index, String value) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setString(server(index), value);
        }
    }

    @Override
    public void setNString(int index, String value) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setNString(server(index), value);
        }
    }

    @Override
    public void setBytes(int index, byte[] bytes) throws SQLException {
        if (!encrypted(index, bytes)) {
            delegate.setBytes(server(index), bytes);
        }
    }

    @Override
    public void setDate(int index, Date date) throws SQLException {
        if (!encrypted(index, date)) {
            delegate.setDate(server(index), date);
        }
    }

    @Override
    public void setDate(int index, Date date, Calendar calendar) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.withCalendar(date, calendar))) {
            delegate.setDate(server(index), date, calendar);
        }
    }

    @Override
    public void setTime(int index, Time time) throws SQLException {
        if (!encrypted(index, time)) {
            delegate.setTime(server(index), time);
        }
    }

    @Override
    public void setTime(int index, Time time, Calendar calendar) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.withCalendar(time, calendar))) {
            delegate.setTime(server(index), time, calendar);
        }
    }

    @Override
    public void setTimestamp(int index, Timestamp timestamp) throws SQLException {
        if (!encrypted(index, timestamp)) {
            delegate.setTimestamp(server(index), timestamp);
        }
    }

    @Override
    public void setTimestamp(int index, Timestamp timestamp, Calendar calendar) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.withCalendar(timestamp, calendar))) {
            delegate.setTimestamp(server(index), timestamp, calendar);
        }
    }

    @Override
    public void setObject(int index, Object value) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setObject(server(index), value);
        }
    }

    @Override
    public void setObject(int index, Object value, int targetSqlType) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setObject(server(index), value, targetSqlType);
        }
    }

    @Override
    public void setObject(int index, Object value, int targetSqlType, int scaleOrLength) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setObject(server(index), value, targetSqlType, scaleOrLength);
        }
    }

    @Override
    public void setObject(int index, Object value, SQLType targetSqlType) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setObject(server(index), value, targetSqlType);
        }
    }

    @Override
    public void setObject(int index, Object value, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        if (!encrypted(index, value)) {
            delegate.setObject(server(index), value, targetSqlType, scaleOrLength);
        }
    }

    @Override
    public void setArray(int index, Array array) throws SQLException {
        ParameterTarget t = target(index);
        if (t != null && !t.array()) {
            throw unsupported(t, "an array");
        }
        if (!encrypted(index, array)) {
            delegate.setArray(server(index), array);
        }
    }

    @Override
    public void setAsciiStream(int index, InputStream stream) throws SQLException {
        if (!encrypted(index, () -> ascii(ParameterEncryptor.read(stream, -1)))) {
            delegate.setAsciiStream(server(index), stream);
        }
    }

    @Override
    public void setAsciiStream(int index, InputStream stream, int length) throws SQLException {
        setAsciiStream(index, stream, (long) length);
    }

    @Override
    public void setAsciiStream(int index, InputStream stream, long length) throws SQLException {
        if (!encrypted(index, () -> ascii(ParameterEncryptor.read(stream, length)))) {
            delegate.setAsciiStream(server(index), stream, length);
        }
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String ascii(byte[] bytes) {
        return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public void setBinaryStream(int index, InputStream stream) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(stream, -1))) {
            delegate.setBinaryStream(server(index), stream);
        }
    }

    @Override
    public void setBinaryStream(int index, InputStream stream, int length) throws SQLException {
        setBinaryStream(index, stream, (long) length);
    }

    @Override
    public void setBinaryStream(int index, InputStream stream, long length) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(stream, length))) {
            delegate.setBinaryStream(server(index), stream, length);
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    public void setUnicodeStream(int index, InputStream stream, int length) throws SQLException {
        if (!encrypted(index, () -> utf8(ParameterEncryptor.read(stream, length)))) {
            delegate.setUnicodeStream(server(index), stream, length);
        }
    }

    @Override
    public void setCharacterStream(int index, Reader reader) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, -1))) {
            delegate.setCharacterStream(server(index), reader);
        }
    }

    @Override
    public void setCharacterStream(int index, Reader reader, int length) throws SQLException {
        setCharacterStream(index, reader, (long) length);
    }

    @Override
    public void setCharacterStream(int index, Reader reader, long length) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, length))) {
            delegate.setCharacterStream(server(index), reader, length);
        }
    }

    @Override
    public void setNCharacterStream(int index, Reader reader) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, -1))) {
            delegate.setNCharacterStream(server(index), reader);
        }
    }

    @Override
    public void setNCharacterStream(int index, Reader reader, long length) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, length))) {
            delegate.setNCharacterStream(server(index), reader, length);
        }
    }

    @Override
    public void setClob(int index, Clob clob) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(clob))) {
            delegate.setClob(server(index), clob);
        }
    }

    @Override
    public void setClob(int index, Reader reader) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, -1))) {
            delegate.setClob(server(index), reader);
        }
    }

    @Override
    public void setClob(int index, Reader reader, long length) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, length))) {
            delegate.setClob(server(index), reader, length);
        }
    }

    @Override
    public void setNClob(int index, NClob clob) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(clob))) {
            delegate.setNClob(server(index), clob);
        }
    }

    @Override
    public void setNClob(int index, Reader reader) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, -1))) {
            delegate.setNClob(server(index), reader);
        }
    }

    @Override
    public void setNClob(int index, Reader reader, long length) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(reader, length))) {
            delegate.setNClob(server(index), reader, length);
        }
    }

    @Override
    public void setBlob(int index, Blob blob) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(blob))) {
            delegate.setBlob(server(index), blob);
        }
    }

    @Override
    public void setBlob(int index, InputStream stream) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(stream, -1))) {
            delegate.setBlob(server(index), stream);
        }
    }

    @Override
    public void setBlob(int index, InputStream stream, long length) throws SQLException {
        if (!encrypted(index, () -> ParameterEncryptor.read(stream, length))) {
            delegate.setBlob(server(index), stream, length);
        }
    }

    @Override
    public void setRef(int index, Ref ref) throws SQLException {
        ParameterTarget t = target(index);
        if (t != null) {
            throw unsupported(t, "a Ref");
        }
        delegate.setRef(server(index), ref);
    }

    @Override
    public void setRowId(int index, RowId rowId) throws SQLException {
        ParameterTarget t = target(index);
        if (t != null) {
            throw unsupported(t, "a RowId");
        }
        delegate.setRowId(server(index), rowId);
    }

    @Override
    public void setSQLXML(int index, SQLXML xml) throws SQLException {
        if (!encrypted(index, () -> xml == null ? null : xml.getString())) {
            delegate.setSQLXML(server(index), xml);
        }
    }

    @Override
    public void setURL(int index, java.net.URL url) throws SQLException {
        if (!encrypted(index, () -> url == null ? null : url.toString())) {
            delegate.setURL(server(index), url);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
