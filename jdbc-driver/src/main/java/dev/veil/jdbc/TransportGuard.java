package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.TransportPolicy;
import dev.veil.policy.TransportPolicy.TlsVersion;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Enforces the policy's {@code transport} section on every new physical connection: the driver
 * must be set to verify the server as {@code verify} asks ({@link ClientTls}, read from the
 * settings, no query), then the live session must be TLS of at least {@code min-version}
 * ({@link SessionTls}, one query). A connection that passed is remembered (weakly) so that a pool
 * handing the same physical connection out again costs nothing; statements are never checked.
 *
 * <p>Refusals are {@code VE011} and name the policy setting that refused, the driver setting or
 * session state that did not satisfy it, and what to change. Databases that cannot report their
 * session's TLS state (H2 and others) are refused while {@code require-tls} is set: Veil cannot
 * prove the link is encrypted.
 */
final class TransportGuard {
    private final TransportPolicy transport;
    /** Physical connections already admitted, compared by identity as JDBC connections are. */
    private final Set<Connection> admitted = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    TransportGuard(TransportPolicy transport) {
        this.transport = transport;
    }

    /**
     * Admits a connection, or refuses it.
     *
     * @param raw the connection of the real driver (or of a pool over it)
     * @param url the URL it was opened with, or {@code null} when unknown (then its metadata's URL is used)
     * @param info the properties it was opened with, or {@code null} when unknown
     * @throws VeilException {@code VE011} when the link does not satisfy the policy
     * @throws SQLException when the session cannot be asked
     */
    void admit(Connection raw, String url, Properties info) throws SQLException {
        if (!transport.requireTls()) {
            return;
        }
        Connection physical = physical(raw);
        if (admitted.contains(physical)) {
            return;
        }
        String database = PolicyFit.name(raw);
        if (transport.verify() != TransportPolicy.Verify.NONE) {
            ClientTls.Verification v = ClientTls.of(physical, url != null ? url : raw.getMetaData().getURL(), info);
            if (v.verify().compareTo(transport.verify()) < 0) {
                throw refused(transport.setting("verify") + " = " + transport.verify().policyName() + " refuses the connection to "
                        + database + ": the JDBC driver is not set to verify " + (transport.verify() == TransportPolicy.Verify.FULL
                        ? "the server's certificate and host name" : "the server's certificate") + " (" + v.setting() + "). Set "
                        + howToVerify(physical) + " and give the driver the CA that signed the server's certificate");
            }
        }
        SessionTls session = SessionTls.read(raw, SqlDialect.of(raw));
        if (session == null) {
            throw refused(transport.setting("require-tls") + " refuses the connection to " + database + ": this database ("
                    + raw.getMetaData().getDatabaseProductName() + ") does not report whether its session is TLS, so Veil cannot"
                    + " prove it; remove require-tls from the policy for it, or use a database that reports it (PostgreSQL, MariaDB, MySQL)");
        }
        if (!session.tls()) {
            throw refused(transport.setting("require-tls") + " refuses the connection to " + database + ": the session is not"
                    + " encrypted (" + session.source() + " reports no TLS). Enable TLS on the server and set " + howToVerify(physical)
                    + " on the connection");
        }
        TlsVersion version = TlsVersion.parse(session.version());
        if (version == null || version.compareTo(transport.minVersion()) < 0) {
            throw refused(transport.setting("min-version") + " = " + transport.minVersion().protocolName() + " refuses the connection to "
                    + database + ": the session runs " + (session.version() == null ? "an unreported TLS version" : session.version())
                    + " (" + session.source() + "). Raise the server's minimum protocol version (PostgreSQL ssl_min_protocol_version,"
                    + " MariaDB tls_version)");
        }
        admitted.add(physical);
    }

    /** The driver's own connection beneath a pool's proxy (pools unwrap to their delegate), else the connection itself. */
    private static Connection physical(Connection raw) {
        try {
            Connection c = raw.unwrap(Connection.class);
            return c != null ? c : raw;
        } catch (SQLException | RuntimeException e) {
            return raw;
        }
    }

    private static String howToVerify(Connection physical) {
        String driver = physical.getClass().getName();
        if (driver.startsWith("org.postgresql.")) {
            return "sslmode=verify-full (with sslrootcert=/path/ca.crt)";
        }
        if (driver.startsWith("org.mariadb.jdbc.")) {
            return "sslMode=verify-full (VERIFY_IDENTITY; with serverSslCert=/path/ca.crt)";
        }
        if (driver.startsWith("com.mysql.")) {
            return "sslMode=VERIFY_IDENTITY (with trustCertificateKeyStoreUrl)";
        }
        return "the driver's setting that verifies the server's certificate and host name";
    }

    private static VeilException refused(String message) {
        return new VeilException(VeilState.CONFIGURATION_INVALID, message);
    }
}
