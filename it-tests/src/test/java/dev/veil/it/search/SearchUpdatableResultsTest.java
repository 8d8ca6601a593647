package dev.veil.it.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Updatable result sets of searches the index over-matches, whose searched column is not selected:
 * Veil filters them by a column it appends, and the application updates, deletes and inserts rows
 * through them as through the plaintext query's: only its own plain columns are written, the
 * appended column can be neither read nor written, encrypted values and their companion columns
 * stay as they were.
 */
class SearchUpdatableResultsTest extends SearchCopiesTest {
    /** Longer than the indexed prefix: the index over-matches and Veil filters. */
    private static final String PATTERN = "Davidsonsworth%";
    /** Every stored value as text (a bytea read with getString in binary transfer would print as an array's identity). */
    private static final String TABLE_STATE = "SELECT id, last_name::text, email::text, born::text, amount::text, last_name_veil_prefix::text, "
            + "last_name_veil_ci::text, email_veil_prefix::text, email_veil_sub::text, born_veil_range::text, amount_veil_range::text "
            + "FROM people ORDER BY id";

    @Override
    int rows() {
        return 1200;
    }

    @Override
    void prepare() throws Exception {
        try (Statement s = veil.createStatement()) {
            s.execute("ALTER TABLE people ADD COLUMN tag text");
        }
    }

    /** The ids the plaintext copy gives for the pattern, at least two. */
    private List<Integer> expectedIds() throws SQLException {
        List<Integer> ids = new ArrayList<>();
        for (String row : SearchFixture.rows(raw, "SELECT id FROM people_plain WHERE last_name LIKE ? ORDER BY id", PATTERN)) {
            ids.add(Integer.valueOf(row.substring(0, row.indexOf('|'))));
        }
        assertTrue(ids.size() >= 2, ids.toString());
        return ids;
    }

    /** Every row's id, encrypted values and companion columns as stored, with the id {@code skip} left out. */
    private List<String> stored(int skip) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String row : SearchFixture.rows(raw, TABLE_STATE)) {
            if (!row.startsWith(skip + "|")) {
                out.add(row);
            }
        }
        return out;
    }

    private interface Query {
        ResultSet open(Connection c) throws SQLException;
    }

    /** Tags every row of the search, deletes the first, inserts one; checks each step against the plaintext answer. */
    private void updateThrough(Query query, String tag, int inserted) throws Exception {
        List<Integer> expected = expectedIds();
        List<String> before = stored(expected.get(0));
        try (ResultSet rs = query.open(veil)) {
            assertEquals(ResultSet.CONCUR_UPDATABLE, rs.getConcurrency());
            assertEquals(2, rs.getMetaData().getColumnCount());
            List<Integer> seen = new ArrayList<>();
            while (rs.next()) {
                int id = rs.getInt("id");
                seen.add(id);
                assertThrows(SQLException.class, () -> rs.getString(3));
                assertThrows(SQLException.class, () -> rs.updateString(3, "x"));
                assertThrows(SQLException.class, () -> rs.updateString("veil_hidden_1", "x"));
                assertThrows(SQLException.class, () -> rs.updateString("last_name", "Plain"));
                if (id == expected.get(0)) {
                    rs.deleteRow();
                } else {
                    rs.updateString("tag", tag + id);
                    rs.updateRow();
                    assertEquals(tag + id, rs.getString("tag"));
                    rs.refreshRow();
                    assertEquals(tag + id, rs.getString(2));
                    assertEquals(2, rs.getMetaData().getColumnCount());
                }
            }
            assertEquals(expected, seen);
            rs.moveToInsertRow();
            rs.updateInt("id", inserted);
            rs.updateString("tag", tag + "new");
            rs.insertRow();
            rs.moveToCurrentRow();
        }
        // the tags went exactly to the rows the plaintext search gives, minus the deleted one
        List<String> tagged = new ArrayList<>();
        for (String row : SearchFixture.rows(raw, "SELECT id, tag FROM people WHERE tag LIKE ? ORDER BY id", tag + "%")) {
            tagged.add(row);
        }
        List<String> want = new ArrayList<>();
        for (int id : expected.subList(1, expected.size())) {
            want.add(id + "|" + tag + id + "|");
        }
        want.add(inserted + "|" + tag + "new|");
        assertEquals(want, tagged);
        // encrypted values and companion columns untouched; the inserted row has none
        List<String> after = stored(inserted);
        assertTrue(before.equals(after), "encrypted values or companion columns changed");
        assertEquals(List.of(inserted + "|null|null|null|null|null|null|null|null|null|null|"),
                SearchFixture.rows(raw, TABLE_STATE.replace("ORDER BY id", "WHERE id = ?"), inserted));
        assertNotEquals(List.of(), SearchFixture.rows(veil, "SELECT id FROM people WHERE last_name LIKE ?", PATTERN));
        // delete's effect: the plaintext copy follows, so the next round's expectations hold
        try (PreparedStatement ps = raw.prepareStatement("DELETE FROM people_plain WHERE id = ?")) {
            ps.setInt(1, expected.get(0));
            assertEquals(1, ps.executeUpdate());
        }
        assertFalse(SearchFixture.rows(veil, "SELECT id FROM people WHERE id = ?", expected.get(0)).iterator().hasNext());
    }

    @Test
    void companionColumnsCannotBeWrittenThroughAnUpdatableResult() throws Exception {
        List<String> before = stored(0);
        for (String sql : List.of("SELECT * FROM people WHERE id = 5", "SELECT id, last_name_veil_ci AS x, tag FROM people WHERE id = 5",
                "SELECT p.id, p.email_veil_sub FROM people p WHERE p.id = 5")) {
            try (Statement s = veil.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                 ResultSet rs = s.executeQuery(sql)) {
                assertTrue(rs.next());
                int column = rs.getMetaData().getColumnCount() > 3 ? rs.findColumn("last_name_veil_prefix") : 2;
                VeilException e = assertThrows(VeilException.class, () -> rs.updateObject(column, null), sql);
                assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
                assertTrue(e.getMessage().contains("search index"), e.getMessage());
                assertThrows(VeilException.class, () -> rs.updateBytes(column, new byte[16]), sql);
                String label = rs.getMetaData().getColumnLabel(column);
                assertThrows(VeilException.class, () -> rs.updateBytes(label, new byte[16]), sql);
                rs.moveToInsertRow();
                assertThrows(VeilException.class, () -> rs.updateBytes(column, new byte[16]), sql);
            }
        }
        assertTrue(before.equals(stored(0)), "companion columns changed");
    }

    @Test
    void forwardOnlyStatement() throws Exception {
        Statement s = veil.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
        try (s) {
            updateThrough(c -> s.executeQuery("SELECT id, tag FROM people WHERE last_name LIKE '" + PATTERN + "' ORDER BY id"), "f", 900_001);
        }
    }

    @Test
    void scrollInsensitiveStatement() throws Exception {
        Statement s = veil.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
        try (s) {
            updateThrough(c -> s.executeQuery("SELECT id, tag FROM people WHERE last_name LIKE '" + PATTERN + "' ORDER BY id"), "s", 900_002);
        }
    }

    @Test
    void preparedStatement() throws Exception {
        for (int type : new int[] {ResultSet.TYPE_FORWARD_ONLY, ResultSet.TYPE_SCROLL_INSENSITIVE}) {
            PreparedStatement ps = veil.prepareStatement("SELECT p.id, p.tag FROM people p WHERE p.last_name LIKE ? ORDER BY p.id", type,
                    ResultSet.CONCUR_UPDATABLE);
            try (ps) {
                ps.setString(1, PATTERN);
                updateThrough(c -> ps.executeQuery(), "p" + type, 900_010 + type);
            }
        }
    }
}
