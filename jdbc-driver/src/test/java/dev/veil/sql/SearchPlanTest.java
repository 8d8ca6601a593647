package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.PolicyLoader;
import dev.veil.search.SearchCapability;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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
        assertEquals(Map.of(SearchCapability.PREFIX, "o1_0.last_name_veil_prefix"), s.companions());
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
        assertEquals(3, p.applicationParameters(5));
    }

    @Test
    void aPlainSelectOfOneTableCanBeFilteredByASelectedColumn() throws VeilException {
        SearchPredicate s = plan("SELECT id, email FROM owners WHERE email LIKE ? AND id > ?").searches().get(0);
        assertEquals(2, s.resultColumn());
        assertEquals(0, plan("SELECT id, email FROM owners WHERE email LIKE ?").hidden(), "the searched column is selected");
        assertFalse(plan("SELECT id, email FROM owners WHERE email LIKE ? OR id = 1").searches().get(0).filterable());
        assertFalse(plan("SELECT count(*) FROM owners WHERE email LIKE ?").searches().get(0).filterable());
        assertFalse(plan("SELECT DISTINCT last_name FROM owners WHERE last_name LIKE ?").searches().get(0).filterable());
        assertTrue(plan("SELECT id, email FROM owners WHERE email LIKE ? ORDER BY id FOR UPDATE").searches().get(0).filterable());
    }

    @Test
    void aSearchedColumnTheQueryDoesNotSelectIsAppendedAfterTheApplicationsColumns() throws VeilException {
        StatementPlan p = plan("SELECT id FROM owners WHERE email LIKE ? AND id > ?");
        assertEquals(1, p.hidden());
        assertEquals(2, p.searches().get(0).resultColumn());
        assertEquals(2, p.resultColumns(0).size());
        assertEquals("owners.email", p.resultColumns(0).get(1).column().toString());
        assertTrue(p.expandedSql().startsWith("SELECT id, email AS veil_hidden_1 FROM owners WHERE (("), p.expandedSql());
        // the appended column holds no parameter: the application's parameters keep their place after the search markers
        assertEquals(1 + SearchSql.markers(p.searches().get(0)), p.serverIndex(2));

        StatementPlan two = plan("SELECT o.id, o.city AS \"Email\" FROM owners o WHERE o.email LIKE ? AND o.born BETWEEN ? AND ? "
                + "AND o.email LIKE ? ORDER BY 1");
        assertEquals(2, two.hidden());
        assertEquals(List.of(3, 4, 3), two.searches().stream().map(SearchPredicate::resultColumn).toList());
        assertTrue(two.expandedSql().startsWith("SELECT o.id, o.city AS \"Email\", o.email AS veil_hidden_1, o.born AS veil_hidden_2 "
                + "FROM owners o WHERE"), two.expandedSql());

        // literals before the insertion point move it per text; the plan of one text serves the other
        for (String lit : List.of("'a'", "'a much longer literal'")) {
            String sql = "SELECT id, " + lit + " FROM owners WHERE lower(last_name) = lower('x')";
            StatementPlan q = plan(sql);
            assertEquals(1, q.hidden());
            StatementPlan.Expansion append = q.expansions().get(0);
            assertEquals(sql.indexOf(" FROM"), append.start());
            assertEquals(append.start(), append.end());
            assertEquals(", last_name AS veil_hidden_1", append.replacement());
        }
    }

    @Test
    void noColumnIsAppendedWhereTheResultCannotBeFilteredOrAnOrderByPositionWouldMeanIt() throws VeilException {
        for (String sql : List.of("SELECT id FROM owners WHERE email LIKE ? LIMIT 5", "SELECT id FROM owners WHERE email LIKE ? OR id = 1",
                "SELECT count(*) FROM owners WHERE email LIKE ?", "SELECT id, (SELECT 1) FROM owners WHERE email LIKE ?",
                "SELECT id FROM owners WHERE email LIKE ? ORDER BY 2", "SELECT DISTINCT id FROM owners WHERE email LIKE ?",
                "SELECT id FROM owners WHERE id IN (SELECT id FROM owners WHERE email LIKE ?)")) {
            StatementPlan p = plan(sql);
            assertEquals(0, p.hidden(), sql);
            assertTrue(p.expandedSql().startsWith(sql.substring(0, sql.indexOf(" WHERE"))), p.expandedSql());
            assertFalse(p.expandedSql().contains("veil_hidden"), p.expandedSql());
            assertFalse(p.searches().get(0).filterable(), sql);
        }
        // a script: Veil filters none of its results, so it appends to none of them
        for (String sql : List.of("SELECT 1; SELECT id FROM owners WHERE email LIKE ?", "SELECT id FROM owners WHERE email LIKE ?; SELECT 1")) {
            StatementPlan p = plan(sql);
            assertEquals(0, p.hidden(), sql);
            assertFalse(p.expandedSql().contains("veil_hidden"), p.expandedSql());
            assertEquals(List.of(1, 1), p.resultSets().stream().map(List::size).toList(), sql);
        }
        // the same text with another position is another plan
        assertEquals(1, plan("SELECT id FROM owners WHERE email LIKE ? ORDER BY 1").hidden());
        assertEquals(0, plan("SELECT id FROM owners WHERE email LIKE ? ORDER BY 2").hidden());
    }

    @Test
    void withoutHiddenSendsTheQueryAsWrittenAndCannotFilter() throws VeilException {
        StatementPlan p = plan("SELECT id FROM owners WHERE email LIKE ?").withoutHidden();
        assertEquals(0, p.hidden());
        assertEquals(1, p.resultColumns(0).size());
        assertTrue(p.expandedSql().startsWith("SELECT id FROM owners WHERE (("), p.expandedSql());
        assertFalse(p.searches().get(0).filterable());
        StatementPlan selected = plan("SELECT id, email FROM owners WHERE email LIKE ?");
        assertTrue(selected.withoutHidden() == selected);
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
