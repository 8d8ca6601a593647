package dev.veil.it.search;

import dev.veil.Veil;
import dev.veil.VeilState;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchTokens;
import dev.veil.search.VersionTokens;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write path of searchable columns on PostgreSQL: every INSERT, UPDATE, upsert, batch and
 * multi-row INSERT through Veil writes the companion columns in the same statement; the database
 * holds only tokens there, and the tokens find the rows they should (checked with raw SQL against
 * the tokens of query operands, the way rewritten queries use them).
 */
class SearchWritePathTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static Path policyFile;
    static Veil engine;

    static final String POLICY = """
            tables:
              people:
                last_name: { mode: deterministic, search: [prefix, ci] }
                email: { mode: randomized, search: { prefix: { max: 4 }, substring: {} } }
                born: { mode: randomized, type: date, storage: binary, search: [range] }
            """;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + POLICY);
        Policy policy = PolicyLoader.load(policyFile);
        db.execute("CREATE TABLE people (id INT PRIMARY KEY, last_name TEXT, email TEXT, born BYTEA, note TEXT)");
        db.execute(CompanionColumns.ddl(policy.table(null, "people").orElseThrow()).toArray(new String[0]));
        engine = Veil.open(policy, db.connections());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
        db.close();
    }

    @BeforeEach
    void empty() throws Exception {
        db.execute("DELETE FROM people");
    }

    static Connection veil() throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(db, policyFile));
    }

    static SearchTokens tokens(String column) {
        return engine.searchTokens(engine.policy().column(null, "people", column).orElseThrow());
    }

    /** The ids whose companion column matches any of the tokens, by raw SQL. */
    static List<Integer> matching(String companion, String operator, List<VersionTokens> query) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM people WHERE " + companion + " " + operator + (operator.equals("=") ? " ?" : " ?::bytea[]") + " ORDER BY id")) {
            List<byte[]> all = new ArrayList<>();
            query.forEach(v -> all.addAll(v.tokens()));
            if (operator.equals("=")) {
                ps.setBytes(1, all.get(0));
            } else {
                StringBuilder text = new StringBuilder("{");
                for (byte[] t : all) {
                    text.append(text.length() > 1 ? "," : "").append("\"\\\\x").append(java.util.HexFormat.of().formatHex(t)).append('"');
                }
                ps.setString(1, text.append('}').toString());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
        }
        return ids;
    }

    static void insert(Connection c, int id, String lastName, String email, LocalDate born) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name, email, born) VALUES (?, ?, ?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, lastName);
            ps.setString(3, email);
            ps.setObject(4, born);
            ps.executeUpdate();
        }
    }

    @Test
    void insertWritesOnlyTokensThatFindTheRow() throws Exception {
        try (Connection c = veil()) {
            insert(c, 1, "Smith", "ann@example.com", LocalDate.of(1980, 5, 17));
            insert(c, 2, "Smythe", "bob@example.org", LocalDate.of(1990, 1, 1));
            insert(c, 3, "Jones", "carol@example.com", LocalDate.of(1980, 5, 18));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT last_name, email, born FROM people WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("Smith", rs.getString(1));
                assertEquals("ann@example.com", rs.getString(2));
                assertEquals(LocalDate.of(1980, 5, 17), rs.getObject(3, LocalDate.class));
            }
        }
        try (Connection raw = db.connect(); Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT last_name_veil_prefix, last_name_veil_ci, email_veil_prefix, email_veil_sub, born_veil_range, "
                        + "pg_typeof(last_name_veil_prefix)::text, pg_typeof(last_name_veil_ci)::text FROM people WHERE id = 1")) {
            assertTrue(rs.next());
            assertEquals(5, ((Object[]) rs.getArray(1).getArray()).length, "S, Sm, Smi, Smit, Smith");
            assertEquals(16, rs.getBytes(2).length);
            assertEquals(4, ((Object[]) rs.getArray(3).getArray()).length, "max 4");
            assertEquals(13, ((Object[]) rs.getArray(4).getArray()).length, "distinct 3-grams of ann@example.com");
            assertEquals(10, ((Object[]) rs.getArray(5).getArray()).length, "one bucket per level a date has");
            assertEquals("bytea[]", rs.getString(6));
            assertEquals("bytea", rs.getString(7));
            // token by token: 16 bytes of HMAC output, without 4 leading bytes of any of the row's values
            // (searching the hex text of all tokens for "1980" matched by chance in about one run in a hundred)
            for (int i = 1; i <= 5; i++) {
                List<byte[]> tokens = i == 2 ? List.of(rs.getBytes(i)) : List.of((byte[][]) rs.getArray(i).getArray());
                for (byte[] token : tokens) {
                    assertEquals(16, token.length, "a companion column holds 128-bit tokens only");
                    for (String value : List.of("Smith", "ann@example.com", "1980-05-17")) {
                        assertFalse(containsBytes(token, value.substring(0, 4).getBytes(StandardCharsets.UTF_8)),
                                "plaintext bytes of " + value + " in column " + i);
                    }
                }
            }
        }
        assertEquals(List.of(1, 2), matching("last_name_veil_prefix", "&&", tokens("last_name").prefixQuery("Sm")));
        assertEquals(List.of(1), matching("last_name_veil_prefix", "&&", tokens("last_name").prefixQuery("Smi")));
        assertEquals(List.of(1), matching("last_name_veil_ci", "=", tokens("last_name").ciQuery("SMITH")));
        assertEquals(List.of(1, 3), matching("email_veil_sub", "@>", tokens("email").substringQuery("example.com")));
        assertEquals(List.of(1, 3), matching("born_veil_range", "&&",
                tokens("born").rangeQuery(LocalDate.of(1980, 1, 1), true, LocalDate.of(1980, 12, 31), true)));
        assertEquals(List.of(3), matching("born_veil_range", "&&",
                tokens("born").rangeQuery(LocalDate.of(1980, 5, 17), false, LocalDate.of(1985, 1, 1), false)));
    }

    @Test
    void nullsGiveNullTokensAndEmptyStringsEmptySets() throws Exception {
        try (Connection c = veil()) {
            insert(c, 1, null, "", null);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name, email) VALUES (2, NULL, DEFAULT)")) {
                ps.executeUpdate();
            }
        }
        try (Connection raw = db.connect(); Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT last_name_veil_prefix, last_name_veil_ci, cardinality(email_veil_prefix), born_veil_range, email_veil_sub "
                        + "FROM people ORDER BY id")) {
            assertTrue(rs.next());
            assertNull(rs.getArray(1));
            assertNull(rs.getBytes(2));
            assertEquals(0, rs.getInt(3));
            assertNull(rs.getArray(4));
            assertTrue(rs.next());
            assertNull(rs.getArray(1));
            assertNull(rs.getBytes(2));
            assertNull(rs.getArray(5));
        }
    }

    @Test
    void theGuardAcceptsEveryWriteVeilMakesAndRefusesValuesWrittenWithoutTokens() throws Exception {
        TablePolicy table = engine.policy().table(null, "people").orElseThrow();
        // through Veil, as a migration tool on the application's data source would run it
        try (Connection c = veil(); Statement s = c.createStatement()) {
            for (String guard : CompanionColumns.guardDdl(table)) {
                s.execute(guard);
            }
        }
        try {
            try (Connection c = veil()) {
                insert(c, 1, "Smith", "", LocalDate.of(1980, 5, 17));
                insert(c, 2, null, null, null);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name, email) VALUES (?, ?, ?), (?, DEFAULT, ?)")) {
                    ps.setInt(1, 3);
                    ps.setString(2, "J");
                    ps.setString(3, "a@b.c");
                    ps.setInt(4, 4);
                    ps.setString(5, "x");
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name) VALUES (?, ?)")) {
                    for (int i = 5; i <= 7; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, i == 6 ? "" : "Batch" + i);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name) VALUES (?, ?) "
                        + "ON CONFLICT (id) DO UPDATE SET last_name = EXCLUDED.last_name")) {
                    ps.setInt(1, 2);
                    ps.setString(2, "Upserted");
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE people SET last_name = ?, born = ? WHERE id = ?")) {
                    ps.setString(1, "Renamed");
                    ps.setObject(2, LocalDate.of(2001, 1, 1));
                    ps.setInt(3, 3);
                    assertEquals(1, ps.executeUpdate());
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE people SET last_name = NULL, email = DEFAULT WHERE id = ?")) {
                    ps.setInt(1, 1);
                    assertEquals(1, ps.executeUpdate());
                }
            }
            // every row Veil wrote satisfies the guard: the database checks them all
            db.execute(CompanionColumns.validateDdl(table).toArray(new String[0]));
            try (Connection raw = db.connect(); Statement s = raw.createStatement()) {
                for (String write : List.of("INSERT INTO people (id, last_name) VALUES (20, 'vl1:written-without-tokens')",
                        "INSERT INTO people (id, born) VALUES (21, '\\x00')",
                        "UPDATE people SET last_name_veil_prefix = NULL WHERE id = 3",
                        "UPDATE people SET email_veil_sub = NULL WHERE id = 3")) {
                    SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(write), write);
                    assertEquals("23514", e.getSQLState(), write + ": " + e.getMessage());
                }
                // a child table inherits the guard: writing there directly is no way around it
                s.execute("CREATE TABLE people_child () INHERITS (people)");
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeUpdate("INSERT INTO people_child (id, last_name) VALUES (22, 'vl1:written-without-tokens')"));
                assertEquals("23514", e.getSQLState(), e::getMessage);
            }
        } finally {
            db.execute("DROP TABLE IF EXISTS people_child");
            for (String guard : CompanionColumns.guardDdl(table)) {
                db.execute(guard.replaceFirst(" ADD CONSTRAINT (\\S+) CHECK .*", " DROP CONSTRAINT $1"));
            }
        }
    }

    @Test
    void batchesMultiRowInsertsUpdatesAndUpsertsKeepTokensWithTheValue() throws Exception {
        try (Connection c = veil()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name) VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "Batch" + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (last_name, id, note) VALUES (?, ?, 'x'), (?, ?, 'y')")) {
                ps.setString(1, "Multi4");
                ps.setInt(2, 4);
                ps.setString(3, "Multi5");
                ps.setInt(4, 5);
                ps.executeUpdate();
            }
            assertEquals(List.of(1, 2, 3), matching("last_name_veil_prefix", "&&", tokens("last_name").prefixQuery("Batch")));
            assertEquals(List.of(5), matching("last_name_veil_ci", "=", tokens("last_name").ciQuery("multi5")));

            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET note = ?, last_name = ? WHERE id = ?")) {
                ps.setString(1, "changed");
                ps.setString(2, "Renamed");
                ps.setInt(3, 2);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(List.of(1, 3), matching("last_name_veil_prefix", "&&", tokens("last_name").prefixQuery("Batch")));
            assertEquals(List.of(2), matching("last_name_veil_ci", "=", tokens("last_name").ciQuery("RENAMED")));

            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name) VALUES (?, ?) "
                    + "ON CONFLICT (id) DO UPDATE SET last_name = EXCLUDED.last_name, note = 'upserted'")) {
                ps.setInt(1, 3);
                ps.setString(2, "Upserted");
                ps.executeUpdate();
                ps.setInt(1, 6);
                ps.setString(2, "Fresh");
                ps.executeUpdate();
            }
            assertEquals(List.of(1), matching("last_name_veil_prefix", "&&", tokens("last_name").prefixQuery("Batch")));
            assertEquals(List.of(3), matching("last_name_veil_ci", "=", tokens("last_name").ciQuery("upserted")));
            assertEquals(List.of(6), matching("last_name_veil_ci", "=", tokens("last_name").ciQuery("fresh")));

            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name) VALUES (?, ?) "
                    + "ON CONFLICT (id) DO UPDATE SET last_name = ?")) {
                ps.setInt(1, 6);
                ps.setString(2, "Unused");
                ps.setString(3, "Replaced");
                ps.executeUpdate();
            }
            assertEquals(List.of(6), matching("last_name_veil_ci", "=", tokens("last_name").ciQuery("replaced")));
            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET last_name = NULL WHERE id = ?")) {
                ps.setInt(1, 6);
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT last_name FROM people ORDER BY id")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                assertEquals(java.util.Arrays.asList("Batch1", "Renamed", "Upserted", "Multi4", "Multi5", null), names);
            }
        }
        try (Connection raw = db.connect(); Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM people WHERE (last_name IS NULL) <> (last_name_veil_ci IS NULL)")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "no value without its tokens, no tokens without a value");
        }
    }

    @Test
    void selectStarReturnsCompanionColumnsAsStoredTokens() throws Exception {
        try (Connection c = veil()) {
            insert(c, 1, "Smith", null, null);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM people")) {
                assertTrue(rs.next());
                assertEquals("Smith", rs.getString("last_name"));
                Array prefix = rs.getArray("last_name_veil_prefix");
                assertEquals(5, ((Object[]) prefix.getArray()).length);
                assertEquals(16, rs.getBytes("last_name_veil_ci").length);
            }
        }
    }

    @Test
    void refusesWritesVeilCannotTokenise() throws Exception {
        try (Connection c = veil()) {
            refused(c, "INSERT INTO people (id, last_name_veil_ci) VALUES (?, ?)", "search index of people.last_name");
            refused(c, "UPDATE people SET last_name_veil_prefix = NULL WHERE id = ?", "which Veil maintains itself");
            refused(c, "INSERT INTO people (id, last_name) VALUES (?, upper(?))", "can only be written from");
            refused(c, "INSERT INTO people VALUES (?, ?, ?, ?, ?)", "must list its columns");
            refused(c, "INSERT INTO people (id, last_name) SELECT id, last_name FROM people", "INSERT … SELECT");
            refused(c, "UPDATE people SET (last_name, note) = (?, ?)", "tuple assignment");
            refused(c, "WITH x AS (INSERT INTO people (id, last_name) VALUES (?, ?) RETURNING id) SELECT * FROM x",
                    "data-modifying WITH");
            SQLException e = assertThrows(SQLException.class, () -> c.createStatement().executeUpdate(
                    "INSERT INTO people (id, last_name) VALUES (9, 'Literal')"));
            assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState());
            assertFalse(e.getMessage().contains("Literal"), "no value in the message");
            PGConnection pg = c.unwrap(PGConnection.class);
            e = assertThrows(SQLException.class, () -> pg.getCopyAPI().copyIn("COPY people (id, last_name) FROM STDIN",
                    new StringReader("1\tSmith\n")));
            assertTrue(e.getMessage().contains("COPY FROM does not maintain its search index"), e.getMessage());
        }
        try (Connection raw = db.connect(); Statement s = raw.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM people")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    static void refused(Connection c, String sql, String reason) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.getParameterMetaData();
            }
        }, sql);
        assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState(), e::getMessage);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aMissingCompanionColumnRefusesConnections() throws Exception {
        Path p = dir.resolve("policy-more.yaml");
        Files.writeString(p, Files.readString(policyFile, StandardCharsets.UTF_8).replace("search: [prefix, ci]", "search: [prefix, ci, substring]"));
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(ShopSchema.veilUrl(db, p)).close());
        assertEquals(VeilState.POLICY_INVALID.sqlState(), e.getSQLState());
        assertTrue(e.getMessage().contains("companion column last_name_veil_sub (substring search on people.last_name) does not exist"
                + " in table people; add it with the DDL that 'veil policy check --ddl' prints"), e.getMessage());
    }

    @Test
    void searchOnH2IsRefusedAsPostgresOnly() throws Exception {
        String h2 = "jdbc:h2:mem:veil_search_" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (Connection keep = DriverManager.getConnection(h2)) {
            keep.createStatement().execute("CREATE TABLE people (id INT PRIMARY KEY, last_name VARCHAR(1000), email VARCHAR(1000), "
                    + "born VARBINARY(1000))");
            java.util.Properties props = new java.util.Properties();
            props.setProperty("veil.policy", policyFile.toString());
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection("jdbc:veil:" + h2.substring(5), props).close());
            assertEquals(VeilState.POLICY_INVALID.sqlState(), e.getSQLState());
            assertTrue(e.getMessage().contains(":6:5: search on people.last_name is PostgreSQL-only"), e.getMessage());
            keep.createStatement().execute("SHUTDOWN");
        }
    }

    private static boolean containsBytes(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
