package dev.veil.it.jobs;

import dev.veil.Veil;
import dev.veil.it.keys.Cli;
import dev.veil.policy.PolicyLoader;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchTokens;
import dev.veil.search.VersionTokens;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Search as an operator sets it up: {@code veil policy check --ddl} prints the companion columns'
 * DDL, {@code veil migrate} encrypts legacy plaintext with its tokens and backfills tokens of values
 * that have none, {@code veil rekey} moves tokens with their values, and {@code veil policy check}
 * reports the leakage budget.
 */
class SearchCliTest {
    static final int ROWS = 1200;
    /**
     * Rows whose prefix tokens are not one per prefix of their own value (1 to 8 characters; the
     * values are 'Smith' or 'Jones' and the id): a batch's token sets shifted between rows would show.
     */
    static final String EVERY_ROW_ITS_OWN_TOKENS = "last_name IS NOT NULL AND cardinality(last_name_veil_prefix) <> least(5 + length(id::text), 8)";

    static final String GUARD_DDL = "ALTER TABLE people ADD CONSTRAINT people_last_name_veil_tokens CHECK (last_name IS NULL OR "
            + "(last_name_veil_prefix IS NOT NULL AND last_name_veil_ci IS NOT NULL)) NOT VALID";
    static final String VALIDATE = "ALTER TABLE people VALIDATE CONSTRAINT people_last_name_veil_tokens";

    @TempDir
    Path dir;
    TestDatabase db;
    Path policy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, last_name TEXT, note TEXT)",
                "INSERT INTO people SELECT g, CASE WHEN g % 3 = 0 THEN 'Smith' || g WHEN g % 3 = 1 THEN 'Jones' || g END, 'n' "
                        + "FROM generate_series(1, " + ROWS + ") g");
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir), "refresh-after: 2s") + """
                tables:
                  people:
                    last_name: { mode: randomized, migrating: true, search: [prefix, ci] }
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    Cli veil(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 3);
        all[args.length] = "--policy";
        all[args.length + 1] = policy.toString();
        all[args.length + 2] = "--url=" + db.url();
        return Cli.run(all);
    }

    /** Rows whose prefix index holds one of the tokens of {@code prefix}. */
    long prefixMatches(Veil engine, String prefix) throws SQLException {
        SearchTokens t = engine.searchTokens(engine.policy().column(null, "people", "last_name").orElseThrow());
        StringBuilder text = new StringBuilder("{");
        for (VersionTokens v : t.prefixQuery(prefix)) {
            for (byte[] b : v.tokens()) {
                text.append(text.length() > 1 ? "," : "").append("\"\\\\x").append(HexFormat.of().formatHex(b)).append('"');
            }
        }
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM people WHERE last_name_veil_prefix && ?::bytea[]")) {
            ps.setString(1, text.append('}').toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    long count(String where) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM people WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aCapabilityAddedLaterIsBackfilledByMigrate() throws Exception {
        String both = Files.readString(policy);
        Files.writeString(policy, both.replace("search: [prefix, ci]", "search: [prefix]"));
        Cli ddl = Cli.run("policy", "check", "--ddl", "--policy", policy.toString());
        db.execute(ddl.out().lines().filter(l -> !l.startsWith("--") && !l.isBlank()).map(l -> l.substring(0, l.length() - 1))
                .toArray(String[]::new));
        assertEquals(0, veil("migrate").code());
        assertEquals(0, count(CompanionColumns.missingTokens(prefixOnly(), "last_name")));

        // ci is added: its column, then the backfill of every value that has prefix tokens but no ci token
        Files.writeString(policy, both);
        db.execute("ALTER TABLE people ADD COLUMN last_name_veil_ci bytea");
        Cli report = veil("policy", "check");
        assertTrue(report.out().contains("800 row(s) hold a value without all its search tokens"), report.toString());
        Cli backfill = veil("migrate", "--restart");
        assertEquals(0, backfill.code(), backfill.toString());
        assertTrue(backfill.out().contains("800 rewritten"), backfill.toString());
        assertEquals(0, count("last_name IS NOT NULL AND (last_name_veil_ci IS NULL OR last_name_veil_prefix IS NULL)"));
        assertEquals(0, count(EVERY_ROW_ITS_OWN_TOKENS));
        db.execute("ALTER TABLE people DROP CONSTRAINT people_last_name_veil_tokens", GUARD_DDL, VALIDATE);
    }

    @Test
    void companionColumnsWithPlannerStatisticsAreReportedWithTheStatementsThatClearThem() throws Exception {
        Cli ddl = Cli.run("policy", "check", "--ddl", "--policy", policy.toString());
        db.execute(ddl.out().lines().filter(l -> !l.startsWith("--") && !l.isBlank()).map(l -> l.substring(0, l.length() - 1))
                .toArray(String[]::new));
        assertEquals(0, veil("migrate").code());
        // a companion column added before its DDL set its statistics off, then analyzed
        db.execute("ALTER TABLE people ALTER COLUMN last_name_veil_prefix SET STATISTICS -1", "ANALYZE people");
        assertEquals(1, statisticsRows());
        Cli report = veil("policy", "check");
        String fix = "ALTER TABLE people ALTER COLUMN last_name_veil_prefix SET STATISTICS 0; "
                + "ALTER TABLE people ALTER COLUMN last_name_veil_prefix TYPE bytea[]";
        assertTrue(report.out().contains("warning  people.last_name: planner statistics on last_name_veil_prefix: PostgreSQL plans every "
                + "search on the column anew, which costs more than its index lookup; run " + fix + " (the change to its own type "
                + "drops the statistics gathered;"), report.toString());
        db.execute(fix.split("; "));
        db.execute("ANALYZE people");
        assertEquals(0, statisticsRows(), "the statistics are gone and ANALYZE gathers none");
        report = veil("policy", "check");
        assertTrue(!report.out().contains("planner statistics"), report.toString());
        // the guard outlives the change of type
        SQLException refused = assertThrows(SQLException.class, () -> db.execute("UPDATE people SET last_name_veil_prefix = NULL WHERE id = 1"));
        assertEquals("23514", refused.getSQLState(), refused::getMessage);
    }

    private long statisticsRows() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'people' AND attname LIKE '%veil%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private dev.veil.policy.ColumnPolicy prefixOnly() throws Exception {
        Path p = dir.resolve("prefix-only.yaml");
        Files.writeString(p, Files.readString(policy));
        return PolicyLoader.load(p).column(null, "people", "last_name").orElseThrow();
    }

    @Test
    void ddlMigrateBackfillRekeyAndLeakageReport() throws Exception {
        Cli ddl = Cli.run("policy", "check", "--ddl", "--policy", policy.toString());
        assertEquals(0, ddl.code(), ddl.toString());
        List<String> statements = ddl.out().lines().filter(l -> !l.startsWith("--") && !l.isBlank()).map(l -> l.substring(0, l.length() - 1)).toList();
        assertEquals(List.of("ALTER TABLE people ADD COLUMN IF NOT EXISTS last_name_veil_prefix bytea[]",
                "ALTER TABLE people ALTER COLUMN last_name_veil_prefix SET STATISTICS 0",
                "ALTER TABLE people ADD COLUMN IF NOT EXISTS last_name_veil_ci bytea",
                "ALTER TABLE people ALTER COLUMN last_name_veil_ci SET STATISTICS 0",
                "CREATE INDEX IF NOT EXISTS people_last_name_veil_prefix_idx ON people USING gin (last_name_veil_prefix) WITH (gin_pending_list_limit = 64)",
                "CREATE INDEX IF NOT EXISTS people_last_name_veil_ci_idx ON people USING btree (last_name_veil_ci)",
                GUARD_DDL), statements);
        assertTrue(ddl.out().contains("\n-- ALTER TABLE people VALIDATE CONSTRAINT people_last_name_veil_tokens;\n"), ddl.toString());
        // the guard, NOT VALID, leaves the legacy rows (plaintext, no tokens) alone until they are written
        db.execute(statements.toArray(new String[0]));

        Cli migrate = veil("migrate", "--batch-size", "250");
        assertEquals(0, migrate.code(), migrate.toString());
        assertTrue(migrate.out().contains("people.last_name: searches on it are refused: the guard people_last_name_veil_tokens on people "
                + "is NOT VALID"), migrate.toString());
        assertEquals(0, count("last_name LIKE 'Smith%' OR last_name LIKE 'Jones%'"), "no plaintext left");
        assertEquals(0, count("(last_name IS NULL) <> (last_name_veil_prefix IS NULL)"), "every value has tokens, NULLs none");
        assertEquals(0, count(EVERY_ROW_ITS_OWN_TOKENS), "each row holds as many prefix tokens as its value has prefixes");
        try (Veil engine = Veil.open(PolicyLoader.load(policy), db.connections())) {
            assertEquals(ROWS / 3, prefixMatches(engine, "S"), "no row holds a token of another row's value");
            assertEquals(ROWS / 3, prefixMatches(engine, "Smith"));
            assertEquals(ROWS / 3, prefixMatches(engine, "Jones"));
            assertEquals(6, prefixMatches(engine, "Smith12"), "Smith12, Smith120, 123, 126, 129 and 1200");

            // a value without tokens (a process whose policy lacks the search, a plain client): the guard refuses it
            String dropTokens = "UPDATE people SET last_name_veil_prefix = NULL, last_name_veil_ci = NULL WHERE id <= 30";
            SQLException refused = assertThrows(SQLException.class, () -> db.execute(dropTokens));
            assertEquals("23514", refused.getSQLState(), refused::getMessage);
            assertEquals(0, count("(last_name IS NULL) <> (last_name_veil_prefix IS NULL)"));
            // without the guard such rows are stored, policy check counts them, and migrate backfills them
            db.execute("ALTER TABLE people DROP CONSTRAINT people_last_name_veil_tokens", dropTokens);
            Cli report = veil("policy", "check");
            assertTrue(report.out().contains("20 row(s) hold a value without all its search tokens"), report.toString());
            assertTrue(report.out().contains("warning  people.last_name: searches are refused until the database guarantees that "
                    + "every value has its search tokens: people has no guard people_last_name_veil_tokens (add it with the DDL "
                    + "'veil policy check --ddl' prints), so a process without this policy's search, or a plain client, can store "
                    + "values without tokens (last_name_veil_prefix, last_name_veil_ci)"), report.toString());
            db.execute(GUARD_DDL);
            report = veil("policy", "check");
            assertTrue(report.out().contains("warning  people.last_name: searches are refused until the database guarantees that "
                    + "every value has its search tokens: the guard people_last_name_veil_tokens on people is NOT VALID: rows written "
                    + "before it may lack tokens; once 'veil migrate' has backfilled them, run ALTER TABLE people VALIDATE CONSTRAINT "
                    + "people_last_name_veil_tokens"), report.toString());
            SQLException early = assertThrows(SQLException.class, () -> db.execute(VALIDATE));
            assertEquals("23514", early.getSQLState(), "the rows without tokens fail the validation");
            Cli backfill = veil("migrate", "--restart");
            assertEquals(0, backfill.code(), backfill.toString());
            assertTrue(backfill.out().contains("20 rewritten"), backfill.toString());
            assertTrue(backfill.out().contains("  people.last_name: searches on it are refused: the guard people_last_name_veil_tokens on "
                    + "people is NOT VALID: rows written before it may lack tokens; once 'veil migrate' has backfilled them, run ALTER "
                    + "TABLE people VALIDATE CONSTRAINT people_last_name_veil_tokens"), backfill.toString());
            db.execute(VALIDATE);
            assertEquals(0, count("(last_name IS NULL) <> (last_name_veil_prefix IS NULL)"));
            assertEquals(0, count(EVERY_ROW_ITS_OWN_TOKENS));
            assertEquals(ROWS / 3, prefixMatches(engine, "Smith"));
            assertEquals(ROWS / 3, prefixMatches(engine, "J"));

            // rekey moves values and tokens together, in one update per row
            String before;
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT last_name_veil_ci FROM people WHERE id = 3")) {
                rs.next();
                before = HexFormat.of().formatHex(rs.getBytes(1));
            }
            assertEquals(0, veil("keys", "rotate", "default").code());
            Cli rekey = veil("rekey", "people");
            assertEquals(0, rekey.code(), rekey.toString());
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT last_name_veil_ci FROM people WHERE id = 3")) {
                rs.next();
                assertTrue(!before.equals(HexFormat.of().formatHex(rs.getBytes(1))), "the ci token moved to the new version");
            }
            engine.keys().forget("default");
            assertEquals(ROWS / 3, prefixMatches(engine, "Smith"), "found under the new version (and the old one while it lives)");
            assertEquals(0, count(EVERY_ROW_ITS_OWN_TOKENS));
            assertEquals(ROWS / 3, prefixMatches(engine, "S"));
        }

        db.execute("ANALYZE people");
        Cli check = veil("policy", "check");
        assertEquals(0, check.code(), check.toString());
        String out = check.out();
        assertTrue(!out.contains("planner statistics"), "the DDL keeps ANALYZE off the companion columns: " + out);
        assertTrue(out.contains("people.last_name: prefix (exact 128-bit tokens): the database learns which rows share their first 1..8 "
                + "characters"), out);
        assertTrue(out.contains(ROWS + " row(s): expected coincidences rows/2^bits = "), out);
        assertTrue(out.contains("a planned length of 8 bits would give 4.69 coincidence(s) per token (bits: 8;"), out);
        assertTrue(out.contains("ci (exact 128-bit tokens): the database learns which rows are equal up to case"), out);
        assertTrue(out.contains("warning  people.last_name: the column is randomized, but ci with exact tokens shows which rows hold equal"), out);
        assertTrue(out.contains("ok       people.last_name: guard people_last_name_veil_tokens: the database refuses values without "
                + "search tokens"), out);
    }
}
