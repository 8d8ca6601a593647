package dev.veil.it;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once warm, Veil sends MariaDB exactly the statements the application sends: no per-statement
 * {@code sql_mode}, current-database or catalog query. Counted by the server's own session
 * counters, read through the same connection.
 */
class MariaDbRoundTripsTest {
    @TempDir
    Path dir;

    private static Map<String, Long> counters(Connection c) throws SQLException {
        Map<String, Long> m = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS WHERE Variable_name IN "
                + "('Questions', 'Com_select', 'Com_insert', 'Com_update', 'Com_stmt_prepare', 'Com_stmt_execute', 'Com_show_fields', 'Com_show_keys')")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getLong(2));
            }
        }
        return m;
    }

    /** What the server counted for ten rounds of the OLTP shapes, after three rounds of warm-up. */
    private static Map<String, Long> tenRounds(String url, int base) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            for (int i = 0; i < 3; i++) {
                round(c, base + i);
            }
            Map<String, Long> before = counters(c);
            for (int i = 10; i < 20; i++) {
                round(c, base + i);
            }
            Map<String, Long> after = counters(c);
            after.replaceAll((k, v) -> v - before.get(k));
            return after;
        }
    }

    private static void round(Connection c, int i) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
            ps.setString(1, "n" + i);
            ps.setString(2, "e" + i + "@example.com");
            ps.setString(3, "s" + i);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT name, email, ssn FROM customers WHERE name = ?")) {
            ps.setString(1, "n" + i);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getString(2);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, ssn FROM customers WHERE email = ?")) {
            ps.setString(1, "e" + i + "@example.com");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getString(2);
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE customers SET phone = '+1 555 0100' WHERE name = 'n" + i + "'");
        }
    }

    @Test
    void veilAddsNoStatementOfItsOwnPerApplicationStatement() throws Exception {
        try (TestDatabase db = TestDatabase.mariadbOrNull()) {
            assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
            ShopSchema.create(db);
            Map<String, Long> veil = tenRounds(ShopSchema.veilUrl(db, ShopSchema.policy(dir)), 0);
            Map<String, Long> raw = tenRounds(db.url(), 100);
            assertEquals(40L + 1, raw.get("Questions"), raw.toString()); // and the counters' own SHOW
            assertEquals(raw, veil);
        }
    }
}
