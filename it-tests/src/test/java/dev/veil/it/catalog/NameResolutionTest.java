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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Table names resolve the way PostgreSQL resolves them on each connection: a same-named table in
 * a schema that sorts first, {@code SET search_path} (also {@code SET LOCAL} rolled back), one
 * schema per tenant with the same tables, and temporary tables. Every case proves on the real
 * server that the marker value never reached a table or the server as plaintext.
 */
class NameResolutionTest {
    @TempDir
    Path dir;
    TestDatabase db;
    ServerLog log;
    final String marker = "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        log = ServerLog.start(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    private String url(String tables) throws Exception {
        Path policy = dir.resolve("policy-" + UUID.randomUUID() + ".yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + "tables:\n" + tables);
        return ShopSchema.veilUrl(db, policy);
    }

    @Test
    void anUnqualifiedNameMeansTheTableOnTheSearchPathNotTheFirstSchemaAlphabetically() throws Exception {
        db.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, email TEXT)",
                "CREATE SCHEMA aaa", "CREATE TABLE aaa.customers (id SERIAL PRIMARY KEY, x TEXT, email TEXT)");
        try (Connection c = DriverManager.getConnection(url("  customers:\n    email: deterministic\n"))) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                ps.setString(1, marker + "@example.com");
                ps.executeUpdate();
            }
            assertEquals(List.of("1|" + marker + "@example.com"), rows(c, "SELECT * FROM customers"));
            assertEquals(List.of("1"), rows(c, "SELECT id FROM customers WHERE email = ?", marker + "@example.com"));
        }
        assertStoredEncrypted("SELECT email FROM public.customers");
        log.assertNeverSent(marker);
    }

    @Test
    void aSchemaQualifiedPolicyEntryProtectsOnlyThatSchema() throws Exception {
        db.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, email TEXT)",
                "CREATE SCHEMA aaa", "CREATE TABLE aaa.customers (id SERIAL PRIMARY KEY, x TEXT, email TEXT)");
        try (Connection c = DriverManager.getConnection(url("  public.customers:\n    email: deterministic\n"))) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                ps.setString(1, marker + "@example.com");
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("SET search_path TO aaa, public");
            }
            // aaa.customers is not protected by a public.customers entry: its values stay as they are
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (x, email) VALUES ('x', ?)")) {
                ps.setString(1, "plain@example.com");
                ps.executeUpdate();
            }
            assertEquals(List.of("1|x|plain@example.com"), rows(c, "SELECT * FROM customers"));
            assertEquals(List.of("1|" + marker + "@example.com"), rows(c, "SELECT * FROM public.customers"));
        }
        assertStoredEncrypted("SELECT email FROM public.customers");
        try (Connection raw = db.connect()) {
            assertEquals(List.of("plain@example.com"), rows(raw, "SELECT email FROM aaa.customers"));
        }
        log.assertNeverSent(marker);
    }

    @Test
    void setSearchPathAndARolledBackSetLocalAreFollowed() throws Exception {
        db.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, email TEXT)",
                "CREATE SCHEMA aaa", "CREATE TABLE aaa.customers (id SERIAL PRIMARY KEY, x TEXT, email TEXT)");
        try (Connection c = DriverManager.getConnection(url("  customers:\n    email: deterministic\n"))) {
            String insert = "INSERT INTO customers VALUES (DEFAULT, ?, ?)";
            try (Statement s = c.createStatement()) {
                s.execute("SET search_path TO aaa, public");
            }
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, "x1");
                ps.setString(2, marker + "-1");
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("RESET search_path");
            }
            // two columns here: the three-column plan made under aaa must not be reused
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                ps.setString(1, marker + "-2");
                ps.executeUpdate();
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL search_path TO aaa");
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setString(1, "x3");
                    ps.setString(2, marker + "-3");
                    ps.executeUpdate();
                }
            }
            c.rollback();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                ps.setString(1, marker + "-4");
                ps.executeUpdate();
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
                s.execute("SET LOCAL search_path TO aaa");
                s.execute("ROLLBACK");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                ps.setString(1, marker + "-5");
                ps.executeUpdate();
            }
            assertEquals(List.of("1|" + marker + "-2", "2|" + marker + "-4", "3|" + marker + "-5"), rows(c, "SELECT * FROM customers ORDER BY id"));
            assertEquals(List.of("1|x1|" + marker + "-1"), rows(c, "SELECT * FROM aaa.customers ORDER BY id"));
        }
        assertStoredEncrypted("SELECT email FROM public.customers");
        assertStoredEncrypted("SELECT email FROM aaa.customers");
        log.assertNeverSent(marker);
    }

    @Test
    void aStatementPreparedUnderAnotherSearchPathIsRefused() throws Exception {
        db.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, email TEXT)",
                "CREATE SCHEMA aaa", "CREATE TABLE aaa.customers (id SERIAL PRIMARY KEY, x TEXT, email TEXT)");
        try (Connection c = DriverManager.getConnection(url("  public.customers:\n    email: deterministic\n"))) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (email) VALUES (?)")) {
                ps.setString(1, marker);
                c.setSchema("aaa");
                SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
                assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState());
            }
        }
        try (Connection raw = db.connect()) {
            assertEquals(List.of(), rows(raw, "SELECT email FROM aaa.customers"));
        }
        log.assertNeverSent(marker);
    }

    @Test
    void schemaPerTenantWithTheSameTablesGetsAPlanPerTenant() throws Exception {
        // the same table in each tenant's schema, its columns in another order in the second
        db.execute("CREATE SCHEMA t1", "CREATE TABLE t1.customers (id INT PRIMARY KEY, email TEXT, note TEXT)",
                "CREATE SCHEMA t2", "CREATE TABLE t2.customers (id INT PRIMARY KEY, note TEXT, email TEXT)");
        try (Connection c = DriverManager.getConnection(url("  customers:\n    email: deterministic\n"))) {
            for (int round = 0; round < 2; round++) {
                for (String tenant : List.of("t1", "t2")) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET search_path TO " + tenant);
                    }
                    boolean emailSecond = tenant.equals("t1");
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?)")) {
                        ps.setInt(1, round);
                        ps.setString(emailSecond ? 2 : 3, marker + "-" + tenant + round);
                        ps.setString(emailSecond ? 3 : 2, "note");
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
                        ps.setString(1, marker + "-" + tenant + round);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next(), tenant + " finds its row by the encrypted e-mail");
                            assertEquals(round, rs.getInt(1));
                        }
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("SET search_path TO t2");
            }
            assertEquals(List.of("0|note|" + marker + "-t20", "1|note|" + marker + "-t21"), rows(c, "SELECT * FROM customers ORDER BY id"));
        }
        assertStoredEncrypted("SELECT email FROM t1.customers");
        assertStoredEncrypted("SELECT email FROM t2.customers");
        log.assertNeverSent(marker);
    }

    @Test
    void aTemporaryTableShadowsTheTableOfTheSameName() throws Exception {
        db.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, email TEXT)");
        try (Connection c = DriverManager.getConnection(url("  customers:\n    email: deterministic\n"))) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE customers (id INT, note TEXT, email TEXT)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (7, 'n', ?)")) {
                ps.setString(1, marker);
                ps.executeUpdate();
            }
            assertEquals(List.of("7|n|" + marker), rows(c, "SELECT * FROM customers"));
            assertEquals(List.of("7"), rows(c, "SELECT id FROM customers WHERE email = ?", marker));
            assertEquals(List.of(), rows(c, "SELECT * FROM public.customers"));
        }
        log.assertNeverSent(marker);
    }

    private void assertStoredEncrypted(String query) throws SQLException {
        try (Connection raw = db.connect()) {
            List<String> values = rows(raw, query);
            assertTrue(!values.isEmpty(), "rows were written");
            for (String v : values) {
                assertTrue(v.startsWith("vl1:"), "stored as ciphertext");
            }
        }
    }

    static List<String> rows(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder b = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        b.append(i > 1 ? "|" : "").append(rs.getString(i));
                    }
                    out.add(b.toString());
                }
            }
            return out;
        }
    }
}
