package dev.veil.it.agentmode;

import dev.veil.it.RawConnections;
import dev.veil.it.behaviour.EncryptionBehaviourSuite;
import dev.veil.it.search.SearchFixture;
import dev.veil.jdbc.VeilConnections;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Searches in a JVM started with {@code -javaagent:veil-agent.jar}: an application on the plain
 * {@code jdbc:postgresql:} URL writes searchable rows and searches them by prefix, range and with
 * a predicate the index over-matches on a column it does not select (Veil filters through a
 * column it appends and hides), and gets the rows PostgreSQL gives on a plaintext copy.
 */
class AgentModeSearchTest {
    static TestDatabase db;
    static Connection raw;
    static Connection app;

    @BeforeAll
    static void setUp() throws Exception {
        Path policy = AgentMode.policyPath();
        Files.createDirectories(policy.getParent());
        Files.deleteIfExists(policy.getParent().resolve("master.p12")); // agent-mode JVMs share one directory
        SearchFixture.policy(policy, EncryptionBehaviourSuite.MATCH_TEST_DATABASES);
        db = TestDatabase.postgres();
        raw = RawConnections.open(db.url());
        assertFalse(VeilConnections.isVeil(raw));
        SearchFixture.createTables(raw, policy);
        app = DriverManager.getConnection(db.url());
        assertTrue(VeilConnections.isVeil(app), "the agent protects the application's plain URL");
        SearchFixture.fill(app, raw, 1500);
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (TestDatabase d = db; Connection r = raw; Connection a = app) {
            // closes the application's connection, the raw one, then drops the database
        }
    }

    /** {@code sql} (with {@code %s} for the table) on people through the agent gives the plaintext copy's rows, and some. */
    private static void same(String sql, Object... params) throws SQLException {
        List<String> expected = SearchFixture.rows(raw, sql.formatted("people_plain"), params);
        assertFalse(expected.isEmpty(), sql);
        assertEquals(expected, SearchFixture.rows(app, sql.formatted("people"), params), sql + " " + List.of(params));
    }

    @Test
    void prefixSearch() throws Exception {
        for (String pattern : List.of("Dav%", "Smith%", "Müll%", "李%", "O'%")) {
            same("SELECT id, last_name FROM %s WHERE last_name LIKE ? ORDER BY id", pattern);
        }
        same("SELECT id, last_name FROM %s WHERE last_name LIKE 'Davi%%' ORDER BY id");
        same("SELECT id, last_name FROM %s WHERE lower(last_name) = lower(?) ORDER BY id", "SMITH");
    }

    @Test
    void rangeSearch() throws Exception {
        same("SELECT id, born FROM %s WHERE born BETWEEN ? AND ? ORDER BY id", LocalDate.of(1971, 3, 9), LocalDate.of(1975, 12, 31));
        same("SELECT id, amount FROM %s WHERE amount > ? ORDER BY id", 95_000L);
        same("SELECT id, amount FROM %s WHERE amount <= ? ORDER BY id", -97_000L);
    }

    @Test
    void searchOnAColumnTheQueryDoesNotSelect() throws Exception {
        for (String pattern : List.of("Davidsonsworth%", "Da_i%")) {
            same("SELECT id FROM %s WHERE last_name LIKE ? ORDER BY id", pattern);
        }
        same("SELECT id FROM %s WHERE email LIKE ? ORDER BY id", "%exa_mple%");
        same("SELECT id FROM %s WHERE born < ? ORDER BY id", LocalDate.of(1951, 1, 1));
        try (PreparedStatement ps = app.prepareStatement("SELECT id FROM people WHERE email LIKE ? ORDER BY id")) {
            ps.setString(1, "%ple.o%");
            assertEquals(1, ps.getMetaData().getColumnCount());
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(1, rs.getMetaData().getColumnCount());
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void companionColumnsHoldOnlyTokens() throws Exception {
        for (int id : new int[] {1, 2, 500}) {
            SearchFixture.assertOnlyTokens(raw, id);
        }
    }
}
