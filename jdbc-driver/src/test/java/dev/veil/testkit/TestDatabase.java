package dev.veil.testkit;

import dev.veil.keys.ConnectionFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database of its own for one test class, on a real server, dropped on close.
 *
 * <p>The server comes from {@code VEIL_IT_JDBC_URL} (or {@code -Dveil.it.url}) for PostgreSQL and
 * {@code VEIL_IT_MARIADB_URL} (or {@code -Dveil.it.mariadb.url}) for MariaDB: an admin URL such as
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}. A new database with a random
 * name is created there, so concurrent runs never interfere.
 */
public final class TestDatabase implements AutoCloseable {
    private static final Pattern URL = Pattern.compile("(jdbc:(?:postgresql|mariadb|mysql)://[^/?]+)(/[^?]*)?(\\?.*)?");

    private final String adminUrl;
    private final String name;
    private final String url;
    private final boolean postgres;

    private TestDatabase(String adminUrl) throws SQLException {
        this(adminUrl, "");
    }

    private TestDatabase(String adminUrl, String createOptions) throws SQLException {
        Matcher m = URL.matcher(adminUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected jdbc:postgresql://host[:port]/db[?params] or jdbc:mariadb://…, got " + adminUrl.replaceAll("password=[^&]*", "password=***"));
        }
        this.adminUrl = adminUrl;
        this.postgres = adminUrl.startsWith("jdbc:postgresql:");
        this.name = "veil_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        this.url = m.group(1) + "/" + name + (m.group(3) == null ? "" : m.group(3));
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + createOptions);
        }
    }

    /** A fresh PostgreSQL database; fails with instructions when no server is configured. */
    public static TestDatabase postgres() throws SQLException {
        String admin = setting("VEIL_IT_JDBC_URL", "veil.it.url");
        if (admin == null) {
            throw new IllegalStateException("No PostgreSQL for integration tests: set VEIL_IT_JDBC_URL (or -Dveil.it.url) to an admin URL, "
                    + "for example jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres (bash .ci/run does this)");
        }
        return new TestDatabase(admin);
    }

    /**
     * A fresh PostgreSQL database created with {@code options} after its name ({@code " TEMPLATE template0
     * LC_CTYPE 'C' LC_COLLATE 'C'"}, say); fails as {@link #postgres()} does when no server is configured.
     */
    public static TestDatabase postgres(String options) throws SQLException {
        String admin = setting("VEIL_IT_JDBC_URL", "veil.it.url");
        if (admin == null) {
            return postgres();
        }
        return new TestDatabase(admin, options);
    }

    /** A fresh MariaDB database, or {@code null} when none is configured. */
    public static TestDatabase mariadbOrNull() throws SQLException {
        String admin = setting("VEIL_IT_MARIADB_URL", "veil.it.mariadb.url");
        return admin == null ? null : new TestDatabase(admin);
    }

    /**
     * A fresh database on the MariaDB server of {@code VEIL_IT_MARIADB_URL}, reached through MySQL
     * Connector/J ({@code jdbc:mysql:}), or {@code null} when none is configured.
     */
    public static TestDatabase mariadbThroughMySqlDriverOrNull() throws SQLException {
        String admin = setting("VEIL_IT_MARIADB_URL", "veil.it.mariadb.url");
        return admin == null ? null : new TestDatabase(admin.replaceFirst("^jdbc:mariadb:", "jdbc:mysql:"));
    }

    private static String setting(String env, String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v;
    }

    /** The JDBC URL of this test's database (with the admin URL's parameters). */
    public String url() {
        return url;
    }

    /** Whether this database is reached through MySQL Connector/J ({@code jdbc:mysql:}). */
    public boolean isMySqlDriver() {
        return url.startsWith("jdbc:mysql:");
    }

    /** Whether this is a PostgreSQL database (else MariaDB or MySQL). */
    public boolean isPostgres() {
        return postgres;
    }

    public String name() {
        return name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    public ConnectionFactory connections() {
        return this::connect;
    }

    /** Runs statements on a plain connection. */
    public void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute(postgres ? "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)" : "DROP DATABASE IF EXISTS " + name);
        }
    }
}
