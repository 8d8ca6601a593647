package dev.veil.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A plain statement: each SQL text is planned when it runs; literals bound for encrypted columns
 * are replaced by ciphertext literals (never sent as plaintext) and results are decrypted.
 */
final class VeilStatement extends DelegatingStatement<Statement> {
    private final ResultWrapping results;

    VeilStatement(VeilConnection connection, Statement raw) {
        super(raw);
        this.results = new ResultWrapping(connection, this, null);
    }

    @Override
    protected String sql(String sql) throws SQLException {
        return results.run(sql);
    }

    @Override
    protected ResultSet wrapResultSet(ResultSet raw) {
        return results.wrap(raw);
    }

    @Override
    protected Connection wrapConnection(Connection raw) {
        return results.connection();
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

    @Override
    public String toString() {
        return "VeilStatement[" + delegate + "]";
    }
}
