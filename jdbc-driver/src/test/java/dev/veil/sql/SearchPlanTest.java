package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How predicates on searchable columns are planned: what is rewritten, where rows can be filtered, what is refused. */
class SearchPlanTest {
    private static final String POLICY = """
            version: 1
            keys:
              master: { provider: env }
            tables:
              owners:
                last_name: { mode: deterministic, search: [prefix, ci] }
                email: { mode: randomized, search: { prefix: { max: 10 }, substring: {} } }
                born: { mode: randomized, type: date, search: [range] }
                city: { mode: randomized }
            """;
    private final SqlAnalyzer analyzer;

    SearchPlanTest() throws VeilException {
        analyzer = new SqlAnalyzer(PolicyLoader.parse(POLICY, "test"), 100);
    }

    private StatementPlan plan(String sql) throws VeilException {
        return analyzer.plan(sql, null);
    }

    @Test
    void petClinicPagedSearchBecomesAPrefixConditionAndKeepsItsOtherParameters() throws VeilException {
        StatementPlan p = plan("select o1_0.id,o1_0.last_name from owners o1_0 where o1_0.last_name like ? escape '\\' "
                + "offset ? rows fetch first ? rows only");
        assertEquals(1, p.searches().size());
        SearchPredicate s = p.searches().get(0);
        assertEquals(SearchPredicate.Kind.LIKE, s.kind());
        assertEquals("\\", s.escape());
        assertEquals("o1_0.", s.qualifier());
        assertFalse(s.filterable(), "a paged query cannot be filtered after it ran");
        assertTrue(p.searchOperand(1));
        assertEquals(1, p.expansions().size());
        String sent = p.expansions().get(0).replacement();
        assertTrue(sent.contains("o1_0.last_name_veil_prefix && ?::bytea[]"), sent);
        assertFalse(sent.contains("ANY"), "a GIN index cannot serve = ANY over an array column");
        // the pattern became 3 markers (all, prefix switch, prefix tokens): OFFSET and FETCH move by 2
        assertEquals(4, p.serverIndex(2));
        assertEquals(5, p.serverIndex(3));
        assertEquals(3, SearchSql.markers(s));
    }

    @Test
    void aPlainSelectOfOneTableCanBeFilteredByASelectedColumn() throws VeilException {
        SearchPredicate s = plan("SELECT id, email FROM owners WHERE email LIKE ? AND id > ?").searches().get(0);
        assertEquals(2, s.resultColumn());
        assertFalse(plan("SELECT id FROM owners WHERE email LIKE ?").searches().get(0).filterable());
        assertFalse(plan("SELECT id, email FROM owners WHERE email LIKE ? OR id = 1").searches().get(0).filterable());
        assertFalse(plan("SELECT count(*) FROM owners WHERE email LIKE ?").searches().get(0).filterable());
        assertFalse(plan("SELECT DISTINCT last_name FROM owners WHERE last_name LIKE ?").searches().get(0).filterable());
        assertTrue(plan("SELECT id, email FROM owners WHERE email LIKE ? ORDER BY id FOR UPDATE").searches().get(0).filterable());
    }

    @Test
    void literalOperandsAreResolvedPerText() throws VeilException {
        String a = "SELECT id FROM owners WHERE born BETWEEN '2000-01-01' AND '2000-12-31' AND 'x' = 'x'";
        StatementPlan p = plan(a);
        SearchPredicate s = p.searches().get(0);
        assertTrue(s.literalOnly());
        assertEquals("2000-01-01", s.low().literal());
        assertEquals("2000-12-31", s.high().literal());
        assertEquals("born BETWEEN '2000-01-01' AND '2000-12-31'", a.substring(s.start(), s.end()));
        String b = "SELECT id FROM owners WHERE born BETWEEN '1999-1-1' AND '1999-12-31' AND 'x' = 'x'";
        SearchPredicate t = plan(b).searches().get(0);
        assertEquals("1999-1-1", t.low().literal());
        assertEquals("born BETWEEN '1999-1-1' AND '1999-12-31'", b.substring(t.start(), t.end()));
        String c = "SELECT id FROM owners WHERE 'z' = 'z' AND lower(last_name) = lower('SMITH')";
        SearchPredicate u = plan(c).searches().get(0);
        assertEquals(SearchPredicate.Kind.CI_EQUALS, u.kind());
        assertEquals("lower(last_name) = lower('SMITH')", c.substring(u.start(), u.end()));
        assertEquals("SMITH", u.low().literal());
    }

    @Test
    void rangesFaceEitherWay() throws VeilException {
        SearchPredicate s = plan("SELECT id FROM owners WHERE ? < born").searches().get(0);
        assertEquals(1, s.low().parameter());
        assertFalse(s.lowInclusive());
        assertEquals(null, s.high());
        SearchPredicate t = plan("SELECT id FROM owners WHERE born <= ?").searches().get(0);
        assertEquals(1, t.high().parameter());
        assertTrue(t.highInclusive());
    }

    @Test
    void refusalsNameTheColumnAndThePolicyChange() {
        for (String[] c : List.of(
                new String[] {"SELECT id FROM owners WHERE city LIKE ?", "search: [prefix"},
                new String[] {"SELECT id FROM owners WHERE city >= ?", "search: [range]"},
                new String[] {"SELECT id FROM owners WHERE lower(city) = lower(?)", "search: [ci]"},
                new String[] {"SELECT id FROM owners WHERE email ILIKE ?", "search: [ci]"},
                new String[] {"SELECT id FROM owners WHERE born LIKE ?", "search: [prefix"},
                new String[] {"SELECT id FROM owners WHERE NOT last_name LIKE ?", "NOT, in CASE"},
                new String[] {"SELECT CASE WHEN last_name LIKE ? THEN 1 END FROM owners", "CASE"},
                new String[] {"SELECT id FROM owners WHERE last_name NOT LIKE ?", "NOT LIKE"},
                new String[] {"SELECT id FROM owners WHERE born NOT BETWEEN ? AND ?", "NOT BETWEEN"},
                new String[] {"SELECT id FROM owners WHERE last_name LIKE city", "parameter or a literal"},
                new String[] {"SELECT id FROM owners WHERE lower(last_name) = ?", "lower(column) = lower(?)"})) {
            VeilException e = assertThrows(VeilException.class, () -> plan(c[0]), c[0]);
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("owners."), c[0] + ": " + e.getMessage());
        }
    }
}
