package dev.veil.it;

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
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An application keeps running while its table's columns move: {@code INSERT} without a column
 * list and {@code SELECT *} were planned from the old column order, and a stale plan would encrypt
 * the wrong parameter and send the e-mail as plaintext. DDL run through Veil is seen at once; DDL
 * run elsewhere once {@code schema.refresh-after} (1 s here) has passed. On PostgreSQL and MariaDB.
 */
class SchemaChangeTest {
    private static final String INSERT = "INSERT INTO people VALUES (?, ?, ?)";

    @TempDir
    Path dir;

    @Test
    void onPostgres() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            plansFollowTheColumnsWhetherTheDdlRanThroughVeilOrElsewhere(db);
        }
    }

    @Test
    void onMariaDb() throws Exception {
        try (TestDatabase db = TestDatabase.mariadbOrNull()) {
            assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
            plansFollowTheColumnsWhetherTheDdlRanThroughVeilOrElsewhere(db);
        }
    }

    private void plansFollowTheColumnsWhetherTheDdlRanThroughVeilOrElsewhere(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, email TEXT)");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                schema: { refresh-after: 1s }
                tables:
                  people:
                    email: deterministic
                """);
        try (Connection app = DriverManager.getConnection(ShopSchema.veilUrl(db, policy))) {
            insert(db, app, 1, "Ann", "ann@example.com");
            assertEquals("1|Ann|ann@example.com\n", everyone(app));

            // elsewhere (a migration tool, another instance): email moves to the second position (names are lost)
            db.execute("ALTER TABLE people DROP COLUMN name", "ALTER TABLE people ADD COLUMN name TEXT");
            Thread.sleep(1_100);
            insert(db, app, 2, "bob@example.com", "Bob");
            assertEquals("1|ann@example.com|null\n2|bob@example.com|Bob\n", everyone(app));

            // through Veil: email moves to the third position again (e-mails are lost), and the next statement knows
            try (Connection ops = DriverManager.getConnection(ShopSchema.veilUrl(db, policy))) {
                ops.createStatement().execute("ALTER TABLE people DROP COLUMN email");
                ops.createStatement().execute("ALTER TABLE people ADD COLUMN email TEXT");
            }
            insert(db, app, 3, "Cy", "cy@example.com");
            assertEquals("1|null|null\n2|Bob|null\n3|Cy|cy@example.com\n", everyone(app));
        }
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT id, email FROM people WHERE email IS NOT NULL")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getInt(1));
            assertTrue(rs.getString(2).startsWith("vl1:"), "stored as ciphertext");
        }
    }

    /** Binds the three values in the order the application believes the columns to be. */
    private static void insert(TestDatabase db, Connection c, int id, String second, String third) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setInt(1, id);
            ps.setString(2, second);
            ps.setString(3, third);
            ps.executeUpdate();
        }
        try (Connection raw = db.connect(); PreparedStatement ps = raw.prepareStatement("SELECT email FROM people WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("vl1:"), "row " + id + ": the e-mail reached the table as plaintext");
            }
        }
    }

    private static String everyone(Connection c) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM people ORDER BY id")) {
            while (rs.next()) {
                out.append(rs.getInt(1)).append('|').append(rs.getString(2)).append('|').append(rs.getString(3)).append('\n');
            }
        }
        return out.toString();
    }
}
