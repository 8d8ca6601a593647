package dev.veil.jdbc;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A callable statement on SQL that names no encrypted table (others are refused when prepared):
 * it only forwards, and wraps what it returns so the application stays on Veil's objects.
 */
final class VeilCallableStatement extends DelegatingCallableStatement {
    private final VeilConnection connection;

    VeilCallableStatement(VeilConnection connection, CallableStatement raw) {
        super(raw);
        this.connection = connection;
    }

    @Override
    protected String sql(String sql) throws SQLException {
        throw new SQLException("a CallableStatement cannot execute another SQL text; use Connection.createStatement()", "42000");
    }

    // a stored procedure may change the connection's rules: they are read again before the next statement

    @Override
    public boolean execute() throws SQLException {
        connection.rulesMayChange();
        return super.execute();
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        connection.rulesMayChange();
        return super.executeQuery();
    }

    @Override
    public int executeUpdate() throws SQLException {
        connection.rulesMayChange();
        return super.executeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        connection.rulesMayChange();
        return super.executeLargeUpdate();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        connection.rulesMayChange();
        return super.executeBatch();
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        connection.rulesMayChange();
        return super.executeLargeBatch();
    }

    @Override
    protected ResultSet wrapResultSet(ResultSet raw) {
        return raw == null ? null : new VeilResultSet(connection, this, raw, null);
    }

    @Override
    protected ResultSetMetaData wrapResultSetMetaData(ResultSetMetaData raw) {
        return raw == null ? null : new VeilResultSetMetaData(raw, null);
    }

    @Override
    protected Connection wrapConnection(Connection raw) {
        return connection;
    }
}
