package dev.veil.sql;

import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.PlainSelect;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import java.util.function.Function;

/**
 * The state of analysing one SQL text: the inputs, what was found so far, and the analyzers that
 * share them.
 */
final class Analysis {
    final Policy policy;
    final LiveColumns live;
    final ScannedSql sql;
    final Bindings bindings = new Bindings();
    final ValueRules rules;
    final ExpressionAnalyzer expressions;
    final ComparisonAnalyzer comparisons;
    final OrderingAnalyzer ordering;
    final QueryAnalyzer queries;
    final SearchAnalyzer search;
    /** Predicates where a row matching them is kept and one not matching is dropped (under WHERE or ON, AND, OR). */
    final Set<Expression> positive = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The top-level AND terms of the WHERE of a {@link #filterableSelect}: rows failing them can be dropped after the query. */
    final Set<Expression> filterable = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The statement's own query when it is a plain SELECT (its ORDER BY may be answered by Veil), else {@code null}. */
    PlainSelect topSelect;
    /** The statement's query when Veil can drop rows from its result without changing anything else, else {@code null}. */
    PlainSelect filterableSelect;
    final NameResolver names;
    private final Function<ProtectedRelations.ProtectedRelation, ViewColumns> views;
    private final StatementAnalyzer statements;

    Analysis(Policy policy, FastPathFilter tables, LiveColumns live, ScannedSql sql) {
        this(policy, tables, live, sql, NameResolver.policyOnly(policy), v -> null);
    }

    /**
     * @param names resolves table names for the connection
     * @param views maps a protected view to the policy of the columns it exposes (throws a
     *        {@link Rejection} when it cannot be mapped)
     */
    Analysis(Policy policy, FastPathFilter tables, LiveColumns live, ScannedSql sql, NameResolver names,
             Function<ProtectedRelations.ProtectedRelation, ViewColumns> views) {
        this.names = names;
        this.views = views;
        this.policy = policy;
        this.live = live;
        this.sql = sql;
        this.rules = new ValueRules(bindings);
        this.expressions = new ExpressionAnalyzer(this);
        this.comparisons = new ComparisonAnalyzer(this);
        this.ordering = new OrderingAnalyzer(this);
        this.queries = new QueryAnalyzer(this);
        this.search = new SearchAnalyzer(this);
        this.statements = new StatementAnalyzer(this, tables);
    }

    /** The relation a table reference in FROM, INTO or UPDATE names, resolved for the connection. */
    Relation.BaseTable table(Table t, String aliasKey) {
        NameResolver.Resolved r = names.resolve(t.getSchemaName(), t.getName());
        TablePolicy p = r.policy();
        ViewColumns view = null;
        if (r.relation() != null && r.relation().kind().isView()) {
            view = views.apply(r.relation());
            p = view == null ? null : view.policy();
        }
        return new Relation.BaseTable(r.schema(), r.name(), aliasKey, p, view, live);
    }

    /**
     * Analyses a search condition (WHERE, ON): the predicates it is made of with AND and OR are
     * positive; its top-level AND terms are also filterable when {@code filterable}.
     */
    void condition(Expression e, Scope scope, boolean filterable) {
        mark(e, filterable);
        expressions.analyze(e, scope);
    }

    private void mark(Expression e, boolean conjunct) {
        if (e instanceof AndExpression a) {
            mark(a.getLeftExpression(), conjunct);
            mark(a.getRightExpression(), conjunct);
        } else if (e instanceof OrExpression o) {
            mark(o.getLeftExpression(), false);
            mark(o.getRightExpression(), false);
        } else if (e instanceof Parenthesis p) {
            mark(p.getExpression(), conjunct);
        } else if (e instanceof ParenthesedExpressionList<?> l && l.size() == 1) {
            mark(l.get(0), conjunct);
        } else if (e != null) {
            positive.add(e);
            if (conjunct) {
                filterable.add(e);
            }
        }
    }

    StatementAnalyzer statements() {
        return statements;
    }
}
