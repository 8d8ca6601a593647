package dev.veil.it;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.it.catalog.ServerLog;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.PgConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opaque server-side code, DDL, whole-row references, COPY and unwrap on the real PostgreSQL: what
 * must be refused is refused before the server sees it (the server logs every statement of the test
 * database, and the log is searched for each case's marker), no marker reaches a table, and the
 * shapes that stay allowed return the right rows.
 */
class RefusedOnProtectedRelationsTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static String url;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        ShopSchema.create(db);
        url = ShopSchema.veilUrl(db, ShopSchema.policy(dir));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    /** A value no statement of this run holds except where a case puts it. */
    static String marker() {
        return "vmk" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Asserts the server never received the marker (but did log this test's probe) and no table holds it. */
    static void neverSent(ServerLog log, String marker, String probe) throws Exception {
        Thread.sleep(300);
        assertTrue(log.statements().contains(probe), "the server log does not show this test's statements");
        log.assertNeverSent(marker);
        try (Connection raw = RawConnections.open(db.url()); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers c WHERE c::text LIKE '%" + marker + "%'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "a table holds the marker");
        }
    }

    /** Runs a statement the server logs, with a probe value: proof that the log check can fail. */
    static String probe(Connection c) throws SQLException {
        String probe = marker();
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 'probe-" + probe + "'");
        }
        return "probe-" + probe;
    }

    static VeilException refused(Connection c, String sql, String... fragments) {
        VeilException e = assertThrows(VeilException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }, sql);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
        return e;
    }

    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    @Test
    void opaqueServerSideCodeNamingAnEncryptedTableIsRefused() throws Exception {
        String m = marker();
        ServerLog log = ServerLog.start(db);
        try (Connection c = DriverManager.getConnection(url)) {
            refused(c, "DO $$ BEGIN INSERT INTO customers (name, email) VALUES ('n', '" + m + "'); END $$", "DO block", "customers");
            refused(c, "DO $tag$ BEGIN UPDATE Customers SET ssn = '" + m + "'; END $tag$", "customers");
            refused(c, "DO E'BEGIN INSERT INTO customers (name, email) VALUES (''n'', ''" + m + "''); END'", "customers");
            refused(c, "DO $$ BEGIN EXECUTE 'INSERT INTO cust' || 'omers (name, email) VALUES (''n'', ''" + m + "'')'; END $$",
                    "dynamic SQL");
            refused(c, "PREPARE ins(text) AS INSERT INTO customers (name, email) VALUES ('n', $1)", "PREPARE");
            refused(c, "EXECUTE ins('" + m + "')", "EXECUTE");
            refused(c, "CREATE FUNCTION leak(e text) RETURNS void LANGUAGE sql AS $$ INSERT INTO customers (name, email) VALUES ('n', e) $$",
                    "function");
            refused(c, "CREATE RULE r AS ON INSERT TO audit_log DO ALSO INSERT INTO customers (name, email) VALUES ('n', NEW.message)",
                    "rule");
            refused(c, "CREATE TRIGGER t BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION now()", "trigger");
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO audit_log (message) VALUES ('rule check')"); // would also write customers had the rule been created
                // the same shapes on plain tables run
                s.execute("DO $$ BEGIN INSERT INTO audit_log (message) VALUES ('from a DO block'); END $$");
                s.execute("PREPARE plain(text) AS INSERT INTO audit_log (message) VALUES ($1)");
                s.execute("EXECUTE plain('from EXECUTE')");
                s.execute("DEALLOCATE plain");
            }
            assertEquals(List.of("rule check", "from a DO block", "from EXECUTE"), rows(c, "SELECT message FROM audit_log ORDER BY id"));
            db.execute("DELETE FROM audit_log");
            neverSent(log, m, probe(c));
        }
    }

    @Test
    void ddlThatChangesWhatAnEncryptedColumnIsIsRefusedAndOtherDdlRuns() throws Exception {
        String m = marker();
        ServerLog log = ServerLog.start(db);
        try (Connection c = DriverManager.getConnection(url)) {
            refused(c, "ALTER TABLE customers ALTER COLUMN email SET DEFAULT '" + m + "'", "customers.email", "DROP DEFAULT");
            refused(c, "ALTER TABLE customers RENAME COLUMN email TO email2", "customers.email");
            refused(c, "ALTER TABLE customers RENAME TO clients", "customers");
            refused(c, "ALTER TABLE customers ALTER COLUMN ssn TYPE varchar(40)", "customers.ssn");
            refused(c, "ALTER TABLE customers ADD COLUMN e2 text GENERATED ALWAYS AS (lower(email)) STORED", "customers.email");
            refused(c, "CREATE INDEX ON customers (lower(email))", "customers.email");
            refused(c, "CREATE INDEX ON customers (name) WHERE email = '" + m + "'", "customers.email");
            refused(c, "CREATE TABLE leaked AS SELECT id, email FROM customers", "customers.email");
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE customers ALTER COLUMN tier SET DEFAULT 'bronze'");
                s.execute("ALTER TABLE customers ADD COLUMN nickname text DEFAULT 'none'");
                s.execute("ALTER TABLE customers ALTER COLUMN email SET DEFAULT NULL");
                s.execute("CREATE INDEX customers_email_idx ON customers (email)");
                s.execute("CREATE TABLE names_only AS SELECT id, name FROM customers");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
                ps.setString(1, "Dora");
                ps.setString(2, "dora@example.com");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, email, tier, nickname FROM customers WHERE email = ?")) {
                ps.setString(1, "dora@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Dora|dora@example.com|bronze|none",
                            rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP INDEX customers_email_idx");
                s.execute("DROP TABLE names_only");
                s.execute("ALTER TABLE customers DROP COLUMN nickname");
                s.execute("ALTER TABLE customers ALTER COLUMN tier DROP DEFAULT");
                s.execute("DELETE FROM customers WHERE name = 'Dora'");
            }
            neverSent(log, m, probe(c));
        }
    }

    @Test
    void wholeRowReferencesAreRefused() throws Exception {
        String m = marker();
        ServerLog log = ServerLog.start(db);
        try (Connection c = DriverManager.getConnection(url)) {
            refused(c, "SELECT id FROM customers c WHERE c::text LIKE '%" + m + "%'", "whole-row");
            refused(c, "SELECT id FROM customers c WHERE to_jsonb(c) @> '{\"email\": \"" + m + "\"}'", "whole-row");
            refused(c, "SELECT id FROM customers c WHERE row_to_json(c) ->> 'email' = '" + m + "'", "whole-row");
            refused(c, "SELECT id FROM customers c WHERE to_jsonb(c.*) ->> 'email' = '" + m + "'", "whole-row");
            assertEquals(List.of(), rows(c, "SELECT to_jsonb(a) FROM audit_log a"));
            neverSent(log, m, probe(c));
        }
    }

    @Test
    void copyThroughTheGuardedCopyApiEncryptsAndDecryptsTextAndCsv() throws Exception {
        String m = marker();
        ServerLog log = ServerLog.start(db);
        try (Connection c = DriverManager.getConnection(url)) {
            PGConnection pg = c.unwrap(PGConnection.class);
            assertFalse(pg instanceof Connection, "the unwrapped PGConnection must not be the driver's connection");
            CopyManager copy = pg.getCopyAPI();
            long loaded = copy.copyIn("COPY customers (name, email, ssn, birth_date) FROM STDIN",
                    new StringReader("Tab\t" + m + "-1@example.com\t123-45-6789\t1990-03-04\nNull\t\\N\t\\N\t\\N\n"));
            assertEquals(2, loaded);
            String csv = "name,email,ssn\n\"Quote, \"\"Q\"\"\"," + m + "-2@example.com,\"98\n76\"\n";
            assertEquals(1, copy.copyIn("COPY customers (name, email, ssn) FROM STDIN (FORMAT csv, HEADER)",
                    new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8))));
            try (PreparedStatement ps = c.prepareStatement("SELECT name, ssn, birth_date FROM customers WHERE email = ?")) {
                ps.setString(1, m + "-1@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Tab|123-45-6789|1990-03-04", rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
                }
                ps.setString(1, m + "-2@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Quote, \"Q\"|98\n76", rs.getString(1) + "|" + rs.getString(2));
                }
            }
            try (Connection raw = RawConnections.open(db.url())) {
                for (String stored : rows(raw, "SELECT email || '|' || ssn FROM customers WHERE name IN ('Tab', 'Quote, \"Q\"')")) {
                    assertTrue(stored.startsWith("vl1:") && stored.contains("|vl1:"), stored);
                }
                assertEquals(List.of("null|null|null"), rows(raw, "SELECT email, ssn, birth_date FROM customers WHERE name = 'Null'"));
            }
            // binary storage (bytea) through CSV
            assertEquals(1, copy.copyIn("COPY payments (card_token, amount) FROM STDIN (FORMAT csv)", new StringReader("\\x0a0b0c,1.50\n")));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT card_token FROM payments WHERE amount = 1.50")) {
                assertTrue(rs.next());
                assertArrayEquals(new byte[] {10, 11, 12}, rs.getBytes(1));
            }

            // out: a table in text, a query in CSV whose literal is encrypted before it is sent
            StringWriter text = new StringWriter();
            copy.copyOut("COPY customers (name, email, birth_date) TO STDOUT", text);
            assertTrue(text.toString().contains("Tab\t" + m + "-1@example.com\t1990-03-04\n"), text.toString());
            assertTrue(text.toString().contains("Null\t\\N\t\\N\n"), text.toString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy.copyOut("COPY (SELECT name, ssn FROM customers WHERE email = '" + m + "-2@example.com') TO STDOUT (FORMAT csv, HEADER)", out);
            assertEquals("name,ssn\n\"Quote, \"\"Q\"\"\",\"98\n76\"\n", out.toString(StandardCharsets.UTF_8));

            // refused: binary, server files and programs, raw low-level streams, other unwraps
            assertRefused(() -> copy.copyIn("COPY customers (name, email) FROM STDIN (FORMAT binary)", new ByteArrayInputStream(new byte[0])), "binary");
            assertRefused(() -> copy.copyIn("COPY customers FROM '/tmp/" + m + ".csv'", new StringReader("")), "file");
            assertRefused(() -> copy.copyOut("COPY customers TO PROGRAM 'cat'", new StringWriter()), "program");
            assertRefused(() -> copy.copyIn("COPY customers (name, email) FROM STDIN"), "copyIn(String)");
            assertRefused(() -> copy.copyIn("COPY customers (name, email) FROM STDIN (FORCE_NULL (email), FORMAT csv)", new StringReader("")), "force_null");
            assertRefused(() -> pg.getFastpathAPI(), "getFastpathAPI");
            assertEquals(VeilState.UNSUPPORTED_SQL, ((VeilException) assertThrows(UnsupportedOperationException.class,
                    pg::getReplicationAPI).getCause()).state());
            assertRefused(() -> c.unwrap(PgConnection.class), "unwrap");
            assertRefused(() -> c.unwrap(BaseConnection.class), "unwrap");
            assertFalse(c.isWrapperFor(BaseConnection.class));
            assertTrue(c.isWrapperFor(PGConnection.class));
            refused(c, "COPY customers (name, email) FROM '/tmp/" + m + ".csv'", "COPY", "getCopyAPI");
            try (Statement s = c.createStatement()) {
                assertRefused(() -> s.unwrap(org.postgresql.jdbc.PgStatement.class), "unwrap");
                org.postgresql.PGStatement pgStatement = s.unwrap(org.postgresql.PGStatement.class);
                pgStatement.setPrepareThreshold(3);
                assertEquals(3, pgStatement.getPrepareThreshold());
                assertFalse(pgStatement instanceof Statement, "the unwrapped PGStatement must not be the driver's statement");
            }

            // plain tables copy unchanged, through every method
            assertEquals(1, copy.copyIn("COPY audit_log (message) FROM STDIN", new StringReader("copied\n")));
            StringWriter plain = new StringWriter();
            copy.copyOut("COPY audit_log (message) TO STDOUT", plain);
            assertEquals("copied\n", plain.toString());
            db.execute("DELETE FROM audit_log", "DELETE FROM payments");
            neverSent(log, m, probe(c));
            db.execute("DELETE FROM customers WHERE name IN ('Tab', 'Null', 'Quote, \"Q\"')");
        }
    }

    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }

    static void assertRefused(Call call, String fragment) {
        VeilException e = assertThrows(VeilException.class, call::run);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
