package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.keys.ConnectionFactory;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:veil:} driver. Everything after the prefix is the real URL: Veil finds the real
 * driver for it, connects, and wraps the connection so that values bound for encrypted columns are
 * encrypted and read back decrypted. Registered through {@code META-INF/services/java.sql.Driver}.
 *
 * <p>The policy comes from {@link VeilProperty#POLICY}: the connection property or URL parameter
 * {@code veil.policy}, else the system property {@code veil.policy}, else {@code VEIL_POLICY}.
 */
public final class VeilDriver implements Driver {
    public static final int MAJOR_VERSION = 0;
    public static final int MINOR_VERSION = 1;

    static {
        try {
            DriverManager.registerDriver(new VeilDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return VeilUrl.accepts(url);
    }

    /**
     * Connects through the real driver and wraps the connection.
     *
     * @return {@code null} when the URL is not a {@code jdbc:veil:} URL (the JDBC contract)
     * @throws VeilException {@code VE011} without a policy or real driver, or when the link to the
     *         database does not satisfy the policy's {@code transport} section, {@code VE001} for an
     *         invalid policy, {@code VE002} when the master key is unavailable
     */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        VeilUrl parsed = VeilUrl.parse(url);
        Properties all = new Properties();
        if (info != null) {
            all.putAll(info);
        }
        all.putAll(parsed.veilProperties());
        String policyPath = VeilProperty.POLICY.resolve(all);
        // reads the policy and opens its master key while the real driver is found (its acceptsURL parses the URL) and connects
        Runtimes.prepare(policyPath);
        Properties realProps = withoutVeilProperties(info);
        Driver real = realDriver(parsed.realUrl());
        Connection raw = real.connect(parsed.realUrl(), realProps);
        if (raw == null) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "the driver " + real.getClass().getName() + " refused URL " + redact(parsed.realUrl()));
        }
        try {
            ConnectionFactory keyDatabase = new ConnectionFactory() { // not a lambda, which spins a class at first use
                @Override
                public Connection open() throws SQLException {
                    return real.connect(parsed.realUrl(), realProps);
                }
            };
            Runtimes.Runtime runtime = Runtimes.opening(policyPath, keyDatabase, parsed.realUrl(), realProps);
            // the new connection's transport and catalog checks need no key: they run while the background thread
            // may still be opening it, and the connection is handed out only once it is open
            VeilConnection.check(raw, runtime, parsed.realUrl(), realProps);
            runtime = Runtimes.confirmed(policyPath, runtime, keyDatabase, parsed.realUrl(), realProps);
            return VeilConnection.open(raw, runtime, parsed.realUrl(), realProps);
        } catch (SQLException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    static Properties withoutVeilProperties(Properties info) {
        Properties p = new Properties();
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                if (!name.startsWith(VeilProperty.PREFIX)) {
                    p.setProperty(name, info.getProperty(name));
                }
            }
            // non-string values (rare) are copied as they are; a loop, not forEach: a lambda spins a class at its first connection
            for (Map.Entry<Object, Object> e : info.entrySet()) {
                Object k = e.getKey();
                if (!(k instanceof String s && s.startsWith(VeilProperty.PREFIX)) && !p.containsKey(k)) {
                    p.put(k, e.getValue());
                }
            }
        }
        return p;
    }

    /** The first registered driver other than Veil that accepts the real URL. */
    static Driver realDriver(String realUrl) throws SQLException {
        Enumeration<Driver> drivers = DriverManager.getDrivers();
        while (drivers.hasMoreElements()) {
            Driver d = drivers.nextElement();
            if (!(d instanceof VeilDriver) && d.acceptsURL(realUrl)) {
                return d;
            }
        }
        throw new VeilException(VeilState.CONFIGURATION_INVALID, "no JDBC driver on the class path accepts " + redact(realUrl)
                + "; add the database's driver next to Veil");
    }

    /** A URL fit for messages: passwords removed. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^/:@]+):[^/@]*@", "//$1:***@");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        List<DriverPropertyInfo> all = new ArrayList<>();
        Properties withUrl = new Properties();
        if (info != null) {
            withUrl.putAll(info);
        }
        if (acceptsURL(url)) {
            VeilUrl parsed = VeilUrl.parse(url);
            withUrl.putAll(parsed.veilProperties());
            all.addAll(Arrays.asList(realDriver(parsed.realUrl()).getPropertyInfo(parsed.realUrl(), withoutVeilProperties(info))));
        }
        for (VeilProperty p : VeilProperty.values()) {
            all.add(p.info(withUrl));
        }
        return all.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return MAJOR_VERSION;
    }

    @Override
    public int getMinorVersion() {
        return MINOR_VERSION;
    }

    /** Veil is only as compliant as the driver beneath it, which it cannot vouch for. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Veil logs through SLF4J");
    }
}
