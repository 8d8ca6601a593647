package dev.veil.it.catalog;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On MariaDB an unqualified name means the table in the current database ({@code USE} followed),
 * even when another database that sorts first has a table of the same name; a view over an
 * encrypted table reads like it. A statement prepared before a {@code USE} is refused when it runs
 * after it, as its names were resolved in the other database.
 */
class MariaDbNameResolutionTest {
    @TempDir
    Path dir;

    @Test
    void theCurrentDatabaseDecidesNotTheFirstDatabaseAlphabetically() throws Exception {
        try (TestDatabase db = TestDatabase.mariadbOrNull(); TestDatabase other = TestDatabase.mariadbOrNull()) {
            assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
            String marker = "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            // whichever of the two sorts first, each has its own column order
            db.execute("CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email TEXT)",
                    "CREATE VIEW v_cust AS SELECT id, email FROM customers");
            other.execute("CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, x TEXT, email TEXT)");
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + "tables:\n  customers:\n    email: deterministic\n");
            try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy))) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                    ps.setString(1, marker);
                    ps.executeUpdate();
                }
                assertEquals(List.of("1|" + marker), rows(c, "SELECT * FROM customers"));
                assertEquals(List.of("1"), rows(c, "SELECT id FROM customers WHERE email = ?", marker));
                assertEquals(List.of("1|" + marker), rows(c, "SELECT * FROM v_cust"));
                assertEquals(List.of("1"), rows(c, "SELECT id FROM v_cust WHERE email = ?", marker));
                assertEquals(List.of(marker), rows(c, "SELECT email FROM v_cust"));
                try (Statement s = c.createStatement()) {
                    s.execute("USE " + other.name());
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, 'x', ?)")) {
                    ps.setString(1, marker + "-other");
                    ps.executeUpdate();
                }
                assertEquals(List.of("1|x|" + marker + "-other"), rows(c, "SELECT * FROM customers"));
            }
            for (TestDatabase d : List.of(db, other)) {
                try (Connection raw = d.connect()) {
                    List<String> stored = rows(raw, "SELECT email FROM customers");
                    assertEquals(1, stored.size());
                    assertTrue(stored.get(0).startsWith("vl1:"), "stored as ciphertext in " + d.name());
                }
            }
        }
    }

    @Test
    void aStatementPreparedBeforeUseIsRefusedAfterIt() throws Exception {
        try (TestDatabase db = TestDatabase.mariadbOrNull(); TestDatabase other = TestDatabase.mariadbOrNull()) {
            assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
            db.execute("CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email TEXT)");
            other.execute("CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, x TEXT, email TEXT)");
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + "tables:\n  customers:\n    email: deterministic\n");
            try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
                 PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (DEFAULT, ?)")) {
                for (int i = 0; i < 3; i++) {
                    ps.setString(1, "a" + i + "@example.com");
                    assertEquals(1, ps.executeUpdate(), "runs again and again while the database stays");
                }
                try (Statement s = c.createStatement()) {
                    s.execute("USE " + other.name());
                }
                ps.setString(1, "b@example.com");
                SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
                assertEquals("VE006", e.getSQLState());
                assertTrue(e.getMessage().contains("prepare it again"), e.getMessage());
                try (Statement s = c.createStatement()) {
                    s.execute("USE " + db.name());
                }
                ps.setString(1, "c@example.com");
                assertEquals(1, ps.executeUpdate(), "back in the database it was prepared in");
            }
            try (Connection raw = other.connect()) {
                assertEquals(List.of(), rows(raw, "SELECT email FROM customers"));
            }
            try (Connection raw = db.connect()) {
                assertEquals(4, rows(raw, "SELECT email FROM customers").size());
            }
        }
    }
}
