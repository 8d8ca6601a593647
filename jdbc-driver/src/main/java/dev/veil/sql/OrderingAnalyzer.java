package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;

import java.util.ArrayList;
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
        orderBy(items, scope, select, null);
    }

    /**
     * Analyses ORDER BY items of query block {@code block} (may be null). An encrypted sort key is
     * answered by Veil, which sorts the decrypted rows after the query ran, only in the statement's
     * own plain SELECT of one table without LIMIT, OFFSET or FETCH, and only when every sort key
     * is in the select list; anywhere else it is refused.
     */
    void orderBy(List<OrderByElement> items, Scope scope, List<OutputColumn> select, PlainSelect block) {
        if (items == null) {
            return;
        }
        ColumnPolicy first = null;
        for (OrderByElement item : items) {
            ColumnPolicy c = outputReference(item.getExpression(), scope, select).encrypted();
            if (c != null && first == null) {
                first = c;
            }
        }
        if (first == null) {
            return;
        }
        if (block == null || block != analysis.topSelect) {
            throw Rejection.unsupported(first, "ORDER BY is not supported on encrypted columns here: Veil sorts by an encrypted "
                    + "column only in the statement's own SELECT, by decrypting the rows it returns");
        }
        if (block.getLimit() != null || block.getOffset() != null || block.getFetch() != null || block.getTop() != null) {
            throw Rejection.unsupported(first, "ORDER BY is not supported on encrypted columns with LIMIT, OFFSET or FETCH: the "
                    + "database cannot order ciphertexts, and Veil sorts only after reading every row, which a limited query does "
                    + "not return; sort without the limit, or page in the application");
        }
        if (block != analysis.filterableSelect) {
            throw Rejection.unsupported(first, "ORDER BY is not supported on encrypted columns in a query that joins, groups, "
                    + "aggregates or removes duplicates; Veil sorts by an encrypted column only in a plain SELECT of one table");
        }
        List<SortKey> keys = new ArrayList<>();
        for (OrderByElement item : items) {
            int at = outputIndex(item.getExpression(), select, block);
            if (at == 0) {
                throw Rejection.unsupported(first, "ORDER BY is not supported on encrypted columns unless every sort key is a column "
                        + "of the select list (Veil sorts the rows it reads by their decrypted values): add the key to the select list, "
                        + "or name it by its output position or alias");
            }
            ColumnPolicy c = select.get(at - 1).origin().encrypted();
            boolean descending = !item.isAsc();
            boolean nullsFirst = item.getNullOrdering() == null ? descending
                    : item.getNullOrdering() == OrderByElement.NullOrdering.NULLS_FIRST;
            keys.add(new SortKey(at, c, descending, nullsFirst));
        }
        analysis.bindings.sort(keys);
    }

    /** The (1-based) output column an ORDER BY item names by alias, position or column name, or 0. */
    private int outputIndex(Expression e, List<OutputColumn> select, PlainSelect block) {
        if (select == null) {
            return 0;
        }
        if (e instanceof LongValue l) {
            SqlLiteral literal = analysis.sql.literal(l.getStringValue(), true);
            try {
                int position = Integer.parseInt(literal == null ? l.getStringValue() : literal.value());
                return position >= 1 && position <= select.size() ? position : 0;
            } catch (NumberFormatException ignored) {
                return 0;
            }
        }
        if (e instanceof Column c && c.getTable() != null) {
            // a qualified name means the table's column, not an output alias: find it as a select item
            if (block.getSelectItems().size() != select.size()) {
                return 0; // a * expands: items and output columns do not line up
            }
            for (int i = 0; i < block.getSelectItems().size() && i < select.size(); i++) {
                // one table: an unqualified select item names the same column
                if (block.getSelectItems().get(i).getExpression() instanceof Column s
                        && Scope.key(s.getColumnName()).equals(Scope.key(c.getColumnName()))
                        && (s.getTable() == null || s.getTable().getName() == null
                            || Scope.key(s.getTable().getName()).equals(Scope.key(c.getTable().getName())))) {
                    return i + 1;
                }
            }
            return 0;
        }
        if (e instanceof Column c) {
            String key = Scope.key(c.getColumnName());
            int found = 0;
            for (int i = 0; i < select.size(); i++) {
                if (key.equals(select.get(i).name())) {
                    if (found != 0) {
                        return 0; // ambiguous: two output columns of that name
                    }
                    found = i + 1;
                }
            }
            return found;
        }
        return 0;
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
