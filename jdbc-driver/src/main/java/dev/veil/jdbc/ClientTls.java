package dev.veil.jdbc;

import dev.veil.policy.TransportPolicy.Verify;

import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.util.Locale;
import java.util.Properties;

/**
 * What a JDBC driver was set to verify of the server's certificate, read the way the driver itself
 * reads its settings: pgjdbc's {@code Driver.parseURL} and {@code SslMode.of} over the URL and the
 * connection properties (so {@code ssl=true} alone means {@code verify-full}, as in pgjdbc); MariaDB
 * Connector/J's and MySQL Connector/J's live connection configuration.
 *
 * <p>The driver's classes are reached through the connection's own class loader, so this works
 * whatever loaded Veil (the agent, an application server). Anything that cannot be read counts as
 * verifying nothing: a refusal that names the setting is safer than trusting an unread one.
 */
final class ClientTls {
    /** pgjdbc socket factories that verify the server as {@code sslmode} asks. */
    private static final java.util.Set<String> PG_VERIFYING_FACTORIES = java.util.Set.of(
            "org.postgresql.ssl.LibPQFactory", "org.postgresql.ssl.DefaultJavaSSLFactory");

    /**
     * What the driver verifies, and the setting that says so, for messages.
     *
     * @param verify what is verified
     * @param setting the driver setting it was read from, e.g. {@code sslmode=require}
     */
    record Verification(Verify verify, String setting) {
    }

    private ClientTls() {
    }

    /**
     * @param physical the driver's own connection (not a pool's proxy), for its class and class loader
     * @param url the URL the connection was opened with, or {@code null} when unknown
     * @param info the connection properties it was opened with, or {@code null} when unknown
     */
    static Verification of(Connection physical, String url, Properties info) {
        String driver = physical.getClass().getName();
        try {
            if (driver.startsWith("org.postgresql.")) {
                return pgjdbc(physical.getClass().getClassLoader(), url, info);
            }
            if (driver.startsWith("org.mariadb.jdbc.")) {
                Object conf = call(call(physical, "getContext"), "getConf");
                return mariadb(String.valueOf(call(conf, "sslMode")));
            }
            if (driver.startsWith("com.mysql.")) {
                Object props = call(physical, "getPropertySet");
                Object mode = props.getClass().getMethod("getProperty", String.class).invoke(props, "sslMode");
                return mysql(String.valueOf(call(mode, "getValue")));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new Verification(Verify.NONE, "unreadable settings of " + driver + " (" + e.getClass().getSimpleName() + ")");
        }
        return new Verification(Verify.NONE, "a driver whose settings Veil cannot read (" + driver + ")");
    }

    private static Verification pgjdbc(ClassLoader loader, String url, Properties info) throws ReflectiveOperationException {
        Properties given = info == null ? new Properties() : info;
        Class<?> driver = Class.forName("org.postgresql.Driver", false, loader);
        Properties all = url == null ? null : (Properties) driver.getMethod("parseURL", String.class, Properties.class).invoke(null, url, given);
        if (all == null) {
            return new Verification(Verify.NONE, "unknown pgjdbc settings (the connection URL is not known)");
        }
        Object mode = Class.forName("org.postgresql.jdbc.SslMode", false, loader).getMethod("of", Properties.class).invoke(null, all);
        String setting = "sslmode=" + mode.getClass().getField("value").get(mode);
        String factory = all.getProperty("sslfactory");
        if (factory != null && !PG_VERIFYING_FACTORIES.contains(factory)) {
            return new Verification(Verify.NONE, setting + " with sslfactory=" + factory + " (a socket factory that may not verify)");
        }
        boolean ca = (Boolean) call(mode, "verifyCertificate");
        boolean host = (Boolean) call(mode, "verifyPeerName");
        if (host && all.getProperty("sslhostnameverifier") != null) {
            return new Verification(Verify.CA, setting + " with sslhostnameverifier=" + all.getProperty("sslhostnameverifier"));
        }
        return new Verification(host && ca ? Verify.FULL : ca ? Verify.CA : Verify.NONE, setting);
    }

    /** MariaDB Connector/J 3's {@code SslMode}: DISABLE, TRUST, VERIFY_CA, VERIFY_FULL ({@code sslMode=VERIFY_IDENTITY} reads as VERIFY_FULL). */
    static Verification mariadb(String mode) {
        String m = mode.toUpperCase(Locale.ROOT);
        Verify v = m.equals("VERIFY_FULL") ? Verify.FULL : m.equals("VERIFY_CA") ? Verify.CA : Verify.NONE;
        return new Verification(v, "sslMode=" + m);
    }

    /** MySQL Connector/J's {@code SslMode}: DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY. */
    static Verification mysql(String mode) {
        String m = mode.toUpperCase(Locale.ROOT);
        Verify v = m.equals("VERIFY_IDENTITY") ? Verify.FULL : m.equals("VERIFY_CA") ? Verify.CA : Verify.NONE;
        return new Verification(v, "sslMode=" + m);
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        try {
            return publicMethod(target.getClass(), method).invoke(target);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** The method as declared by a public class or interface, so it can be called from outside its module. */
    private static java.lang.reflect.Method publicMethod(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
                try {
                    return c.getMethod(name);
                } catch (NoSuchMethodException e) {
                    // look further up
                }
            }
            for (Class<?> i : c.getInterfaces()) {
                try {
                    return i.getMethod(name);
                } catch (NoSuchMethodException e) {
                    // next interface
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "()");
    }
}
