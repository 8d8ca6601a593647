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
    public void addBatch(String sql) throws SQLException {
        String send = sql(sql);
        results.batched();
        delegate.addBatch(send);
    }

    @Override
    public int[] executeBatch() throws SQLException {
        try {
            return delegate.executeBatch();
        } finally {
            results.batchEnded();
        }
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        try {
            return delegate.executeLargeBatch();
        } finally {
            results.batchEnded();
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        try {
            delegate.clearBatch();
        } finally {
            results.batchEnded();
        }
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.execute(send));
    }

    @Override
    public boolean execute(String sql, int[] indexes) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.execute(send, indexes));
    }

    @Override
    public boolean execute(String sql, String[] names) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.execute(send, names));
    }

    @Override
    public boolean execute(String sql, int index) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.execute(send, index));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeLargeUpdate(send));
    }

    @Override
    public long executeLargeUpdate(String sql, int[] indexes) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeLargeUpdate(send, indexes));
    }

    @Override
    public long executeLargeUpdate(String sql, String[] names) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeLargeUpdate(send, names));
    }

    @Override
    public long executeLargeUpdate(String sql, int index) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeLargeUpdate(send, index));
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        String send = sql(sql);
        return wrapResultSet(results.checked(() -> delegate.executeQuery(send)));
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeUpdate(send));
    }

    @Override
    public int executeUpdate(String sql, int[] indexes) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeUpdate(send, indexes));
    }

    @Override
    public int executeUpdate(String sql, String[] names) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeUpdate(send, names));
    }

    @Override
    public int executeUpdate(String sql, int index) throws SQLException {
        String send = sql(sql);
        return results.checked(() -> delegate.executeUpdate(send, index));
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
