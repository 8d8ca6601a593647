package dev.veil.it.catalog;

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
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static dev.veil.it.catalog.NameResolutionTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Veil finds the relations of a policy table whatever the database's locale: in a database created
 * with {@code LC_CTYPE 'C'}, PostgreSQL's {@code lower()} leaves non-ASCII letters alone, and a
 * catalog reading that compared {@code lower(relname)} with the policy's names missed a policy
 * table named with one, so a view over it was not protected and a write through the view stored
 * plaintext.
 */
class CatalogLocaleTest {
    @TempDir
    Path dir;
    TestDatabase db;
    ServerLog log;
    String url;
    final String marker = "mk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres(" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        db.execute("CREATE TABLE \"Été\" (id SERIAL PRIMARY KEY, name TEXT, email TEXT)",
                "CREATE VIEW v_ete AS SELECT id, name, email FROM \"Été\"",
                "CREATE TABLE \"ÉtéKid\" () INHERITS (\"Été\")",
                "CREATE TABLE \"Orders\" (id SERIAL PRIMARY KEY, email TEXT)",
                "CREATE VIEW v_orders AS SELECT id, email FROM \"Orders\"");
        log = ServerLog.start(db);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                tables:
                  '"Été"':
                    email: deterministic
                  orders:
                    email: deterministic
                """);
        url = ShopSchema.veilUrl(db, policy);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    @Test
    void viewsAndChildrenOfANonAsciiPolicyTableAreProtectedInACDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            for (String target : List.of("\"Été\"", "v_ete", "\"ÉtéKid\"", "\"Orders\"", "v_orders")) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + target + " (email) VALUES (?)")) {
                    ps.setString(1, marker + "@" + target.replace("\"", "").toLowerCase(java.util.Locale.ROOT) + ".example");
                    ps.executeUpdate();
                }
            }
            assertEquals(List.of(marker + "@v_ete.example"), rows(c, "SELECT email FROM v_ete WHERE email = ?", marker + "@v_ete.example"));
        }
        try (Connection raw = db.connect(); Statement s = raw.createStatement()) {
            for (String table : List.of("\"Été\"", "\"Orders\"")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE email LIKE 'vl1:%') FROM " + table)) {
                    rs.next();
                    assertTrue(rs.getInt(1) >= 2, table);
                    assertEquals(rs.getInt(1), rs.getInt(2), "every value in " + table + " is an envelope");
                }
            }
        }
        log.assertNeverSent(marker);
    }
}
