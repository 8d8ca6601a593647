package dev.veil.it.search;

import dev.veil.VeilState;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Veil answers a search only while the database guarantees that every value of the column has its
 * search tokens: the guard constraint, exactly as {@code veil policy check --ddl} prints it,
 * validated, on every table of that name and every child beneath. A row stored without tokens (by
 * a process whose policy lacks the search, before the backfill) is otherwise missed by every
 * search without any error.
 */
class SearchGuardTest {
    static final String GUARD = "people_last_name_veil_tokens";
    static final String SEARCH = "SELECT id FROM people WHERE last_name LIKE ? ORDER BY id";

    @TempDir
    Path dir;
    TestDatabase db;
    Path searching;
    /** The same keys and table, without the search: a process not yet given the new policy. */
    Path stale;
    TablePolicy table;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        String keys = "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir));
        searching = dir.resolve("policy.yaml");
        Files.writeString(searching, keys + """
                tables:
                  people:
                    last_name: { mode: deterministic, search: [prefix, ci] }
                """);
        stale = dir.resolve("stale.yaml");
        Files.writeString(stale, keys + """
                tables:
                  people:
                    last_name: { mode: deterministic }
                """);
        table = PolicyLoader.load(searching).table(null, "people").orElseThrow();
        db.execute("CREATE TABLE people (id int PRIMARY KEY, last_name text)");
        db.execute(CompanionColumns.ddl(table).toArray(new String[0]));
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    private Connection veil(Path policy) throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
    }

    private void insert(Path policy, int id, String name) throws SQLException {
        try (Connection c = veil(policy); PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name) VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    /** Writes row {@code id}'s value again through Veil with the searching policy, with its tokens: what 'veil migrate' does. */
    private void rewrite(int id, String name) throws SQLException {
        try (Connection c = veil(searching); PreparedStatement ps = c.prepareStatement("UPDATE people SET last_name = ? WHERE id = ?")) {
            ps.setString(1, name);
            ps.setInt(2, id);
            assertEquals(1, ps.executeUpdate());
        }
    }

    /** The guard as the operator steps add it, validated. */
    private void guardInForce() throws SQLException {
        db.execute(CompanionColumns.guardDdl(table).toArray(new String[0]));
        db.execute(CompanionColumns.validateDdl(table).toArray(new String[0]));
    }

    private List<Integer> search(String pattern) throws SQLException {
        try (Connection c = veil(searching); PreparedStatement ps = c.prepareStatement(SEARCH)) {
            ps.setString(1, pattern);
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
            return ids;
        }
    }

    private SQLException refused(String pattern) {
        SQLException e = assertThrows(SQLException.class, () -> search(pattern));
        assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState(), e::getMessage);
        assertTrue(e.getMessage().startsWith("people.last_name: Veil answers a search only while the database guarantees that every "
                + "stored value has its search tokens, and "), e.getMessage());
        return e;
    }

    @Test
    void aRowStoredWithoutTokensIsNeverSilentlyMissed() throws Exception {
        insert(searching, 1, "Smith");
        insert(searching, 2, "Smithers");
        insert(stale, 3, "Smithson"); // stored encrypted, but without tokens
        assertTrue(refused("Smi%").getMessage().contains("people has no guard " + GUARD + " (add it with the DDL 'veil policy check "
                + "--ddl' prints)"));

        db.execute(CompanionColumns.guardDdl(table).toArray(new String[0]));
        SQLException blocked = assertThrows(SQLException.class, () -> insert(stale, 4, "Smithy"));
        assertEquals("23514", blocked.getSQLState(), "from now on the database refuses values without tokens");
        assertTrue(refused("Smi%").getMessage().contains("the guard " + GUARD + " on people is NOT VALID: rows written before it may "
                + "lack tokens; once 'veil migrate' has backfilled them, run ALTER TABLE people VALIDATE CONSTRAINT " + GUARD));
        SQLException early = assertThrows(SQLException.class, () -> db.execute(CompanionColumns.validateDdl(table).toArray(new String[0])));
        assertEquals("23514", early.getSQLState(), "row 3 has no tokens yet");

        rewrite(3, "Smithson");
        db.execute(CompanionColumns.validateDdl(table).toArray(new String[0]));
        assertEquals(List.of(1, 2, 3), search("Smi%"), "answered once the guard is in force, with no refusal remembered");
        assertEquals(List.of(3), search("Smiths%"));
    }

    @Test
    void aLiteralSearchAndTheAgentsPlainStatementsAreRefusedAlike() throws Exception {
        insert(searching, 1, "Smith");
        try (Connection c = veil(searching); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT id FROM people WHERE last_name LIKE 'Sm%'"));
            assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState());
            assertTrue(e.getMessage().contains("has no guard " + GUARD), e.getMessage());
            e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT id FROM people WHERE lower(last_name) = lower('SMITH')"));
            assertTrue(e.getMessage().contains("has no guard " + GUARD), e.getMessage());
            // equality on the deterministic column is not a search: it does not use the tokens
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM people WHERE last_name = 'Smith'")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void aConstraintThatRequiresLessServesOnlyWhatItRequires() throws Exception {
        insert(searching, 1, "Smith");
        db.execute("ALTER TABLE people ADD CONSTRAINT " + GUARD + " CHECK (last_name IS NULL OR last_name_veil_prefix IS NOT NULL)");
        assertEquals(List.of(1), search("Sm%"), "the prefix tokens are guaranteed");
        try (Connection c = veil(searching); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT id FROM people WHERE lower(last_name) = lower('x')"));
            assertTrue(e.getMessage().contains("the constraint " + GUARD + " on people is not the guard 'veil policy check --ddl' "
                    + "prints (it must require last_name_veil_ci wherever the value is not NULL)"), e.getMessage());
        }
        try (Connection c = veil(searching); Statement s = c.createStatement()) { // DDL through Veil: the guarantee read is forgotten
            s.execute("ALTER TABLE people DROP CONSTRAINT " + GUARD);
            s.execute("ALTER TABLE people ADD CONSTRAINT " + GUARD + " CHECK (last_name IS NULL OR last_name_veil_prefix IS NOT NULL "
                    + "OR last_name_veil_ci IS NOT NULL)");
        }
        assertTrue(refused("Sm%").getMessage().contains("is not the guard"), "a second OR requires nothing");
        db.execute("ALTER TABLE people DROP CONSTRAINT " + GUARD,
                "ALTER TABLE people ADD CONSTRAINT " + GUARD + " CHECK (last_name IS NULL OR (last_name_veil_prefix IS NOT NULL "
                        + "AND last_name_veil_ci IS NOT NULL)) NO INHERIT");
        assertTrue(refused("Sm%").getMessage().contains("is not the guard"), "NO INHERIT leaves children unguarded");
        db.execute("ALTER TABLE people DROP CONSTRAINT " + GUARD);
        guardInForce();
        assertEquals(List.of(1), search("Sm%"));
    }

    @Test
    void everyTableOfThatNameAndEveryChildNeedsItsGuard() throws Exception {
        insert(searching, 1, "Smith");
        guardInForce();
        // an unqualified policy table protects the tables of that name in every schema: each needs the guard
        db.execute("CREATE SCHEMA tenant", "CREATE TABLE tenant.people (id int PRIMARY KEY, last_name text, "
                + "last_name_veil_prefix bytea[], last_name_veil_ci bytea)");
        assertTrue(refused("Sm%").getMessage().contains("tenant.people has no guard " + GUARD));
        db.execute("ALTER TABLE tenant.people ADD CONSTRAINT " + GUARD + " CHECK (last_name IS NULL OR (last_name_veil_prefix IS NOT "
                + "NULL AND last_name_veil_ci IS NOT NULL)) NOT VALID");
        assertTrue(refused("Sm%").getMessage().contains("the guard " + GUARD + " on tenant.people is NOT VALID"));
        db.execute("ALTER TABLE tenant.people VALIDATE CONSTRAINT " + GUARD);
        // a child created without the guard of its own cannot exist: it inherits it, and a child with NO INHERIT on the parent is refused above
        db.execute("CREATE TABLE tenant.people_2025 () INHERITS (tenant.people)");
        assertEquals(List.of(1), search("Sm%"));
    }

    @Test
    void aPartitionedTableIsGuardedThroughEachOfItsPartitions() throws Exception {
        String columns = "(id int, last_name text, last_name_veil_prefix bytea[], last_name_veil_ci bytea)";
        db.execute("DROP TABLE people", "CREATE TABLE people " + columns + " PARTITION BY RANGE (id)",
                "CREATE TABLE people_low PARTITION OF people FOR VALUES FROM (0) TO (100)",
                "CREATE TABLE people_high PARTITION OF people FOR VALUES FROM (100) TO (1000) PARTITION BY RANGE (id)",
                "CREATE TABLE people_high_a PARTITION OF people_high FOR VALUES FROM (100) TO (1000)");
        insert(searching, 1, "Smith");
        insert(searching, 150, "Smithers");
        insert(stale, 2, "Smythe");
        db.execute(CompanionColumns.guardDdl(table).toArray(new String[0]));
        assertTrue(refused("Sm%").getMessage().contains("the guard " + GUARD + " on people is NOT VALID"));
        SQLException refusedRow = assertThrows(SQLException.class, () -> insert(stale, 160, "Smart"));
        assertEquals("23514", refusedRow.getSQLState(), "a sub-partition carries the guard: " + refusedRow.getMessage());
        SQLException early = assertThrows(SQLException.class, () -> db.execute(CompanionColumns.validateDdl(table).toArray(new String[0])));
        assertEquals("23514", early.getSQLState(), "the row written without tokens fails the validation");
        rewrite(2, "Smythe");
        db.execute(CompanionColumns.validateDdl(table).toArray(new String[0]));
        assertEquals(List.of(1, 2, 150), search("Sm%"));
        assertEquals(List.of(150), search("Smithe%"));
        // a partition attached later must carry the guard: PostgreSQL refuses one without it
        db.execute("CREATE TABLE people_more " + columns);
        SQLException attach = assertThrows(SQLException.class,
                () -> db.execute("ALTER TABLE people ATTACH PARTITION people_more FOR VALUES FROM (1000) TO (2000)"));
        assertTrue(attach.getMessage().contains("missing constraint"), attach.getMessage());
    }

    @Test
    void aMaterializedViewsCopyIsNotCoveredByTheGuardSoSearchesThroughItAreRefused() throws Exception {
        insert(stale, 1, "Smith");
        // refreshed before the backfill: its copy of row 1 has no tokens
        db.execute("CREATE MATERIALIZED VIEW people_mv AS SELECT id, last_name, last_name_veil_prefix, last_name_veil_ci FROM people",
                "CREATE VIEW people_mv_names AS SELECT id, last_name, last_name_veil_prefix FROM people_mv");
        rewrite(1, "Smith");
        guardInForce();
        assertEquals(List.of(1), search("Sm%"), "the table answers");
        for (String sql : List.of("SELECT id FROM people_mv WHERE last_name LIKE ?", "SELECT id FROM people_mv_names WHERE last_name LIKE ?",
                "SELECT s.id FROM (SELECT id, last_name, last_name_veil_prefix FROM people_mv) s WHERE s.last_name LIKE ?",
                "WITH m AS (SELECT * FROM people_mv) SELECT m.id FROM m WHERE m.last_name LIKE ?",
                "SELECT p.id FROM people p JOIN people_mv m ON m.id = p.id WHERE m.last_name LIKE ?")) {
            try (Connection c = veil(searching)) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, "Sm%");
                        ps.executeQuery().close();
                    }
                }, sql);
                assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState(), e::getMessage);
                assertTrue(e.getMessage().startsWith("people.last_name: LIKE through materialized view public.people_mv cannot be "
                        + "answered exactly: its rows are the copy its last REFRESH made"), sql + ": " + e.getMessage());
            }
        }
        try (Connection c = veil(searching)) {
            // the vendor route: pgjdbc's COPY API through Veil
            org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            SQLException e = assertThrows(SQLException.class, () -> copy.copyOut(
                    "COPY (SELECT id FROM people_mv WHERE last_name LIKE 'Sm%') TO STDOUT", new java.io.StringWriter()));
            assertTrue(e.getMessage().contains("through materialized view public.people_mv cannot be answered exactly"), e.getMessage());
        }
        try (Connection c = veil(searching); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, last_name FROM people_mv WHERE last_name = 'Smith'")) {
            assertTrue(rs.next(), "equality on the deterministic value needs no token");
            assertEquals("Smith", rs.getString(2));
        }
    }

    @Test
    void aCapabilityAddedLaterWaitsForItsOwnGuardWhileTheOthersGoOn() throws Exception {
        Path before = dir.resolve("prefix-only.yaml");
        Files.writeString(before, Files.readString(stale).replace("last_name: { mode: deterministic }",
                "last_name: { mode: deterministic, search: [prefix] }"));
        db.execute("ALTER TABLE people DROP COLUMN last_name_veil_ci");
        db.execute("ALTER TABLE people ADD CONSTRAINT " + GUARD + " CHECK (last_name IS NULL OR last_name_veil_prefix IS NOT NULL)");
        insert(before, 1, "Smith");
        insert(before, 2, "smithers");

        // ci is added: its column, the policy, then the new guard, while the old one stays in force under another name
        db.execute(CompanionColumns.ddl(table).toArray(new String[0]));
        db.execute("ALTER TABLE people RENAME CONSTRAINT " + GUARD + " TO people_last_name_veil_prefix_tokens");
        db.execute(CompanionColumns.guardDdl(table).toArray(new String[0]));
        assertEquals(List.of(1), search("Smi%"), "prefix searches go on under the old guard");
        try (Connection c = veil(searching); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id FROM people WHERE last_name LIKE 'Smi%' ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT id FROM people WHERE lower(last_name) = lower('SMITH')"));
            assertTrue(e.getMessage().contains("the guard " + GUARD + " on people is NOT VALID"), e.getMessage());
        }
        rewrite(1, "Smith");
        rewrite(2, "smithers");
        db.execute(CompanionColumns.validateDdl(table).toArray(new String[0]));
        db.execute("ALTER TABLE people DROP CONSTRAINT people_last_name_veil_prefix_tokens");
        try (Connection c = veil(searching); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM people WHERE lower(last_name) = lower('SMITHERS')")) {
            assertTrue(rs.next());
            assertEquals(2, rs.getInt(1));
        }
    }

    @Test
    void aQuotedMixedCaseTableOfThatNameNeedsItsGuardToo() throws Exception {
        insert(searching, 1, "Smith");
        guardInForce();
        // the unqualified policy name people protects "People" too (Veil compares names ignoring case)
        db.execute("CREATE SCHEMA crm", "CREATE TABLE crm.\"People\" (id int PRIMARY KEY, last_name text, "
                + "last_name_veil_prefix bytea[], last_name_veil_ci bytea)");
        assertTrue(refused("Sm%").getMessage().contains("crm.\"People\" has no guard " + GUARD));
    }

    @Test
    void aGuardDroppedThroughVeilIsSeenByTheNextStatement() throws Exception {
        insert(searching, 1, "Smith");
        guardInForce();
        try (Connection c = veil(searching)) {
            try (PreparedStatement ps = c.prepareStatement(SEARCH)) {
                ps.setString(1, "Sm%");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE people DROP CONSTRAINT " + GUARD);
            }
            SQLException e = assertThrows(SQLException.class, () -> c.prepareStatement(SEARCH));
            assertTrue(e.getMessage().contains("has no guard " + GUARD), e.getMessage());
        }
    }
}
