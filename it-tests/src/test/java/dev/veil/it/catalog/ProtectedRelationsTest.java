package dev.veil.it.catalog;

import dev.veil.VeilState;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static dev.veil.it.catalog.NameResolutionTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relation that can carry an encrypted column's values is protected, as the catalog says:
 * views over an encrypted table read, compare and write like the table; a view Veil cannot map is
 * refused; inheritance children and partitions (also one created after the engine started, through
 * Veil or elsewhere) are encrypted like their parent. The marker never reaches a table or the server.
 */
class ProtectedRelationsTest {
    @TempDir
    Path dir;
    TestDatabase db;
    ServerLog log;
    String url;
    final String marker = "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT, email TEXT, ssn TEXT)",
                "CREATE VIEW v_cust AS SELECT * FROM customers",
                "CREATE VIEW v_mail AS SELECT id, email AS mail FROM customers WHERE id < 100",
                "CREATE VIEW v_mail_names AS SELECT m.mail, c.name FROM v_mail m JOIN customers c ON c.id = m.id",
                "CREATE VIEW v_upper AS SELECT id, upper(email) AS e FROM customers",
                "CREATE TABLE vip (level INT) INHERITS (customers)",
                "CREATE TABLE events (id INT, region TEXT, email TEXT) PARTITION BY LIST (region)",
                "CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu')");
        log = ServerLog.start(db);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                schema: { refresh-after: 1s }
                tables:
                  customers:
                    email: deterministic
                    ssn: randomized
                  events:
                    email: deterministic
                """);
        url = ShopSchema.veilUrl(db, policy);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    @Test
    void aPlainTextSeenBeforeIsPlannedAgainOnceTheCatalogIsDue() throws Exception {
        String later = "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        db.execute("CREATE TABLE notes (id SERIAL PRIMARY KEY, email TEXT)", "CREATE VIEW v_later AS SELECT id, email FROM notes");
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO v_later (email) VALUES (?)")) {
                ps.setString(1, "plain@example.com"); // a view over a table the policy does not name: sent as written
                ps.executeUpdate();
            }
            // elsewhere, the view comes to read the encrypted table
            db.execute("CREATE OR REPLACE VIEW v_later AS SELECT id, email FROM customers");
            Thread.sleep(1_100); // schema.refresh-after: 1s
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO v_later (email) VALUES (?)")) {
                ps.setString(1, later + "@example.com");
                ps.executeUpdate();
            }
            assertEquals(List.of(later + "@example.com"), rows(c, "SELECT email FROM customers"));
        }
        try (Connection raw = db.connect()) {
            assertEquals(List.of("true"), rows(raw, "SELECT (email LIKE 'vl1:%')::text FROM customers"), "stored as an envelope");
        }
        log.assertNeverSent(later);
    }

    @Test
    void simpleViewsReadCompareAndWriteLikeTheirTable() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO v_cust (name, email, ssn) VALUES (?, ?, ?)")) {
                ps.setString(1, "Ann");
                ps.setString(2, marker + "@example.com");
                ps.setString(3, marker + "-ssn");
                ps.executeUpdate();
            }
            assertEquals(List.of("1|Ann|" + marker + "@example.com|" + marker + "-ssn"), rows(c, "SELECT * FROM v_cust"));
            assertEquals(List.of("Ann"), rows(c, "SELECT name FROM v_cust WHERE email = ?", marker + "@example.com"));
            assertEquals(List.of("1|" + marker + "@example.com"), rows(c, "SELECT * FROM v_mail WHERE mail = ?", marker + "@example.com"));
            assertEquals(List.of(marker + "@example.com|Ann"), rows(c, "SELECT mail, name FROM v_mail_names"));
            try (PreparedStatement ps = c.prepareStatement("UPDATE v_mail SET mail = ? WHERE id = 1")) {
                ps.setString(1, marker + "@example.org");
                ps.executeUpdate();
            }
            assertEquals(List.of(marker + "@example.org"), rows(c, "SELECT email FROM customers"));
            SQLException e = assertThrows(SQLException.class, () -> rows(c, "SELECT * FROM v_upper"));
            assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState());
            assertTrue(e.getMessage().contains("v_upper"), e.getMessage());
        }
        assertStoredEncrypted("SELECT email FROM customers", "SELECT ssn FROM customers");
        log.assertNeverSent(marker);
    }

    @Test
    void inheritanceChildrenAndPartitionsAreEncryptedLikeTheirParent() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vip (name, email, ssn, level) VALUES ('Vi', ?, ?, 3)")) {
                ps.setString(1, marker + "-vip");
                ps.setString(2, marker + "-vipssn");
                ps.executeUpdate();
            }
            assertEquals(List.of("Vi|" + marker + "-vipssn"), rows(c, "SELECT name, ssn FROM customers WHERE email = ?", marker + "-vip"));
            assertEquals(List.of(marker + "-vip|3"), rows(c, "SELECT email, level FROM vip"));

            insertEvent(c, "events", 1, "eu");
            insertEvent(c, "events_eu", 2, "eu");
            // created through Veil after the engine started: known before the next statement
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us')");
            }
            insertEvent(c, "events_us", 3, "us");
            // created elsewhere: known once schema.refresh-after (1 s) has passed
            db.execute("CREATE TABLE events_ap PARTITION OF events FOR VALUES IN ('ap')");
            Thread.sleep(1_100);
            insertEvent(c, "events_ap", 4, "ap");
            assertEquals(List.of("1|" + marker + "-e1", "2|" + marker + "-e2", "3|" + marker + "-e3", "4|" + marker + "-e4"),
                    rows(c, "SELECT id, email FROM events ORDER BY id"));
            assertEquals(List.of("3"), rows(c, "SELECT id FROM events_us WHERE email = ?", marker + "-e3"));
        }
        assertStoredEncrypted("SELECT email FROM vip", "SELECT ssn FROM vip", "SELECT email FROM events");
        log.assertNeverSent(marker);
    }

    private void insertEvent(Connection c, String table, int id, String region) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, region);
            ps.setString(3, marker + "-e" + id);
            ps.executeUpdate();
        }
    }

    private void assertStoredEncrypted(String... queries) throws SQLException {
        try (Connection raw = db.connect()) {
            for (String q : queries) {
                List<String> values = rows(raw, q);
                assertTrue(!values.isEmpty(), q + ": rows were written");
                for (String v : values) {
                    assertTrue(v.startsWith("vl1:"), q + ": stored as ciphertext");
                }
            }
        }
    }
}
