package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.search.SearchCapability;
import dev.veil.search.SearchTokens;
import dev.veil.sql.SearchPredicate;
import dev.veil.sql.SearchSql;
import dev.veil.sql.StatementPlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The search predicates of one statement (see {@link SearchPredicate}): writes the condition of
 * those with literal operands into the text, keeps the values bound to parameter operands and
 * binds their conditions' tokens before each run, and says which rows Veil must drop after the
 * query. Not thread-safe; one per statement.
 */
final class SearchRun {
    private final StatementPlan plan;
    /** The token source of each of {@link StatementPlan#searches()}, by position (records hash deeply: no map). */
    private final SearchTokens[] tokens;
    private final Map<Integer, Object> bound = new HashMap<>();
    /** Filters of predicates written into the text (decided once). */
    private final List<RowFilter.Check> fixed = new ArrayList<>();
    /** Filters of predicates bound at the last run. */
    private final List<RowFilter.Check> current = new ArrayList<>();

    private SearchRun(StatementPlan plan, SearchTokens[] tokens) {
        this.plan = plan;
        this.tokens = tokens;
    }

    /**
     * The search state of a plan, or {@code null} when it has no search predicate.
     *
     * @throws VeilException {@code VE006} when a searched column's guard is not in force ({@link VeilConnection#requireSearchGuard})
     */
    static SearchRun of(VeilConnection connection, StatementPlan plan) throws SQLException {
        if (plan.searches().isEmpty()) {
            return null;
        }
        List<SearchPredicate> searches = plan.searches();
        SearchTokens[] tokens = new SearchTokens[searches.size()];
        for (int i = 0; i < tokens.length; i++) {
            connection.requireSearchGuard(searches.get(i).column(), searches.get(i).companions().keySet());
            tokens[i] = connection.runtime().veil().searchTokens(searches.get(i).column());
        }
        return new SearchRun(plan, tokens);
    }

    /** Whether application parameter {@code index} is a search operand (its value is kept, not sent). */
    boolean takes(int index) {
        return plan.searchOperand(index);
    }

    /** Keeps the value of a search operand parameter until the statement runs. */
    void set(int index, Object value) {
        bound.put(index, value);
    }

    void clear() {
        bound.clear();
    }

    /** The condition a predicate with literal operands is sent as. */
    String inline(SearchPredicate p) throws SQLException {
        SearchDecision d = decide(p, tokens(p));
        if (d.arm() == null) {
            return "(FALSE)";
        }
        admit(p, d, fixed);
        return SearchSql.inline(p, d.arm(), d.tokens());
    }

    /**
     * Binds the conditions of the predicates with parameters, from the values bound so far, to
     * the statement sent.
     *
     * @throws SQLException {@code 07001} when an operand was not bound; {@code VE006} for a value the
     *         index cannot serve here
     */
    void bind(PreparedStatement ps, Connection raw) throws SQLException {
        current.clear();
        List<SearchPredicate> searches = plan.searches();
        for (int i = 0; i < searches.size(); i++) {
            SearchPredicate p = searches.get(i);
            if (p.literalOnly()) {
                continue;
            }
            SearchDecision d = decide(p, tokens[i]);
            admit(p, d, current);
            int first = p.low() != null && p.low().isParameter() ? p.low().parameter() : p.high().parameter();
            bindArms(ps, raw, plan.serverIndex(first), p, d);
        }
    }

    /** The rows to drop after the query, or {@code null} when every condition was exact. */
    RowFilter filter() {
        if (fixed.isEmpty() && current.isEmpty()) {
            return null;
        }
        List<RowFilter.Check> all = new ArrayList<>(fixed);
        all.addAll(current);
        return new RowFilter(all);
    }

    private SearchDecision decide(SearchPredicate p, SearchTokens source) throws SQLException {
        return SearchDecision.of(p, value(p.low()), value(p.high()), source);
    }

    /** The token source of a predicate of the plan (found by identity: the plan's own instances). */
    private SearchTokens tokens(SearchPredicate p) {
        List<SearchPredicate> searches = plan.searches();
        for (int i = 0; i < searches.size(); i++) {
            if (searches.get(i) == p) {
                return tokens[i];
            }
        }
        throw new IllegalArgumentException("not a predicate of this plan");
    }

    private Object value(SearchPredicate.Operand o) throws SQLException {
        if (o == null) {
            return null;
        }
        if (!o.isParameter()) {
            return o.literal();
        }
        if (!bound.containsKey(o.parameter())) {
            throw new SQLException("No value specified for parameter " + o.parameter() + ".", "07001");
        }
        return bound.get(o.parameter());
    }

    /** Accepts an exact decision; an inexact one only where its rows can be filtered. */
    private void admit(SearchPredicate p, SearchDecision d, List<RowFilter.Check> filters) throws VeilException {
        if (d.exact()) {
            return;
        }
        if (!p.filterable() || plan.resultSets().size() != 1) {
            throw d.notExact(p);
        }
        filters.add(new RowFilter.Check(p.resultColumn(), d.test()));
    }

    private static void bindArms(PreparedStatement ps, Connection raw, int at, SearchPredicate p, SearchDecision d)
            throws SQLException {
        if (p.kind() != SearchPredicate.Kind.LIKE) {
            array(ps, raw, at, d.arm() == null ? null : d.tokens().get(0));
            return;
        }
        ps.setBoolean(at++, d.arm() == SearchSql.Arm.ALL);
        if (p.column().searchable(SearchCapability.PREFIX)) {
            boolean on = d.arm() == SearchSql.Arm.PREFIX;
            ps.setBoolean(at++, on);
            array(ps, raw, at++, on ? d.tokens().get(0) : null);
        }
        if (p.column().searchable(SearchCapability.SUBSTRING)) {
            boolean on = d.arm() == SearchSql.Arm.SUBSTRING;
            ps.setBoolean(at++, on);
            for (int v = 0; v < SearchSql.VERSION_SLOTS; v++) {
                // slots past the live versions repeat the first version's grams
                array(ps, raw, at++, on ? d.tokens().get(v < d.tokens().size() ? v : 0) : null);
            }
        }
    }

    private static void array(PreparedStatement ps, Connection raw, int at, List<byte[]> tokens) throws SQLException {
        if (tokens == null) {
            ps.setNull(at, Types.ARRAY);
        } else {
            ps.setArray(at, raw.createArrayOf("bytea", tokens.toArray(new byte[0][])));
        }
    }
}
