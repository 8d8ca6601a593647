package dev.veil.it.search;

import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How PostgreSQL plans the statements Veil sends for searches: the companion columns keep no
 * planner statistics (the DDL sets them off), so a prepared range search settles on one generic
 * plan instead of being planned, with the tokens' statistics read, at every execution; the
 * answers stay those of the plaintext copy.
 */
class SearchPlansTest extends SearchCopiesTest {
    private static final int EXECUTIONS = 15;

    @Override
    int rows() {
        return 20_000;
    }

    @Override
    void prepare() throws Exception {
        try (Statement s = raw.createStatement()) {
            s.execute("ANALYZE people");
        }
    }

    @Test
    void analyzeGathersNoStatisticsOnTheCompanionColumns() throws SQLException {
        List<String> analyzed = SearchFixture.rows(raw, "SELECT attname FROM pg_stats WHERE tablename = 'people' ORDER BY attname");
        assertEquals(List.of("amount|", "born|", "email|", "id|", "last_name|", "note|"), analyzed);
    }

    @Test
    void theStatementsThatClearStatisticsRunThroughVeil() throws Exception {
        // what 'veil policy check' prints for a companion column analyzed before, run by a migration tool on the application's data source
        try (Statement s = veil.createStatement()) {
            s.execute("ALTER TABLE people ALTER COLUMN amount_veil_range SET STATISTICS -1");
            s.execute("ANALYZE people");
            assertEquals(List.of("1|"), SearchFixture.rows(raw, "SELECT count(*) FROM pg_stats WHERE attname = 'amount_veil_range'"));
            s.execute("ALTER TABLE people ALTER COLUMN amount_veil_range SET STATISTICS 0");
            s.execute("ALTER TABLE people ALTER COLUMN amount_veil_range TYPE bytea[]");
            s.execute("ANALYZE people");
        }
        assertEquals(List.of("0|"), SearchFixture.rows(raw, "SELECT count(*) FROM pg_stats WHERE attname = 'amount_veil_range'"));
        assertEquals(SearchFixture.rows(raw, "SELECT id FROM people_plain WHERE amount BETWEEN ? AND ? ORDER BY id", -500L, 500L),
                SearchFixture.rows(veil, "SELECT id FROM people WHERE amount BETWEEN ? AND ? ORDER BY id", -500L, 500L));
    }

    @Test
    void aPreparedRangeSearchRunsOnOneGenericPlan() throws SQLException {
        try (PreparedStatement ps = veil.prepareStatement("SELECT id, born FROM people WHERE born BETWEEN ? AND ? ORDER BY id")) {
            for (int i = 0; i < EXECUTIONS; i++) {
                LocalDate from = SearchFixture.EPOCH.plusDays(1_500L * i);
                ps.setObject(1, from);
                ps.setObject(2, from.plusDays(6));
                assertEquals(SearchFixture.rows(raw, "SELECT id, born FROM people_plain WHERE born BETWEEN ? AND ? ORDER BY id", from,
                        from.plusDays(6)), rows(ps));
            }
        }
        assertGenericPlans("born_veil_range");
    }

    /** The server-prepared statement of this connection that reads {@code companion} was planned generically, after at most five custom plans. */
    private void assertGenericPlans(String companion) throws SQLException {
        List<String> plans = SearchFixture.rows(veil, "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE ?",
                "%" + companion + " %");
        assertEquals(1, plans.size(), plans::toString);
        String[] counts = plans.get(0).split("\\|");
        assertTrue(Long.parseLong(counts[0]) >= EXECUTIONS - 10 && Long.parseLong(counts[1]) <= 5,
                "generic and custom plans of the search: " + plans);
    }

    private static List<String> rows(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2) + "|");
            }
        }
        return out;
    }
}
