package dev.veil.sql;

import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;
import net.sf.jsqlparser.schema.Table;

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
    final NameResolver names;
    private final Function<ProtectedRelations.ProtectedRelation, TablePolicy> views;
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
             Function<ProtectedRelations.ProtectedRelation, TablePolicy> views) {
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
        this.statements = new StatementAnalyzer(this, tables);
    }

    /** The relation a table reference in FROM, INTO or UPDATE names, resolved for the connection. */
    Relation.BaseTable table(Table t, String aliasKey) {
        NameResolver.Resolved r = names.resolve(t.getSchemaName(), t.getName());
        TablePolicy p = r.policy();
        if (r.relation() != null && r.relation().kind() == ProtectedRelations.Kind.VIEW) {
            p = views.apply(r.relation());
        }
        return new Relation.BaseTable(r.schema(), r.name(), aliasKey, p, live);
    }

    StatementAnalyzer statements() {
        return statements;
    }
}
