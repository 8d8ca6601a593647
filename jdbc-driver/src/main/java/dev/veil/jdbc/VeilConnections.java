package dev.veil.jdbc;

import dev.veil.keys.ConnectionFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Wraps connections that something else opened (the Java agent, a framework integration) the
 * same way {@link VeilDriver} wraps its own.
 */
public final class VeilConnections {
    private VeilConnections() {
    }

    /**
     * Wraps a connection from the real driver so it encrypts and decrypts per the policy. A
     * connection that is already Veil's is returned unchanged (never encrypted twice).
     *
     * @param raw the real driver's connection; closed if wrapping fails, so nothing unprotected leaks out
     * @param policyPath the policy file; {@code null} falls back to {@code veil.policy} / {@code VEIL_POLICY}
     * @param keyDatabase plain connections to the database holding the key table (unless the policy names one)
     * @throws SQLException a {@link dev.veil.VeilException} when the policy or keys are unusable
     */
    public static Connection wrap(Connection raw, String policyPath, ConnectionFactory keyDatabase) throws SQLException {
        return wrap(raw, policyPath, keyDatabase, null, null);
    }

    /**
     * {@link #wrap(Connection, String, ConnectionFactory)} for a connection whose URL and properties
     * are known (a {@code Driver#connect} call), so that the policy's {@code transport: { verify }}
     * is judged on the driver settings it was really opened with. Without them the connection's
     * metadata URL is read, and properties passed beside it are not seen.
     *
     * @param url the URL the connection (and {@code keyDatabase}'s) was opened with, or {@code null}
     * @param info the properties it was opened with, or {@code null}
     * @throws SQLException {@code VE011} when the link does not satisfy the policy's {@code transport} section
     */
    public static Connection wrap(Connection raw, String policyPath, ConnectionFactory keyDatabase, String url, java.util.Properties info)
            throws SQLException {
        if (raw == null || isVeil(raw)) {
            return raw;
        }
        try {
            return VeilConnection.open(raw, runtime(policyPath, keyDatabase, url, info), url, info);
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The engine of a policy, opened if no connection has opened it yet.
     *
     * @param policyPath the policy file; {@code null} falls back to {@code veil.policy} / {@code VEIL_POLICY}
     * @param keyDatabase plain connections to the database holding the key table (unless the policy names one)
     * @throws SQLException a {@link dev.veil.VeilException} when the policy or keys are unusable
     */
    public static dev.veil.Veil engine(String policyPath, ConnectionFactory keyDatabase) throws SQLException {
        return runtime(policyPath, keyDatabase, null, null).veil();
    }

    private static Runtimes.Runtime runtime(String policyPath, ConnectionFactory keyDatabase, String url, java.util.Properties info)
            throws SQLException {
        java.util.Properties p = new java.util.Properties();
        if (policyPath != null) {
            p.setProperty(VeilProperty.POLICY.key(), policyPath);
        }
        return Runtimes.forPolicy(VeilProperty.POLICY.resolve(p), keyDatabase, url, info);
    }

    /**
     * Starts reading a policy and opening its master key in the background, so the first
     * connection that needs them waits less (the Java agent calls this at JVM start). Never fails;
     * does nothing for {@code null} or a policy already in use.
     */
    public static void prepare(String policyPath) {
        Runtimes.prepare(policyPath);
    }

    /**
     * The policy at {@code policyPath}: the one its runtime uses or is being built from, else read now.
     *
     * @throws dev.veil.VeilException {@code VE001} if it cannot be read or is invalid
     */
    public static dev.veil.policy.Policy policy(String policyPath) throws dev.veil.VeilException {
        return Runtimes.policy(policyPath);
    }

    /**
     * The database a connection reaches, fit for logs: its JDBC URL without parameters or
     * credentials (else its catalog name). The same name the driver's own logs use.
     */
    public static String describe(Connection raw) {
        return PolicyFit.name(raw);
    }

    /** Whether a connection is (or wraps) a Veil connection. */
    public static boolean isVeil(Connection c) throws SQLException {
        return c instanceof VeilConnection || c.isWrapperFor(VeilConnection.class);
    }
}
