package dev.veil.sql;

import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Whether Veil may drop rows from a query's result after it ran (the rows a search index
 * over-matched) and still give the application exactly what the query means: one table, each
 * result row one table row, nothing computed over several rows or counted before the drop.
 */
final class SearchFilterability {
    private SearchFilterability() {
    }

    /**
     * True for {@code SELECT <columns> FROM <one table> WHERE … [ORDER BY …] [FOR UPDATE]}: no join,
     * DISTINCT, GROUP BY, HAVING, aggregate or window function, LIMIT, OFFSET or FETCH, INTO.
     */
    static boolean rowPreserving(PlainSelect ps) {
        if (!(ps.getFromItem() instanceof Table) || ps.getJoins() != null && !ps.getJoins().isEmpty()
                || ps.getDistinct() != null || ps.getGroupBy() != null || ps.getHaving() != null || ps.getQualify() != null
                || ps.getLimit() != null || ps.getOffset() != null || ps.getFetch() != null || ps.getTop() != null
                || ps.getIntoTables() != null && !ps.getIntoTables().isEmpty()) {
            return false;
        }
        for (SelectItem<?> item : ps.getSelectItems()) {
            Object e = item.getExpression();
            while (e instanceof CastExpression c) {
                e = c.getLeftExpression();
            }
            if (!(e instanceof Column || e instanceof AllColumns || e instanceof AllTableColumns || e instanceof JdbcParameter
                    || e instanceof StringValue || e instanceof LongValue)) {
                return false;
            }
        }
        return true;
    }
}
