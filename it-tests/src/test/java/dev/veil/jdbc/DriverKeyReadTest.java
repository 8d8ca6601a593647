package dev.veil.jdbc;

import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first {@code jdbc:veil:} connection of a policy reads the key rings through itself
 * ({@link Runtimes.Runtime#readKeys}) before it is handed over, and is handed over as pgjdbc gave
 * it: auto-commit on, no transaction open, the default isolation, no warnings. A key table that
 * does not exist is not created by that read; the first encryption creates it as before.
 */
class DriverKeyReadTest {
    static TestDatabase db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE TABLE visits (id INT, email TEXT)");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    @AfterEach
    void closeRuntimes() {
        Runtimes.closeAll();
    }

    private static String veilUrl(Path policy, String keyTable) throws Exception {
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(policy.getParent()), "store: { table: " + keyTable + " }")
                + "tables:\n  visits:\n    email: randomized\n");
        return "jdbc:veil:" + db.url().substring("jdbc:".length()) + (db.url().contains("?") ? "&" : "?") + "veil.policy=" + policy;
    }

    private static Runtimes.Runtime runtime(Path policy) throws Exception {
        return Runtimes.forPolicy(policy.toString(), null, null, null); // built by the connection already
    }

    /** Asserts the connection is as pgjdbc hands out a new one. */
    private static void untouched(Connection c) throws Exception {
        assertTrue(c.getAutoCommit());
        assertNull(c.getWarnings());
        try (Connection raw = db.connect()) {
            assertEquals(raw.getTransactionIsolation(), c.getTransactionIsolation());
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_current_xact_id_if_assigned(), "
                + "(SELECT state FROM pg_catalog.pg_stat_activity WHERE pid = pg_catalog.pg_backend_pid())")) {
            assertTrue(rs.next());
            assertNull(rs.getObject(1));
            assertEquals("active", rs.getString(2));
        }
    }

    @Test
    void theFirstConnectionReadsTheKeyRingsThroughItselfAndIsHandedOverUntouched(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        String url = veilUrl(policy, "veil_keys_read");
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("INSERT INTO visits VALUES (1, ?)")) {
            ps.setString(1, "ada@example.org"); // writes the ring's first key
            ps.executeUpdate();
        }
        Runtimes.closeAll();

        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(1, runtime(policy).veil().keys().cachedKeys(), "the key was not read before the connection was handed over");
            untouched(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT email FROM visits WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("ada@example.org", rs.getString(1));
            }
        }
    }

    @Test
    void aMissingKeyTableIsLeftMissingAndTheFirstEncryptionCreatesIt(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        String url = veilUrl(policy, "veil_keys_missing");
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(0, runtime(policy).veil().keys().cachedKeys());
            untouched(c);
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT to_regclass('veil_keys_missing')")) {
                assertTrue(rs.next());
                assertNull(rs.getString(1), "reading the keys created the key table");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO visits VALUES (2, ?)")) {
                ps.setString(1, "alan@example.org");
                ps.executeUpdate();
            }
            assertEquals(1, runtime(policy).veil().keys().store().ring("default").size());
            assertFalse(c.isClosed());
        }
    }
}
