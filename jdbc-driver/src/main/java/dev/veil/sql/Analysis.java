package dev.veil.sql;

import dev.veil.policy.Policy;

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
    private final StatementAnalyzer statements;

    Analysis(Policy policy, FastPathFilter tables, LiveColumns live, ScannedSql sql) {
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

    StatementAnalyzer statements() {
        return statements;
    }
}
