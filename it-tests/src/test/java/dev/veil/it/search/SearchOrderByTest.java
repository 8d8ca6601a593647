package dev.veil.it.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ORDER BY an encrypted column, answered by Veil sorting the decrypted rows: the same rows in the
 * same order as PostgreSQL gives on a plaintext copy with the {@code "C"} collation (code point
 * order), with NULLS FIRST / LAST, DESC, several keys, aliases and positions; shapes Veil cannot
 * sort exactly are refused.
 */
class SearchOrderByTest {
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

    /** {@code veilSql} on people through Veil gives what {@code plainSql} gives on people_plain. */
    private static void same(String veilSql, String plainSql, Object... params) throws SQLException {
        List<String> expected = SearchFixture.rows(raw, plainSql, params);
        List<String> actual = SearchFixture.rows(veil, veilSql, params);
        assertFalse(expected.isEmpty(), plainSql);
        assertEquals(expected, actual, veilSql);
    }

    @Test
    void sortsByDecryptedStringsInCodePointOrder() throws SQLException {
        same("SELECT id, last_name FROM people ORDER BY last_name, id",
                "SELECT id, last_name FROM people_plain ORDER BY last_name COLLATE \"C\", id");
        same("SELECT id, last_name FROM people p ORDER BY p.last_name DESC, p.id",
                "SELECT id, last_name FROM people_plain p ORDER BY p.last_name COLLATE \"C\" DESC, p.id");
        same("SELECT id, email AS e FROM people ORDER BY e NULLS FIRST, 1 DESC",
                "SELECT id, email AS e FROM people_plain ORDER BY email COLLATE \"C\" NULLS FIRST, 1 DESC");
        same("SELECT id, last_name FROM people ORDER BY 2 DESC NULLS LAST, id DESC",
                "SELECT id, last_name FROM people_plain ORDER BY 2 DESC NULLS LAST, id DESC");
    }

    @Test
    void sortsDatesAndNumbersAndMixesKeys() throws SQLException {
        same("SELECT id, born, amount FROM people ORDER BY born DESC, amount NULLS FIRST, id",
                "SELECT id, born, amount FROM people_plain ORDER BY born DESC, amount NULLS FIRST, id");
        same("SELECT amount, id, last_name FROM people ORDER BY amount, last_name DESC, id",
                "SELECT amount, id, last_name FROM people_plain ORDER BY amount, last_name COLLATE \"C\" DESC, id");
    }

    @Test
    void sortsRowsFilteredBySearch() throws SQLException {
        same("SELECT id, email FROM people WHERE email LIKE ? ORDER BY email DESC, id",
                "SELECT id, email FROM people_plain WHERE email LIKE ? ORDER BY email COLLATE \"C\" DESC, id", "%mple%");
        same("SELECT id, born FROM people WHERE born BETWEEN ? AND ? ORDER BY born, id",
                "SELECT id, born FROM people_plain WHERE born BETWEEN ? AND ? ORDER BY born, id",
                SearchFixture.EPOCH.plusDays(3000), SearchFixture.EPOCH.plusDays(9000));
    }

    @Test
    void sortedResultIsReadForwardOnly() throws SQLException {
        try (PreparedStatement ps = veil.prepareStatement("SELECT id, last_name FROM people ORDER BY last_name, id");
             ResultSet rs = ps.executeQuery()) {
            assertEquals(ResultSet.TYPE_FORWARD_ONLY, rs.getType());
            assertTrue(rs.isBeforeFirst());
            assertTrue(rs.next());
            assertTrue(rs.isFirst());
            SQLException e = assertThrows(SQLException.class, () -> rs.absolute(3));
            assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState());
        }
    }

    @Test
    void refusesOrderByEncryptedColumnWhereItCannotBeExact() throws SQLException {
        refused("SELECT id, last_name FROM people ORDER BY last_name LIMIT 10", "people.last_name", "LIMIT");
        refused("SELECT id, last_name FROM people ORDER BY last_name OFFSET 10", "people.last_name", "OFFSET");
        refused("SELECT id FROM people ORDER BY last_name", "people.last_name", "select list");
        refused("SELECT last_name, count(*) FROM people GROUP BY last_name ORDER BY last_name", "people.last_name", "groups");
        try (var s = veil.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> {
                try (ResultSet rs = s.executeQuery("SELECT id, last_name FROM people ORDER BY last_name")) {
                    rs.next();
                }
            });
            assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState());
            assertTrue(e.getMessage().contains("PreparedStatement"), e.getMessage());
        }
    }

    private static void refused(String sql, String... fragments) {
        SQLException e = assertThrows(SQLException.class, () -> SearchFixture.rows(veil, sql), sql);
        assertTrue(e instanceof VeilException, e.toString());
        assertEquals(VeilState.UNSUPPORTED_SQL.sqlState(), e.getSQLState(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage() + " should contain " + f);
        }
    }
}
