package dev.veil.it.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * Searches on encrypted columns give exactly the rows PostgreSQL gives for the same query on a
 * plaintext copy of the table; shapes the index cannot answer exactly, where Veil cannot filter,
 * are refused.
 */
class SearchQueriesTest {
    @TempDir
    static Path dir;
    static SearchFixture.Copies copies;
    static TestDatabase db;
    static Connection raw;
    static Connection veil;

    @BeforeAll
    static void setUp() throws Exception {
        copies = SearchFixture.open(dir, 2000);
        db = copies.db();
        raw = copies.raw();
        veil = copies.veil();
    }

    @AfterAll
    static void tearDown() throws Exception {
        copies.close();
    }

    /** Runs {@code where} with {@code params} through Veil on people and raw on people_plain; compares ids and values. */
    private static void same(String select, String where, Object... params) throws SQLException {
        List<String> expected = SearchFixture.rows(raw, select + " FROM people_plain p WHERE " + where + order(select), params);
        List<String> actual = SearchFixture.rows(veil, select + " FROM people p WHERE " + where + order(select), params);
        assertEquals(expected, actual, where);
    }

    private static String order(String select) {
        return select.contains("count(") ? "" : " ORDER BY p.id";
    }

    private static List<String> plainStatement(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void prefixLikeWithParametersMatchesThePlaintextAnswer() throws Exception {
        for (String pattern : List.of("Dav%", "D%", "Smith%", "smith%", "SMITH%", "Müll%", "Łuk%", "李%", "😀%", "O''%", "O'%",
                "van\\_%", "100\\%%", "100%", "%", "Davidsonsworth%", "Davidsonswor%", "Da_i%", "Dav", "Davis", "Zzz%", "")) {
            same("SELECT p.id, p.last_name", "p.last_name LIKE ?", pattern);
        }
        same("SELECT p.id, p.last_name", "p.last_name LIKE ? ESCAPE '!'", "van!_%");
        same("SELECT p.id, p.last_name", "p.last_name LIKE ? ESCAPE ''", "100\\%");
        same("SELECT p.id, p.last_name", "p.last_name LIKE ? AND p.id > ?", "Dav%", 1500);
        same("SELECT p.id, p.last_name", "(p.last_name LIKE ? OR p.last_name LIKE ?)", "Dav%", "Smi%");
    }

    @Test
    void substringAndSuffixLikeMatchThePlaintextAnswer() throws Exception {
        for (String pattern : List.of("%@example.com", "%exa_mple%", "%exa\\_mple%", "%ple.o%", "smith%", "smith.1%", "%1%", "%ü%",
                "%x\\%y%", "%.12@%", "d%@ünï.de", "%", "%davidsonsworthington%")) {
            same("SELECT p.id, p.email", "p.email LIKE ?", pattern);
        }
    }

    @Test
    void caseInsensitiveEqualityMatchesThePlaintextAnswer() throws Exception {
        for (String v : List.of("SMITH", "smith", "müller", "MÜLLER", "davis", "李", "nobody")) {
            same("SELECT p.id, p.last_name", "lower(p.last_name) = lower(?)", v);
            same("SELECT p.id, p.last_name", "upper(p.last_name) = upper(?)", v);
            same("SELECT p.id, p.last_name", "p.last_name ILIKE ?", v);
        }
    }

    @Test
    void rangesMatchThePlaintextAnswer() throws Exception {
        LocalDate a = LocalDate.of(1971, 3, 9);
        LocalDate b = LocalDate.of(1975, 12, 31);
        same("SELECT p.id, p.born", "p.born BETWEEN ? AND ?", a, b);
        same("SELECT p.id, p.born", "p.born < ?", a);
        same("SELECT p.id, p.born", "p.born <= ?", a);
        same("SELECT p.id, p.born", "p.born > ?", b);
        same("SELECT p.id, p.born", "? <= p.born AND p.born < ?", a, b);
        same("SELECT p.id, p.born", "p.born BETWEEN ? AND ?", b, a);
        same("SELECT p.id, p.amount", "p.amount >= ?", 99_000L);
        same("SELECT p.id, p.amount", "p.amount BETWEEN ? AND ?", -1000L, 1000L);
        same("SELECT p.id, p.amount", "p.amount < ?", -99_500L);
        same("SELECT count(*), 0", "p.born BETWEEN ? AND ?", a, b);
        same("SELECT count(*), 0", "p.amount > ?", 0L);
    }

    @Test
    void literalsInPlainStatementsMatchThePlaintextAnswer() throws Exception {
        for (String where : List.of("last_name LIKE 'Dav%'", "last_name LIKE 'Davidsonsworth%'", "email LIKE '%example%'",
                "lower(last_name) = lower('SMITH')", "born BETWEEN '1960-01-01' AND '1960-12-31'", "amount > -5 AND amount < 500",
                "last_name LIKE 'van!_%' ESCAPE '!'")) {
            String col = where.substring(0, where.indexOf(where.startsWith("lower") ? ')' : ' ')).replace("lower(", "");
            assertEquals(plainStatement(raw, "SELECT id, " + col + " FROM people_plain WHERE " + where + " ORDER BY id"),
                    plainStatement(veil, "SELECT id, " + col + " FROM people WHERE " + where + " ORDER BY id"), where);
        }
    }

    @Test
    void petClinicPagedSearchAndCountAreExact() throws Exception {
        String page = "select p1_0.id,p1_0.last_name from %s p1_0 where p1_0.last_name like ? escape '\\' order by p1_0.id offset ? rows fetch first ? rows only";
        String count = "select count(p1_0.id) from %s p1_0 where p1_0.last_name like ? escape '\\'";
        for (String pattern : List.of("Dav%", "Smith%", "%", "100\\%%", "van\\_%")) {
            for (int offset : new int[] {0, 5, 40}) {
                assertEquals(SearchFixture.rows(raw, page.formatted("people_plain"), pattern, offset, 5),
                        SearchFixture.rows(veil, page.formatted("people"), pattern, offset, 5), pattern);
                assertEquals(SearchFixture.rows(raw, count.formatted("people_plain"), pattern), SearchFixture.rows(veil, count.formatted("people"), pattern), pattern);
            }
        }
    }

    @Test
    void overMatchingShapesWhereVeilCannotFilterAreRefused() throws Exception {
        Connection c = veil;
        {
            // longer than the indexed prefix (8), under a LIMIT: refused when it runs
            refusedWhenRun(c, "SELECT id, last_name FROM people WHERE last_name LIKE ? LIMIT 5", "Davidsonsworth%");
            refusedWhenRun(c, "SELECT count(*) FROM people WHERE email LIKE ?", "%example%");
            // no column is appended where an ORDER BY position would then name it
            refusedWhenRun(c, "SELECT id FROM people WHERE email LIKE ? ORDER BY 2", "%example%");
            refusedWhenRun(c, "SELECT id, email FROM people WHERE email LIKE ? OR id = 1", "%example%");
            refusedWhenRun(c, "UPDATE people SET note = NULL WHERE email LIKE ?", "%zzz%");
            refusedWhenRun(c, "SELECT EXISTS (SELECT 1 FROM people WHERE email LIKE ?)", "%exa%");
            refusedWhenRun(c, "SELECT id, last_name FROM people WHERE last_name ILIKE ?", "dav%");
            // exact shapes run anywhere
            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET note = note WHERE last_name LIKE ?")) {
                ps.setString(1, "Davis%");
                assertTrue(ps.executeUpdate() > 0);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM people WHERE last_name LIKE ?)")) {
                ps.setString(1, "Dav%");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertTrue(rs.getBoolean(1));
                }
            }
        }
    }

    @Test
    void unsearchableColumnsAndShapesStillFailClosed() throws Exception {
        Connection c = veil;
        {
            VeilException e = assertThrows(VeilException.class, () -> c.prepareStatement("SELECT id FROM people WHERE note LIKE ?"));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
            assertTrue(e.getMessage().contains("people.note") && e.getMessage().contains("search: [prefix"), e.getMessage());
            e = assertThrows(VeilException.class, () -> c.prepareStatement("SELECT id FROM people WHERE note > ?"));
            assertTrue(e.getMessage().contains("search: [range]"), e.getMessage());
            e = assertThrows(VeilException.class, () -> c.prepareStatement("SELECT id FROM people WHERE lower(email) = lower(?)"));
            assertTrue(e.getMessage().contains("search: [ci]"), e.getMessage());
            for (String sql : List.of("SELECT id FROM people WHERE NOT (last_name LIKE ?)", "SELECT id FROM people WHERE last_name NOT LIKE ?",
                    "SELECT last_name LIKE ? FROM people", "SELECT id FROM people WHERE born NOT BETWEEN ? AND ?",
                    "SELECT id FROM people ORDER BY born")) {
                assertEquals(VeilState.UNSUPPORTED_SQL, assertThrows(VeilException.class, () -> c.prepareStatement(sql), sql).state(), sql);
            }
        }
    }

    @Test
    void aLiteralThatDoesNotFitTheColumnsTypeIsNamedAsSuchWithoutItsValue() throws Exception {
        try (Statement s = veil.createStatement()) {
            VeilException e = assertThrows(VeilException.class, () -> s.executeQuery("SELECT id FROM people p WHERE p.amount > 99.5"));
            assertEquals(VeilState.VALUE_CONVERSION, e.state());
            assertTrue(e.getMessage().contains("for people.amount (bound, or written in the SQL text) cannot be converted to its type "
                    + "integer"), e.getMessage());
            assertFalse(e.getMessage().contains("99.5"), "no operand value in a message");
        }
    }

    @Test
    void companionColumnsHoldOnlyTokens() throws Exception {
        try (Connection raw = db.connect()) {
            SearchFixture.assertOnlyTokens(raw, 1);
        }
    }

    private static void refusedWhenRun(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            VeilException e = assertThrows(VeilException.class, () -> {
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
            }, sql);
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), sql);
        }
    }
}
