package dev.veil.it;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A column marked {@code migrating: true} returns legacy plaintext unchanged (multi-byte characters
 * included, which the text-as-bytes read path must decode as UTF-8) and encrypts every write.
 */
class MigrationReadModeTest {
    @TempDir
    static Path dir;
    static TestDatabase db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, ssn TEXT)",
                "INSERT INTO people VALUES (1, 'legacy1@example.com', '111'), (2, 'légacy2@example.com', '222 №')");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    @Test
    void legacyPlaintextIsReadAndNewWritesAreEncrypted() throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                tables:
                  people:
                    email: { mode: deterministic, migrating: true }
                    ssn: { mode: randomized, migrating: true }
                """);
        try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy))) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people VALUES (?, ?, ?)")) {
                ps.setInt(1, 3);
                ps.setString(2, "new3@example.com");
                ps.setString(3, "333");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET ssn = ? WHERE id = ?")) {
                ps.setString(1, "111-updated");
                ps.setInt(2, 1);
                ps.executeUpdate();
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT id, email, ssn FROM people ORDER BY id")) {
                StringBuilder seen = new StringBuilder();
                while (rs.next()) {
                    seen.append(rs.getInt(1)).append('|').append(rs.getString(2)).append('|').append(rs.getString(3)).append('\n');
                }
                assertEquals("1|legacy1@example.com|111-updated\n2|légacy2@example.com|222 №\n3|new3@example.com|333\n", seen.toString());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ?")) {
                ps.setString(1, "new3@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), "lookups find encrypted rows (legacy rows match once migrated)");
                    assertEquals(3, rs.getInt(1));
                }
            }
        }
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT id, email, ssn FROM people ORDER BY id")) {
            assertTrue(rs.next());
            assertEquals("legacy1@example.com", rs.getString(2), "untouched legacy value stays until the migration job runs");
            assertTrue(rs.getString(3).startsWith("vl1:"), "the updated value is encrypted");
            assertTrue(rs.next());
            assertEquals("222 №", rs.getString(3));
            assertTrue(rs.next());
            assertTrue(rs.getString(2).startsWith("vl1:") && rs.getString(3).startsWith("vl1:"));
        }
    }
}
