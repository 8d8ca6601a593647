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
import java.util.Map;

/**
 * A prepared statement whose plan was made once, at prepare time. Setters for parameters bound
 * for encrypted columns encrypt the value once (so batches encrypt each value once); all other
 * setters go straight to the real statement.
 */
class VeilPreparedStatement extends DelegatingPreparedStatement<PreparedStatement> {
    private final VeilConnection connection;
    private final ResultWrapping results;
    /** Parameters bound for encrypted columns; {@code null} when there are none (the common case). */
    private final Map<Integer, ParameterTarget> targets;

    VeilPreparedStatement(VeilConnection connection, PreparedStatement raw, StatementPlan plan, boolean generatedKeys) {
        super(raw);
        this.connection = connection;
        this.results = new ResultWrapping(connection, this, plan);
        this.results.requestGeneratedKeys(generatedKeys);
        this.targets = plan.parameters().isEmpty() ? null : plan.parameters();
    }

    private ParameterTarget target(int index) {
        return targets == null ? null : targets.get(index);
    }

    private void encrypt(int index, ParameterTarget target, Object value) throws SQLException {
        connection.encryptor().bind(delegate, index, target, value);
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
        results.rerun();
        return super.executeQuery();
    }

    @Override
    public boolean execute() throws SQLException {
        results.rerun();
        return super.execute();
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
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNull(index, sqlType);
        } else {
            encrypt(index, t, null);
        }
    }

    @Override
    public void setNull(int index, int sqlType, String typeName) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNull(index, sqlType, typeName);
        } else {
            encrypt(index, t, null);
        }
    }

    @Override
    public void setBoolean(int index, boolean value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBoolean(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setByte(int index, byte value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setByte(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setShort(int index, short value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setShort(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setInt(int index, int value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setInt(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setLong(int index, long value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setLong(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setFloat(int index, float value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setFloat(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setDouble(int index, double value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setDouble(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setBigDecimal(int index, BigDecimal value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBigDecimal(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setString(int index, String value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setString(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setNString(int index, String value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNString(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setBytes(int index, byte[] bytes) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBytes(index, bytes);
        } else {
            encrypt(index, t, bytes);
        }
    }

    @Override
    public void setDate(int index, Date date) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setDate(index, date);
        } else {
            encrypt(index, t, date);
        }
    }

    @Override
    public void setDate(int index, Date date, Calendar calendar) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setDate(index, date, calendar);
        } else {
            encrypt(index, t, ParameterEncryptor.withCalendar(date, calendar));
        }
    }

    @Override
    public void setTime(int index, Time time) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setTime(index, time);
        } else {
            encrypt(index, t, time);
        }
    }

    @Override
    public void setTime(int index, Time time, Calendar calendar) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setTime(index, time, calendar);
        } else {
            encrypt(index, t, ParameterEncryptor.withCalendar(time, calendar));
        }
    }

    @Override
    public void setTimestamp(int index, Timestamp timestamp) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setTimestamp(index, timestamp);
        } else {
            encrypt(index, t, timestamp);
        }
    }

    @Override
    public void setTimestamp(int index, Timestamp timestamp, Calendar calendar) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setTimestamp(index, timestamp, calendar);
        } else {
            encrypt(index, t, ParameterEncryptor.withCalendar(timestamp, calendar));
        }
    }

    @Override
    public void setObject(int index, Object value) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setObject(index, value);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setObject(int index, Object value, int targetSqlType) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setObject(index, value, targetSqlType);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setObject(int index, Object value, int targetSqlType, int scaleOrLength) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setObject(index, value, targetSqlType, scaleOrLength);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setObject(int index, Object value, SQLType targetSqlType) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setObject(index, value, targetSqlType);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setObject(int index, Object value, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setObject(index, value, targetSqlType, scaleOrLength);
        } else {
            encrypt(index, t, value);
        }
    }

    @Override
    public void setArray(int index, Array array) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setArray(index, array);
        } else if (!t.array()) {
            throw unsupported(t, "an array");
        } else {
            encrypt(index, t, array);
        }
    }

    @Override
    public void setAsciiStream(int index, InputStream stream) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setAsciiStream(index, stream);
        } else {
            encrypt(index, t, ascii(ParameterEncryptor.read(stream, -1)));
        }
    }

    @Override
    public void setAsciiStream(int index, InputStream stream, int length) throws SQLException {
        setAsciiStream(index, stream, (long) length);
    }

    @Override
    public void setAsciiStream(int index, InputStream stream, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setAsciiStream(index, stream, length);
        } else {
            encrypt(index, t, ascii(ParameterEncryptor.read(stream, length)));
        }
    }

    private static String ascii(byte[] bytes) {
        return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public void setBinaryStream(int index, InputStream stream) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBinaryStream(index, stream);
        } else {
            encrypt(index, t, ParameterEncryptor.read(stream, -1));
        }
    }

    @Override
    public void setBinaryStream(int index, InputStream stream, int length) throws SQLException {
        setBinaryStream(index, stream, (long) length);
    }

    @Override
    public void setBinaryStream(int index, InputStream stream, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBinaryStream(index, stream, length);
        } else {
            encrypt(index, t, ParameterEncryptor.read(stream, length));
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    public void setUnicodeStream(int index, InputStream stream, int length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setUnicodeStream(index, stream, length);
        } else {
            byte[] b = ParameterEncryptor.read(stream, length);
            encrypt(index, t, b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Override
    public void setCharacterStream(int index, Reader reader) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setCharacterStream(index, reader);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, -1));
        }
    }

    @Override
    public void setCharacterStream(int index, Reader reader, int length) throws SQLException {
        setCharacterStream(index, reader, (long) length);
    }

    @Override
    public void setCharacterStream(int index, Reader reader, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setCharacterStream(index, reader, length);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, length));
        }
    }

    @Override
    public void setNCharacterStream(int index, Reader reader) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNCharacterStream(index, reader);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, -1));
        }
    }

    @Override
    public void setNCharacterStream(int index, Reader reader, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNCharacterStream(index, reader, length);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, length));
        }
    }

    @Override
    public void setClob(int index, Clob clob) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setClob(index, clob);
        } else {
            encrypt(index, t, ParameterEncryptor.read(clob));
        }
    }

    @Override
    public void setClob(int index, Reader reader) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setClob(index, reader);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, -1));
        }
    }

    @Override
    public void setClob(int index, Reader reader, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setClob(index, reader, length);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, length));
        }
    }

    @Override
    public void setNClob(int index, NClob clob) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNClob(index, clob);
        } else {
            encrypt(index, t, ParameterEncryptor.read(clob));
        }
    }

    @Override
    public void setNClob(int index, Reader reader) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNClob(index, reader);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, -1));
        }
    }

    @Override
    public void setNClob(int index, Reader reader, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setNClob(index, reader, length);
        } else {
            encrypt(index, t, ParameterEncryptor.read(reader, length));
        }
    }

    @Override
    public void setBlob(int index, Blob blob) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBlob(index, blob);
        } else {
            encrypt(index, t, ParameterEncryptor.read(blob));
        }
    }

    @Override
    public void setBlob(int index, InputStream stream) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBlob(index, stream);
        } else {
            encrypt(index, t, ParameterEncryptor.read(stream, -1));
        }
    }

    @Override
    public void setBlob(int index, InputStream stream, long length) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setBlob(index, stream, length);
        } else {
            encrypt(index, t, ParameterEncryptor.read(stream, length));
        }
    }

    @Override
    public void setRef(int index, Ref ref) throws SQLException {
        ParameterTarget t = target(index);
        if (t != null) {
            throw unsupported(t, "a Ref");
        }
        delegate.setRef(index, ref);
    }

    @Override
    public void setRowId(int index, RowId rowId) throws SQLException {
        ParameterTarget t = target(index);
        if (t != null) {
            throw unsupported(t, "a RowId");
        }
        delegate.setRowId(index, rowId);
    }

    @Override
    public void setSQLXML(int index, SQLXML xml) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setSQLXML(index, xml);
        } else {
            encrypt(index, t, xml == null ? null : xml.getString());
        }
    }

    @Override
    public void setURL(int index, java.net.URL url) throws SQLException {
        ParameterTarget t = target(index);
        if (t == null) {
            delegate.setURL(index, url);
        } else {
            encrypt(index, t, url == null ? null : url.toString());
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
