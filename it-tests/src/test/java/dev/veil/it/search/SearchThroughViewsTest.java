package dev.veil.it.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Searches through views over the searchable table: where the view exposes the searched column's
 * companion columns (under any name), the rows are those PostgreSQL gives on the plaintext copy;
 * where it does not, Veil refuses with VE006 naming the column, the relation and the missing
 * companion, instead of sending a query that fails on an undefined column. A materialized view's
 * rows are a stored copy the guard does not cover: searches through it are refused, other reads
 * are answered.
 */
class SearchThroughViewsTest extends SearchCopiesTest {
    @Override
    int rows() {
        return 1200;
    }

    @Override
    void prepare() throws Exception {
        // Veil refuses to create a materialized view over ciphertext; an administrator can. The
        // views created through Veil after them make its catalog snapshot learn all of them.
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE MATERIALIZED VIEW people_mv AS SELECT id, last_name, last_name_veil_prefix, born, born_veil_range FROM people");
            s.execute("CREATE MATERIALIZED VIEW people_mv_bare AS SELECT id, last_name, born FROM people");
        }
        try (Statement s = veil.createStatement()) {
            s.execute("CREATE VIEW people_bare AS SELECT id, last_name, email, born, amount FROM people");
            s.execute("CREATE VIEW people_all AS SELECT * FROM people");
            s.execute("CREATE VIEW people_renamed AS SELECT p.id, p.last_name AS surname, p.last_name_veil_prefix AS surname_veil_prefix, "
                    + "p.last_name_veil_ci AS folded, p.born AS birth, p.born_veil_range AS birth_buckets, p.email AS mail FROM people p");
            s.execute("CREATE VIEW people_mixed AS SELECT p.id, p.last_name, q.last_name_veil_prefix FROM people p JOIN people q ON q.id = p.id + 1");
        }
    }

    /** {@code select} through Veil gives the rows of {@code plain} on the plaintext copy, and at least one. */
    private void same(String plain, String select, Object... params) throws SQLException {
        List<String> expected = SearchFixture.rows(raw, plain, params);
        assertFalse(expected.isEmpty(), plain);
        assertEquals(expected, SearchFixture.rows(veil, select, params), select);
    }

    /** {@code sql} is refused with VE006 naming the column, the relation and the missing companion column. */
    private void refused(String sql, String column, String relation, String companion, Object... params) {
        VeilException e = assertThrows(VeilException.class, () -> SearchFixture.rows(veil, sql, params), sql);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), sql + ": " + e.getMessage());
        for (String part : List.of(column, relation, companion, "add")) {
            assertTrue(e.getMessage().contains(part), part + " not in: " + e.getMessage());
        }
    }

    @Test
    void aViewWithoutTheCompanionColumnRefusesTheSearchWithVeilsError() {
        refused("SELECT id FROM people_bare WHERE last_name LIKE ?", "last_name", "people_bare", "last_name_veil_prefix", "Da%");
        refused("SELECT id FROM people_bare WHERE last_name LIKE 'Da%'", "last_name", "people_bare", "last_name_veil_prefix");
        refused("SELECT id FROM people_bare b WHERE lower(b.last_name) = lower(?)", "last_name", "people_bare", "last_name_veil_ci", "davis");
        refused("SELECT id FROM people_bare WHERE last_name ILIKE 'davis'", "last_name", "people_bare", "last_name_veil_ci");
        refused("SELECT id FROM people_bare WHERE born BETWEEN ? AND ?", "born", "people_bare", "born_veil_range",
                LocalDate.of(1970, 1, 1), LocalDate.of(1971, 1, 1));
        refused("SELECT id FROM people_bare WHERE amount > ?", "amount", "people_bare", "amount_veil_range", 5L);
        refused("SELECT id FROM people_bare WHERE email LIKE ?", "email", "people_bare", "email_veil_sub", "%exa%");
        refused("SELECT id, mail FROM people_renamed WHERE mail LIKE '%exa%'", "email", "people_renamed", "veil_prefix");
        // a sub-query that leaves the companion out is the same case
        refused("SELECT s.id FROM (SELECT id, last_name FROM people) s WHERE s.last_name LIKE 'Da%'", "last_name", "s",
                "last_name_veil_prefix");
    }

    /** {@code sql} (a write) is refused with VE006, its message naming {@code column}, {@code view} and {@code companion}. */
    private void writeRefused(String sql, String column, String view, String companion, Object... params) throws SQLException {
        try (PreparedStatement ps = veil.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            VeilException e = assertThrows(VeilException.class, ps::executeUpdate, sql);
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), sql + ": " + e.getMessage());
            for (String part : List.of(column, view, companion)) {
                assertTrue(e.getMessage().contains(part), part + " not in: " + e.getMessage());
            }
        } catch (VeilException e) {
            // refused when prepared
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), sql + ": " + e.getMessage());
            for (String part : List.of(column, view, companion)) {
                assertTrue(e.getMessage().contains(part), part + " not in: " + e.getMessage());
            }
        }
    }

    @Test
    void writesThroughAViewMaintainTheIndexOrAreRefused() throws Exception {
        writeRefused("INSERT INTO people_bare (id, last_name) VALUES (?, ?)", "last_name", "people_bare", "last_name_veil_prefix",
                900_001, "Viewwriter");
        writeRefused("UPDATE people_bare SET amount = ? WHERE id = ?", "amount", "people_bare", "amount_veil_range", 5L, 7);
        writeRefused("UPDATE people_renamed SET surname = ? WHERE id = ?", "last_name", "people_renamed", "last_name_veil_prefix",
                "Renamed", 7);
        assertEquals(List.of(), SearchFixture.rows(raw, "SELECT id FROM people WHERE id = 900001"));
        // a column that is not searchable is written through the view as before
        try (PreparedStatement ps = veil.prepareStatement("UPDATE people_bare SET id = id WHERE id = ?")) {
            ps.setInt(1, 7);
            assertEquals(1, ps.executeUpdate());
        }
        // a view that exposes the companion columns under their names is written with them
        try (PreparedStatement ps = veil.prepareStatement("INSERT INTO people_all (id, last_name, amount) VALUES (?, ?, ?)")) {
            ps.setInt(1, 900_002);
            ps.setString(2, "Viewwriter");
            ps.setLong(3, 4242L);
            assertEquals(1, ps.executeUpdate());
        }
        assertEquals(List.of("900002|Viewwriter|"), SearchFixture.rows(veil, "SELECT id, last_name FROM people WHERE last_name LIKE ?", "Viewwr%"));
        assertEquals(List.of("900002|"), SearchFixture.rows(veil, "SELECT id FROM people WHERE amount BETWEEN ? AND ?", 4242L, 4242L));
        // a companion column cannot be written directly through a view either, under any name
        writeRefused("UPDATE people_renamed SET surname_veil_prefix = NULL WHERE id = ?", "last_name", "surname_veil_prefix",
                "search index", 7);
        try (Statement s = veil.createStatement()) {
            assertEquals(1, s.executeUpdate("DELETE FROM people WHERE id = 900002")); // the other tests compare with the plaintext copy
        }
    }

    @Test
    void aCompanionColumnOfAnotherRowDoesNotServe() {
        refused("SELECT id FROM people_mixed WHERE last_name LIKE 'Da%'", "last_name", "people_mixed", "last_name_veil_prefix");
    }

    @Test
    void aViewWithTheCompanionColumnsGivesThePlaintextAnswer() throws Exception {
        for (String pattern : List.of("Dav%", "Davidsonsworth%", "Da_i%", "smith%", "%")) {
            same("SELECT id, last_name FROM people_plain WHERE last_name LIKE ? ORDER BY id",
                    "SELECT id, last_name FROM people_all WHERE last_name LIKE ? ORDER BY id", pattern);
            // the searched column not selected: filtered through a hidden column as on the table
            same("SELECT id FROM people_plain WHERE last_name LIKE ? ORDER BY id",
                    "SELECT a.id FROM people_all a WHERE a.last_name LIKE ? ORDER BY a.id", pattern);
        }
        same("SELECT id, email FROM people_plain WHERE email LIKE ? ORDER BY id",
                "SELECT id, email FROM people_all WHERE email LIKE ? ORDER BY id", "%exa_mple%");
        same("SELECT id FROM people_plain WHERE lower(last_name) = lower(?) ORDER BY id",
                "SELECT id FROM people_all WHERE lower(last_name) = lower(?) ORDER BY id", "SMITH");
        same("SELECT id, born FROM people_plain WHERE born BETWEEN ? AND ? ORDER BY id",
                "SELECT id, born FROM people_all WHERE born BETWEEN ? AND ? ORDER BY id", LocalDate.of(1971, 3, 9), LocalDate.of(1975, 12, 31));
        same("SELECT id, amount FROM people_plain WHERE amount >= ? ORDER BY id",
                "SELECT id, amount FROM people_all WHERE amount >= ? ORDER BY id", 90_000L);
    }

    @Test
    void aViewThatRenamesColumnsAndCompanionsGivesThePlaintextAnswer() throws Exception {
        for (String pattern : List.of("Dav%", "Davidsonsworth%", "Müll%")) {
            same("SELECT id, last_name FROM people_plain WHERE last_name LIKE ? ORDER BY id",
                    "SELECT id, surname FROM people_renamed WHERE surname LIKE ? ORDER BY id", pattern);
            same("SELECT id FROM people_plain WHERE last_name LIKE ? ORDER BY id",
                    "SELECT r.id FROM people_renamed r WHERE r.surname LIKE ? ORDER BY r.id", pattern);
        }
        same("SELECT id, last_name FROM people_plain WHERE upper(last_name) = upper('müller') ORDER BY id",
                "SELECT id, surname FROM people_renamed WHERE upper(surname) = upper('müller') ORDER BY id");
        same("SELECT id, born FROM people_plain WHERE born < ? ORDER BY id",
                "SELECT id, birth FROM people_renamed WHERE birth < ? ORDER BY id", LocalDate.of(1952, 6, 1));
        same("SELECT id FROM people_plain WHERE born > ? ORDER BY id",
                "SELECT id FROM people_renamed WHERE birth > ? ORDER BY id", LocalDate.of(2017, 6, 1));
    }

    @Test
    void aSearchThroughAMaterializedViewIsRefusedAndItsOtherReadsAnswered() throws Exception {
        for (String[] search : new String[][] {{"SELECT id, last_name FROM people_mv WHERE last_name LIKE 'Dav%'", "last_name", "people_mv"},
                {"SELECT id FROM people_mv WHERE born BETWEEN '1980-01-01' AND '1980-12-31'", "born", "people_mv"},
                {"SELECT id FROM people_mv_bare WHERE last_name LIKE 'Da%'", "last_name", "people_mv_bare"},
                {"SELECT id FROM people_mv_bare WHERE born < '1960-01-01'", "born", "people_mv_bare"}}) {
            VeilException e = assertThrows(VeilException.class, () -> SearchFixture.rows(veil, search[0]), search[0]);
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), search[0] + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("people." + search[1] + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(" through materialized view public." + search[2] + " cannot be answered exactly: its rows are "
                    + "the copy its last REFRESH made"), e.getMessage());
        }
        same("SELECT id, last_name FROM people_plain WHERE last_name = 'Davis' ORDER BY id",
                "SELECT id, last_name FROM people_mv WHERE last_name = 'Davis' ORDER BY id");
        same("SELECT id, born FROM people_plain WHERE id < 50 ORDER BY id", "SELECT id, born FROM people_mv_bare WHERE id < 50 ORDER BY id");
    }

    @Test
    void aSubQueryThatKeepsTheCompanionColumnGivesThePlaintextAnswer() throws Exception {
        // exact tokens (case-folded equality): a sub-query's rows cannot be filtered after the query
        same("SELECT id FROM people_plain WHERE lower(last_name) = lower('SMITH') ORDER BY id",
                "SELECT s.id FROM (SELECT id, last_name AS n, last_name_veil_ci AS n_ci FROM people) s WHERE lower(s.n) = lower('SMITH') ORDER BY s.id");
    }
}
