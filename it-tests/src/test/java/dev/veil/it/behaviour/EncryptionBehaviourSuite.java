package dev.veil.it.behaviour;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.it.RawConnections;
import dev.veil.jdbc.VeilConnections;
import dev.veil.testkit.ShopPolicy;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What Veil promises an application, checked the same way however Veil is attached: in driver
 * mode (the app's URL is {@code jdbc:veil:}) and in agent mode (a forked JVM with
 * {@code -javaagent}, the app's URL unchanged). Subclasses say only how the app connects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EncryptionBehaviourSuite {
    /** The match a policy written by {@link #writePolicy} carries: the test databases only, never the admin database. */
    public static final String MATCH_TEST_DATABASES = "match: { databases: ['veil_it_*'] }\n";

    protected TestDatabase db;
    protected Path policy;

    /** The URL the application uses for the test database. */
    protected abstract String appUrl();

    /** The DataSource the application uses, given the real one (driver mode wraps it in a VeilDataSource). */
    protected abstract DataSource appDataSource(DataSource real);

    /** Writes the shop policy with a fresh keystore (before any connection: the agent reads it on the first one), then creates the database. */
    protected void setUp(Path policyFile) throws Exception {
        Files.createDirectories(policyFile.getParent());
        policy = writePolicy(policyFile, MATCH_TEST_DATABASES);
        db = database();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        ShopSchema.create(db);
    }

    /** A fresh database for the suite: PostgreSQL unless a subclass says otherwise ({@code null}: none configured, skip). */
    protected TestDatabase database() throws SQLException {
        return TestDatabase.postgres();
    }

    /** The shop policy plus extra top-level YAML, with a keystore beside it. */
    public static Path writePolicy(Path policyFile, String extraYaml) throws Exception {
        Files.createDirectories(policyFile.getParent());
        Files.deleteIfExists(policyFile.getParent().resolve("master.p12")); // agent-mode JVMs share one directory
        Path keystore = TestKeys.keystore(policyFile.getParent());
        Files.writeString(policyFile, ShopPolicy.yaml(TestKeys.keysYaml(keystore)) + extraYaml);
        return policyFile;
    }

    @AfterAll
    void dropDatabase() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    /** What the table really holds: read beneath Veil, whichever way Veil is attached. */
    protected List<String> raw(String sql) throws SQLException {
        try (Connection raw = RawConnections.open(db.url())) {
            assertFalse(VeilConnections.isVeil(raw));
            List<String> values = new ArrayList<>();
            try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        values.add(rs.getString(i));
                    }
                }
            }
            return values;
        }
    }

    protected static void assertCiphertext(List<String> values) {
        assertFalse(values.isEmpty());
        for (String v : values) {
            assertTrue(v.startsWith("vl1:"), v);
        }
    }

    protected static String one(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no row for " + sql);
                return rs.getString(1);
            }
        }
    }

    protected static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    @Test
    void writesCiphertextAndReadsPlaintext() throws Exception {
        try (Connection c = DriverManager.getConnection(appUrl())) {
            assertTrue(VeilConnections.isVeil(c), "the application's connection is Veil's");
            update(c, "INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)", "Alice", "alice@example.com", "123-45-6789");
            assertEquals("123-45-6789", one(c, "SELECT ssn FROM customers WHERE email = ?", "alice@example.com"));
        }
        List<String> stored = raw("SELECT email, ssn FROM customers WHERE name = 'Alice'");
        assertCiphertext(stored);
        assertFalse(stored.toString().contains("alice") || stored.toString().contains("123-45"));
    }

    @Test
    void updatesAndFindsByDeterministicColumn() throws Exception {
        try (Connection c = DriverManager.getConnection(appUrl())) {
            update(c, "INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)", "Bob", "bob@example.com", "+44 20 7946 0000");
            update(c, "UPDATE customers SET email = ? WHERE email = ?", "robert@example.com", "bob@example.com");
            assertEquals("Bob", one(c, "SELECT name FROM customers WHERE email = ?", "robert@example.com"));
            assertEquals("+44 20 7946 0000", one(c, "SELECT phone FROM customers WHERE email IN (?, ?)", "x@example.com", "robert@example.com"));
        }
        assertCiphertext(raw("SELECT email, phone FROM customers WHERE name = 'Bob'"));
    }

    @Test
    void plainStatementLiteralsAreNeverSentAsPlaintext() throws Exception {
        try (Connection c = DriverManager.getConnection(appUrl()); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email, ssn) VALUES ('Carol', 'carol@example.com', '555-55-5555')");
            try (ResultSet rs = s.executeQuery("SELECT ssn FROM customers WHERE email = 'carol@example.com'")) {
                assertTrue(rs.next());
                assertEquals("555-55-5555", rs.getString(1));
            }
        }
        assertCiphertext(raw("SELECT email, ssn FROM customers WHERE name = 'Carol'"));
    }

    @Test
    void copyThroughTheUnwrappedPgConnectionIsEncrypted() throws Exception {
        assumeTrue(db.isPostgres(), "COPY is PostgreSQL's");
        try (Connection c = DriverManager.getConnection(appUrl())) {
            org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            assertEquals(2, copy.copyIn("COPY customers (name, email, ssn) FROM STDIN (FORMAT csv)",
                    new java.io.StringReader("Copy One,copy1@example.com,101-01-0101\nCopy Two,copy2@example.com,\n")));
            java.io.StringWriter out = new java.io.StringWriter();
            copy.copyOut("COPY (SELECT name, ssn FROM customers WHERE email = 'copy1@example.com') TO STDOUT", out);
            assertEquals("Copy One\t101-01-0101\n", out.toString());
            assertThrows(VeilException.class, () -> c.unwrap(org.postgresql.core.BaseConnection.class));
        }
        List<String> stored = raw("SELECT email, ssn FROM customers WHERE name = 'Copy One'");
        assertCiphertext(stored);
        assertFalse(String.join(",", stored).contains("copy1@example.com"));
    }

    @Test
    void mariadbExecutableCommentsAreReadAsTheCodeTheyAre() throws Exception {
        assumeFalse(db.isPostgres(), "executable comments are MariaDB's and MySQL's");
        try (Connection c = DriverManager.getConnection(appUrl()); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name /*!, email */) VALUES ('Erin' /*!, 'erin@example.com' */)");
            VeilException e = assertThrows(VeilException.class,
                    () -> s.executeQuery("SELECT id FROM customers WHERE name = 'Erin' /*! OR email LIKE 'erin%' */"));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
        }
        List<String> stored = raw("SELECT email FROM customers WHERE name = 'Erin'");
        assertCiphertext(stored);
        assertFalse(stored.toString().contains("erin@"));
    }

    @Test
    void unsupportedShapesFailClosed() throws Exception {
        try (Connection c = DriverManager.getConnection(appUrl())) {
            VeilException e = assertThrows(VeilException.class, () -> c.prepareStatement("SELECT id FROM customers WHERE email LIKE ?"));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
        }
    }

    @Test
    void sqlWithoutEncryptedColumnsPassesThrough() throws Exception {
        try (Connection c = DriverManager.getConnection(appUrl()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO audit_log (message) VALUES ('hello')");
        }
        assertEquals(List.of("hello"), raw("SELECT message FROM audit_log"));
    }

    @Test
    void hikariPoolConnectionsAreProtectedOnce() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(appUrl());
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            for (int i = 0; i < 3; i++) {
                try (Connection c = pool.getConnection()) {
                    assertTrue(VeilConnections.isVeil(c));
                    update(c, "INSERT INTO customers (name, email) VALUES (?, ?)", "Pooled" + i, "pooled" + i + "@example.com");
                }
            }
        }
        // read through a different path than it was written: a doubly encrypted value would come back as ciphertext
        try (Connection c = DriverManager.getConnection(appUrl())) {
            assertEquals("Pooled2", one(c, "SELECT name FROM customers WHERE email = ?", "pooled2@example.com"));
        }
        assertCiphertext(raw("SELECT email FROM customers WHERE name LIKE 'Pooled%'"));
    }

    @Test
    void driverDataSourceConnectionsAreProtected() throws Exception {
        DataSource real;
        if (db.isPostgres()) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(db.url());
            real = pg;
        } else if (db.isMySqlDriver()) {
            com.mysql.cj.jdbc.MysqlDataSource my = new com.mysql.cj.jdbc.MysqlDataSource();
            my.setUrl(db.url());
            real = my;
        } else {
            real = new org.mariadb.jdbc.MariaDbDataSource(db.url());
        }
        DataSource ds = appDataSource(real);
        try (Connection c = ds.getConnection()) {
            assertTrue(VeilConnections.isVeil(c));
            update(c, "INSERT INTO customers (name, email) VALUES (?, ?)", "Dora", "dora@example.com");
        }
        try (Connection c = DriverManager.getConnection(appUrl())) {
            assertEquals("Dora", one(c, "SELECT name FROM customers WHERE email = ?", "dora@example.com"));
        }
        assertCiphertext(raw("SELECT email FROM customers WHERE name = 'Dora'"));
    }
}
