package dev.veil.it.keys;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The table the key tests write and read through Veil, one data class per ring: e-mail (default
 * ring, deterministic), national id (ring national-id), card number (ring payment, binary).
 * Each {@link #instance} is a separately started application: its own policy file, so its own
 * engine with an empty key cache.
 */
final class People {
    static final String DDL = "CREATE TABLE people (id INT PRIMARY KEY, name TEXT, email TEXT, national_id TEXT, card BYTEA)";
    static final String TABLES = """
            tables:
              people:
                email: { mode: deterministic }
                national_id: { mode: randomized, key: national-id }
                card: { mode: randomized, type: bytes, key: payment, storage: binary }
            """;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private People() {
    }

    /** Writes {@code policyText} to a new file: a new application instance (a restart). */
    static Path instance(Path dir, String policyText) throws Exception {
        Path p = dir.resolve("policy-" + INSTANCES.incrementAndGet() + ".yaml");
        Files.writeString(p, policyText);
        return p;
    }

    static Connection connect(TestDatabase db, Path policy) throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
    }

    static void insert(TestDatabase db, Path policy, int id, String name) throws SQLException {
        try (Connection c = connect(db, policy);
             PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, name, email, national_id, card) VALUES (?, ?, ?, ?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, name);
            ps.setString(3, name.toLowerCase() + "@example.com");
            ps.setString(4, "NID-" + id);
            ps.setBytes(5, ("4111-" + id).getBytes());
            ps.executeUpdate();
        }
    }

    /** id → "email|national_id|card" as the application reads them. */
    static Map<Integer, String> read(TestDatabase db, Path policy) throws SQLException {
        Map<Integer, String> rows = new LinkedHashMap<>();
        try (Connection c = connect(db, policy);
             ResultSet rs = c.createStatement().executeQuery("SELECT id, email, national_id, card FROM people ORDER BY id")) {
            while (rs.next()) {
                byte[] card = rs.getBytes(4);
                rows.put(rs.getInt(1), rs.getString(2) + "|" + rs.getString(3) + "|" + (card == null ? null : new String(card)));
            }
        }
        return rows;
    }

    static String expected(int id, String name) {
        return name.toLowerCase() + "@example.com|NID-" + id + "|4111-" + id;
    }
}
