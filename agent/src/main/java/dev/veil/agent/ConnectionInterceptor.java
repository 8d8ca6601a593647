package dev.veil.agent;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.agent.bootstrap.VeilBridge;
import dev.veil.jdbc.VeilConnections;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.ConnectionMatch;
import dev.veil.policy.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides, for each connection an outermost {@code connect}/{@code getConnection} returned,
 * whether Veil protects it, and wraps it if so.
 *
 * <ul>
 *   <li>Veil's own driver and data source, and connections that are already Veil's, pass unchanged
 *       (an app on {@code jdbc:veil:} is never encrypted twice).</li>
 *   <li>A connection the policy's {@code match} does not cover passes unchanged.</li>
 *   <li>Fail closed: when the policy is missing or invalid, or a matching connection cannot be
 *       protected (keys unavailable), the connection is closed and the VeilException thrown.</li>
 * </ul>
 */
final class ConnectionInterceptor implements VeilBridge.Hook {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionInterceptor.class);

    private final String policyPath;
    private volatile Policy policy;
    /** Databases already announced as left unprotected (by URL without parameters). */
    private final Set<String> unprotected = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean anyMatched = new AtomicBoolean();
    private final AtomicBoolean warnedNoneMatched = new AtomicBoolean();

    ConnectionInterceptor(String policyPath) {
        this.policyPath = policyPath;
    }

    @Override
    public boolean accepts(Object source, boolean driver) {
        return driver ? source instanceof Driver : source instanceof DataSource;
    }

    @Override
    public Object afterConnect(boolean driver, Object source, Object[] args, Object connection) throws Exception {
        if (!(connection instanceof Connection raw) || isVeilsOwn(source) || isVeil(raw)) {
            return connection;
        }
        boolean mustProtect = true;
        try {
            ConnectionMatch match = policy().match();
            if (!match.matchesAll()) {
                String url = match.needsUrl() ? url(driver, args, raw) : null;
                String database = match.needsDatabase() ? database(raw) : null;
                mustProtect = match.matches(url, database);
                if (!mustProtect) {
                    leftAlone(raw);
                    return raw;
                }
            }
            anyMatched.set(true);
            return driver ? VeilConnections.wrap(raw, policyPath, keyDatabase(true, source, args), (String) args[0], properties(args))
                    : VeilConnections.wrap(raw, policyPath, keyDatabase(false, source, args));
        } catch (SQLException e) {
            closeQuietly(raw);
            throw e;
        } catch (Throwable t) {
            if (!mustProtect) {
                LOG.warn("Veil agent failed on a connection the policy does not match; it is left alone", t);
                return raw;
            }
            closeQuietly(raw);
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "the Veil agent could not protect a connection the policy matches: " + t, t);
        }
    }

    /**
     * A connection the policy's {@code match} does not cover: announced once per database at INFO,
     * and once at WARN while no connection has matched at all (a {@code match} section that
     * matches nothing leaves the whole application unprotected).
     */
    private void leftAlone(Connection raw) {
        String database = VeilConnections.describe(raw);
        if (unprotected.add(database)) {
            LOG.info("Veil agent: connections to {} are not protected: the match section of policy {} does not cover them", database, policyPath);
        }
        if (!anyMatched.get() && warnedNoneMatched.compareAndSet(false, true)) {
            LOG.warn("Veil agent: no connection has matched the match section of policy {} so far, so none is protected (the first was to {});"
                    + " if this application's data should be encrypted, correct match (urls, databases)", policyPath, database);
        }
    }

    /** The policy, read once; a failure is not remembered, so fixing the file helps without a restart. */
    private Policy policy() throws VeilException {
        Policy p = policy;
        if (p == null) {
            if (policyPath == null) {
                throw new VeilException(VeilState.CONFIGURATION_INVALID, "the Veil agent has no policy, so it refuses connections rather than leave"
                        + " them unprotected: set -javaagent:veil-agent.jar=policy=/path/policy.yaml, the system property veil.policy,"
                        + " or the environment variable VEIL_POLICY");
            }
            synchronized (this) {
                p = policy;
                if (p == null) {
                    p = VeilConnections.policy(policyPath); // the one the engine is built from, read once
                    policy = p;
                }
            }
        }
        return p;
    }

    /** Veil's own driver and data source wrap by themselves; the agent only counts them as outer calls. */
    private static boolean isVeilsOwn(Object source) {
        return source.getClass().getName().startsWith("dev.veil.");
    }

    /** A pool of {@code jdbc:veil:} connections hands out connections that are already Veil's. */
    private static boolean isVeil(Connection c) {
        try {
            return VeilConnections.isVeil(c);
        } catch (SQLException | RuntimeException e) {
            return false; // a driver that cannot tell is not wrapping Veil
        }
    }

    private static String url(boolean driver, Object[] args, Connection raw) {
        if (driver && args.length > 0 && args[0] instanceof String url) {
            return url;
        }
        try {
            return raw.getMetaData().getURL();
        } catch (SQLException | RuntimeException e) {
            return null; // unknown counts as a match
        }
    }

    private static String database(Connection raw) {
        try {
            return raw.getCatalog();
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Plain connections to the same database for the key table: the same Driver or DataSource
     * called again with wrapping suppressed, so the agent does not wrap its own key connections.
     */
    static ConnectionFactory keyDatabase(boolean driver, Object source, Object[] args) {
        if (driver) {
            Driver d = (Driver) source;
            String url = (String) args[0];
            Properties info = new Properties();
            if (args[1] instanceof Properties p) {
                info.putAll(p);
            }
            return () -> unwrapped(() -> d.connect(url, info));
        }
        DataSource ds = (DataSource) source;
        if (args.length == 2) {
            String user = (String) args[0];
            String password = (String) args[1];
            return () -> unwrapped(() -> ds.getConnection(user, password));
        }
        return () -> unwrapped(ds::getConnection);
    }

    /** The properties a {@code Driver#connect(url, info)} was given (a copy), or {@code null}. */
    private static Properties properties(Object[] args) {
        if (args.length > 1 && args[1] instanceof Properties p) {
            Properties copy = new Properties();
            copy.putAll(p);
            return copy;
        }
        return null;
    }

    private static Connection unwrapped(ConnectionFactory open) throws SQLException {
        VeilBridge.suppress();
        try {
            return open.open();
        } finally {
            VeilBridge.resume();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("closing a refused connection failed", e);
        }
    }
}
