package dev.veil.it.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Searches the index over-matches, in queries that do not select the searched column: Veil
 * appends the column to the select list to filter by it, and the application sees exactly the
 * result PostgreSQL gives for the same query on a plaintext copy, columns and metadata included.
 */
class SearchHiddenColumnsTest {
    /** Patterns the index over-matches: longer than the indexed prefix (8), substring, {@code _} in a prefix. */
    private static final List<String> LAST_NAMES = List.of("Davidsonsworth%", "Davidsonswor%", "Da_i%", "D%son%", "Dav%", "Zzzzzzzzzz%");
    private static final List<String> EMAILS = List.of("%exa_mple%", "%example.com", "%ple.o%", "smith.1%", "%ü%", "%x\\%y%", "%zzz%");

    @TempDir
    static Path dir;
    static SearchFixture.Copies copies;
    static Connection raw;
    static Connection veil;

    @BeforeAll
    static void setUp() throws Exception {
        copies = SearchFixture.open(dir, 1500);
        raw = copies.raw();
        veil = copies.veil();
    }

    @AfterAll
    static void tearDown() throws Exception {
        copies.close();
    }

    /** Runs {@code sql} (with {@code %s} for the table) through Veil on people and raw on people_plain; compares rows and columns. */
    private static void same(String sql, Object... params) throws SQLException {
        List<String> expected = SearchFixture.rows(raw, sql.formatted("people_plain"), params);
        List<String> actual = SearchFixture.rows(veil, sql.formatted("people"), params);
        assertEquals(expected, actual, sql + " " + List.of(params));
        assertEquals(columns(raw, sql.formatted("people_plain"), false, params), columns(veil, sql.formatted("people"), false, params), sql);
    }

    /**
     * Each result column's label and name ({@code types}: and JDBC type and type name, which differ for encrypted
     * columns), from the prepared statement's metadata and from the result's.
     */
    private static List<String> columns(Connection c, String sql, boolean types, Object... params) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            describe(ps.getMetaData(), out, types);
            try (ResultSet rs = ps.executeQuery()) {
                describe(rs.getMetaData(), out, types);
            }
        }
        return out;
    }

    private static void describe(ResultSetMetaData md, List<String> out, boolean types) throws SQLException {
        out.add("count " + md.getColumnCount());
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnLabel(i) + " " + md.getColumnName(i) + (types ? " " + md.getColumnType(i) + " " + md.getColumnTypeName(i)
                    + " " + md.getColumnClassName(i) + " " + md.isNullable(i) : ""));
        }
    }

    @Test
    void metadataIsThatOfThePlaintextQuery() throws Exception {
        for (String sql : List.of("SELECT p.id, 1 AS one, p.id AS last_name FROM %s p WHERE p.last_name LIKE ? AND p.email LIKE ?",
                "SELECT id FROM %s WHERE born < ?")) {
            Object[] params = sql.contains("born") ? new Object[] {LocalDate.of(1960, 1, 1)} : new Object[] {"Davidsonsw%", "%.c%"};
            assertEquals(columns(raw, sql.formatted("people_plain"), true, params), columns(veil, sql.formatted("people"), true, params), sql);
        }
    }

    @Test
    void overMatchingSearchesOnUnselectedColumnsGiveThePlaintextAnswer() throws Exception {
        for (String pattern : LAST_NAMES) {
            same("SELECT p.id FROM %s p WHERE p.last_name LIKE ? ORDER BY p.id", pattern);
            same("SELECT p.id, p.born, p.amount FROM %s p WHERE p.last_name LIKE ? AND p.id > ? ORDER BY p.id DESC", pattern, 300);
        }
        for (String pattern : EMAILS) {
            same("SELECT id, last_name FROM %s WHERE email LIKE ? ORDER BY id", pattern);
            same("SELECT 1 FROM %s WHERE email LIKE ?", pattern);
        }
        same("SELECT p.id FROM %s p WHERE p.born BETWEEN ? AND ? ORDER BY 1", LocalDate.of(1971, 3, 9), LocalDate.of(1975, 12, 31));
        same("SELECT p.id FROM %s p WHERE p.amount > ? ORDER BY p.id", 99_000L);
    }

    @Test
    void twoFilteredPredicatesOnDifferentColumns() throws Exception {
        same("SELECT p.id FROM %s p WHERE p.email LIKE ? AND p.last_name LIKE ? ORDER BY p.id", "%e.c%", "Davidsonsw%");
        same("SELECT p.id FROM %s p WHERE p.email LIKE ? AND p.born > ? AND p.email LIKE ? ORDER BY p.id", "%son%", LocalDate.of(1990, 1, 1),
                "%.c%");
        same("SELECT p.note FROM %s p WHERE p.email LIKE ? AND p.last_name LIKE ? ORDER BY p.id", "%ple%", "S%i%");
    }

    @Test
    void aPreparedStatementRunManyTimesFiltersEachRun() throws Exception {
        String sql = "SELECT id FROM %s WHERE email LIKE ? AND last_name LIKE ? ORDER BY id";
        try (PreparedStatement v = veil.prepareStatement(sql.formatted("people"));
             PreparedStatement r = raw.prepareStatement(sql.formatted("people_plain"))) {
            int runs = 0;
            for (int round = 0; round < 3; round++) {
                for (String email : EMAILS) {
                    for (String name : LAST_NAMES) {
                        for (PreparedStatement ps : List.of(v, r)) {
                            ps.setString(1, email);
                            ps.setString(2, name);
                        }
                        assertEquals(ids(r), ids(v), email + " " + name);
                        runs++;
                    }
                }
            }
            assertEquals(3 * EMAILS.size() * LAST_NAMES.size(), runs);
        }
    }

    private static List<Integer> ids(PreparedStatement ps) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            assertEquals(1, rs.getMetaData().getColumnCount());
            while (rs.next()) {
                out.add(rs.getInt("id"));
                assertFalse(rs.wasNull());
            }
        }
        return out;
    }

    @Test
    void theHiddenColumnCannotBeReachedByIndexOrLabel() throws Exception {
        String sql = "SELECT p.id AS email, p.id FROM %s p WHERE p.email LIKE ? ORDER BY p.id";
        try (PreparedStatement v = veil.prepareStatement(sql.formatted("people"));
             PreparedStatement r = raw.prepareStatement(sql.formatted("people_plain"))) {
            v.setString(1, "%exa_mple%");
            r.setString(1, "%exa_mple%");
            try (ResultSet vs = v.executeQuery(); ResultSet rs = r.executeQuery()) {
                int rows = 0;
                while (rs.next()) {
                    assertTrue(vs.next());
                    rows++;
                    // the duplicate label is the application's own column, never the hidden one
                    assertEquals(rs.getString("email"), vs.getString("email"));
                    assertEquals(rs.getObject("id"), vs.getObject("id"));
                    assertEquals(rs.findColumn("email"), vs.findColumn("email"));
                    assertEquals(state(() -> rs.getString(3)), state(() -> vs.getString(3)));
                    assertEquals(state(() -> rs.getBytes(3)), state(() -> vs.getBytes(3)));
                    assertEquals(state(() -> rs.getObject(3)), state(() -> vs.getObject(3)));
                    assertEquals(state(() -> rs.getMetaData().getColumnLabel(3)), state(() -> vs.getMetaData().getColumnLabel(3)));
                    assertEquals(state(() -> rs.findColumn("veil_hidden_1")), state(() -> vs.findColumn("veil_hidden_1")));
                    assertEquals(state(() -> rs.getString("veil_hidden_1")), state(() -> vs.getString("veil_hidden_1")));
                }
                assertFalse(vs.next());
                assertTrue(rows > 0);
            }
        }
        // without the duplicate label, the searched column's own name is absent as in the plaintext query
        String bare = "SELECT id FROM %s WHERE email LIKE ?";
        try (PreparedStatement v = veil.prepareStatement(bare.formatted("people"));
             PreparedStatement r = raw.prepareStatement(bare.formatted("people_plain"))) {
            v.setString(1, "%ple.o%");
            r.setString(1, "%ple.o%");
            try (ResultSet vs = v.executeQuery(); ResultSet rs = r.executeQuery()) {
                assertTrue(rs.next());
                assertTrue(vs.next());
                assertEquals("42703", state(() -> vs.findColumn("email")));
                assertEquals(state(() -> rs.getString("email")), state(() -> vs.getString("email")));
                assertEquals("22023", state(() -> vs.getString(2)));
                assertEquals(state(() -> rs.getString(2)), state(() -> vs.getString(2)));
            }
        }
    }

    @FunctionalInterface
    private interface Call {
        Object run() throws SQLException;
    }

    /** The SQLState a call fails with, or "ok". */
    private static String state(Call call) {
        try {
            call.run();
            return "ok";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    @Test
    void plainStatementsWithLiteralPatterns() throws Exception {
        for (String where : List.of("email LIKE '%exa_mple%'", "last_name LIKE 'Davidsonsworth%' AND email LIKE '%.c%'",
                "last_name LIKE 'Da_i%'")) {
            List<String> expected = new ArrayList<>();
            List<String> actual = new ArrayList<>();
            for (Connection c : List.of(raw, veil)) {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT id FROM " + (c == raw ? "people_plain" : "people") + " WHERE " + where + " ORDER BY id")) {
                    assertEquals(1, rs.getMetaData().getColumnCount());
                    while (rs.next()) {
                        (c == raw ? expected : actual).add(rs.getString(1));
                    }
                }
            }
            assertEquals(expected, actual, where);
            assertFalse(expected.isEmpty(), where);
        }
    }

    @Test
    void aScriptOfSeveralQueriesGetsNoHiddenColumn() throws Exception {
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (Connection c : List.of(raw, veil)) {
            String table = c == raw ? "people_plain" : "people";
            try (Statement s = c.createStatement()) {
                boolean rows = s.execute("SELECT 7; SELECT id FROM " + table + " WHERE last_name LIKE 'Davis%' ORDER BY id");
                while (rows || s.getUpdateCount() != -1) {
                    if (rows) {
                        try (ResultSet rs = s.getResultSet()) {
                            List<String> out = c == raw ? expected : actual;
                            out.add("columns " + rs.getMetaData().getColumnCount());
                            while (rs.next()) {
                                out.add(rs.getString(1));
                            }
                        }
                    }
                    rows = s.getMoreResults();
                }
            }
        }
        assertTrue(expected.size() > 4, expected.toString());
        assertEquals(expected, actual);
    }

    @Test
    void selectStarNeedsNoHiddenColumn() throws Exception {
        List<Integer> expected = new ArrayList<>();
        List<Integer> actual = new ArrayList<>();
        for (Connection c : List.of(raw, veil)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + (c == raw ? "people_plain" : "people")
                    + " WHERE email LIKE ? ORDER BY id")) {
                ps.setString(1, "%exa_mple%");
                try (ResultSet rs = ps.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    assertEquals("id", rs.getMetaData().getColumnLabel(1));
                    // people has its companion columns after the plaintext copy's six
                    assertEquals(c == raw ? 6 : 6 + 6, n);
                    while (rs.next()) {
                        (c == raw ? expected : actual).add(rs.getInt("id"));
                        assertTrue(rs.getString("email").contains("exa_mple"));
                    }
                }
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void copyOfAQuerySendsNoHiddenColumn() throws Exception {
        var copy = veil.unwrap(PGConnection.class).getCopyAPI();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy.copyOut("COPY (SELECT id FROM people WHERE last_name LIKE 'Davis%' ORDER BY id) TO STDOUT", out);
        List<String> expected = new ArrayList<>();
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM people_plain WHERE last_name LIKE 'Davis%' ORDER BY id")) {
            while (rs.next()) {
                expected.add(rs.getString(1));
            }
        }
        assertFalse(expected.isEmpty());
        assertEquals(String.join("\n", expected) + "\n", out.toString(StandardCharsets.UTF_8), "one column, exact rows");
        VeilException e = assertThrows(VeilException.class,
                () -> copy.copyOut("COPY (SELECT id FROM people WHERE email LIKE '%exa%') TO STDOUT", new ByteArrayOutputStream()));
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
    }
}
