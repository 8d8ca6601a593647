package dev.veil.jdbc;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * Wraps any {@link DataSource} (a HikariCP pool, a container's DataSource): its connections come
 * back encrypting and decrypting per the policy. The key table is reached through the same
 * DataSource unless the policy names another database.
 *
 * <pre>{@code
 * DataSource ds = new VeilDataSource(hikari, "/etc/veil/policy.yaml");
 * }</pre>
 */
public class VeilDataSource implements DataSource {
    private final DataSource delegate;
    private final String policyPath;

    /**
     * @param policyPath the policy file; {@code null} uses the system property {@code veil.policy}
     *        or the environment variable {@code VEIL_POLICY}
     */
    public VeilDataSource(DataSource delegate, String policyPath) {
        this.delegate = delegate;
        this.policyPath = policyPath;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(delegate.getConnection(username, password));
    }

    /**
     * The engine serving this DataSource's policy (shared with every connection that names the
     * same policy), opened now if no connection has opened it yet: the key table is then reached
     * through this DataSource's own connections. For health checks and metrics; never hands out
     * key material.
     *
     * @throws SQLException a {@link dev.veil.VeilException} when the policy or keys are unusable
     *         ({@code VE001}, {@code VE002}, {@code VE009}, …)
     */
    public dev.veil.Veil engine() throws SQLException {
        return VeilConnections.engine(policyPath, delegate::getConnection);
    }

    /** The policy file given to this DataSource, or {@code null} when it falls back to {@code veil.policy} / {@code VEIL_POLICY}. */
    public String policyPath() {
        return policyPath;
    }

    private Connection wrap(Connection raw) throws SQLException {
        // a pool of jdbc:veil: connections is already Veil's and comes back unchanged
        return VeilConnections.wrap(raw, policyPath, delegate::getConnection);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : VendorUnwrap.unwrap(this, delegate, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || VendorUnwrap.isWrapperFor(delegate, iface);
    }
}
