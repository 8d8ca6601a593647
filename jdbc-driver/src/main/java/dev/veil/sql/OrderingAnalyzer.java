package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.OrderByElement;

import java.util.List;

/**
 * ORDER BY, GROUP BY, DISTINCT ON and PARTITION BY: no ordering by an encrypted column (its
 * ciphertext order means nothing), and grouping only by deterministic ones. Items may name an
 * output column by alias or position.
 */
final class OrderingAnalyzer {
    private final Analysis analysis;

    OrderingAnalyzer(Analysis analysis) {
        this.analysis = analysis;
    }

    /** Analyses ORDER BY items; {@code select} resolves output aliases and positions (may be null). */
    void orderBy(List<OrderByElement> items, Scope scope, List<OutputColumn> select) {
        if (items == null) {
            return;
        }
        for (OrderByElement item : items) {
            ColumnPolicy c = outputReference(item.getExpression(), scope, select).encrypted();
            if (c != null) {
                throw Rejection.unsupported(c, "ORDER BY is not supported on encrypted columns");
            }
        }
    }

    /** Analyses a grouping or DISTINCT expression: encrypted values must be deterministic. */
    void grouping(Expression e, Scope scope, List<OutputColumn> select, String clause) {
        ColumnPolicy c = outputReference(e, scope, select).encrypted();
        if (c != null && !c.isDeterministic()) {
            throw Rejection.unsupported(c, clause + " needs deterministic encryption; the column is randomized");
        }
        if (c != null) {
            analysis.bindings.versionSensitive(c);
        }
    }

    /** An expression in ORDER BY / GROUP BY: an output alias, an output position, or an expression. */
    private Origin outputReference(Expression e, Scope scope, List<OutputColumn> select) {
        if (select != null) {
            if (e instanceof Column c && c.getTable() == null) {
                String key = Scope.key(c.getColumnName());
                for (OutputColumn o : select) {
                    if (key.equals(o.name())) {
                        return o.origin();
                    }
                }
            }
            if (e instanceof LongValue l) {
                SqlLiteral literal = analysis.sql.literal(l.getStringValue(), true);
                if (literal != null) {
                    analysis.bindings.read(Integer.parseInt(l.getStringValue()), literal.value());
                    try {
                        int position = Integer.parseInt(literal.value());
                        if (position >= 1 && position <= select.size()) {
                            return select.get(position - 1).origin();
                        }
                    } catch (NumberFormatException ignored) {
                        // not a position
                    }
                }
                return Origin.PLAIN;
            }
        }
        return analysis.expressions.analyze(e, scope);
    }
}
