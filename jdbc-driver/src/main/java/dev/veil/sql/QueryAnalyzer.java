package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperation;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.UnionOp;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;

import java.util.ArrayList;
import java.util.List;

/**
 * Analyses queries: builds the scope of each query block from FROM and JOIN, checks every clause,
 * and traces each output column back to the encrypted column it carries, if any.
 */
final class QueryAnalyzer {
    private final Analysis analysis;

    QueryAnalyzer(Analysis analysis) {
        this.analysis = analysis;
    }

    /** Analyses a query nested in {@code outer} (which may be {@code null} at top level). */
    QueryResult analyze(Select select, Scope outer) {
        Scope scope = withItems(select.getWithItemsList(), outer);
        QueryResult result;
        if (select instanceof PlainSelect ps) {
            result = plain(ps, scope);
        } else if (select instanceof SetOperationList s) {
            result = setOperation(s, scope);
        } else if (select instanceof ParenthesedSelect p) {
            result = analyze(p.getSelect(), scope);
            analysis.ordering.orderBy(p.getOrderByElements(), derivedScope(result, scope), result.columns());
        } else if (select instanceof Values v) {
            result = values(v.getExpressions(), scope);
        } else {
            throw Rejection.unsupported("unsupported query form " + select.getClass().getSimpleName()
                    + " on a table with encrypted columns");
        }
        limits(select, scope);
        return result;
    }

    /** LIMIT, OFFSET and FETCH hold only plain values, but a sub-select there must still be checked. */
    private void limits(Select select, Scope scope) {
        if (select.getLimit() != null) {
            analysis.expressions.analyze(select.getLimit().getRowCount(), scope);
            analysis.expressions.analyze(select.getLimit().getOffset(), scope);
        }
        if (select.getOffset() != null) {
            analysis.expressions.analyze(select.getOffset().getOffset(), scope);
        }
        if (select.getFetch() != null) {
            analysis.expressions.analyze(select.getFetch().getExpression(), scope);
        }
    }

    /** A scope holding the CTEs of a WITH list, child of {@code outer}. */
    Scope withItems(List<WithItem<?>> items, Scope outer) {
        Scope scope = new Scope(outer);
        if (items == null) {
            return scope;
        }
        // JSqlParser marks only the first item of WITH RECURSIVE, but the keyword covers them all
        boolean recursive = items.stream().anyMatch(WithItem::isRecursive);
        for (WithItem<?> item : items) {
            String name = Scope.key(item.getAliasName());
            QueryResult r;
            if (item.getParenthesedStatement() instanceof ParenthesedSelect select) {
                if (recursive) {
                    defineRecursive(name, item, select.getSelect(), scope);
                }
                r = analyze(select.getSelect(), scope);
            } else {
                r = analysis.statements().nested(item.getParenthesedStatement(), scope);
            }
            scope.defineCte(name, withColumnNames(r, item));
        }
        return scope;
    }

    /**
     * Before a recursive CTE's body is analysed, its name must stand for something: the columns of
     * its anchor (the first branch of the UNION), which does not refer to the CTE itself.
     */
    private void defineRecursive(String name, WithItem<?> item, Select body, Scope scope) {
        QueryResult anchor = new QueryResult(List.of(), List.of(List.of()), 0);
        scope.defineCte(name, anchor);
        if (body instanceof SetOperationList union && !union.getSelects().isEmpty()) {
            anchor = analyze(union.getSelects().get(0), scope);
        }
        scope.defineCte(name, withColumnNames(anchor, item));
    }

    private static QueryResult withColumnNames(QueryResult r, WithItem<?> item) {
        if (item.getWithItemList() == null) {
            return r;
        }
        List<String> names = new ArrayList<>();
        for (SelectItem<?> si : item.getWithItemList()) {
            names.add(Scope.key(si.getExpression().toString()));
        }
        return rename(r, names);
    }

    private QueryResult plain(PlainSelect ps, Scope outer) {
        Scope scope = new Scope(outer);
        addFromItem(ps.getFromItem(), scope);
        joins(ps.getJoins(), scope);
        analysis.condition(ps.getWhere(), scope, ps == analysis.filterableSelect);
        QueryResult result = selectItems(ps.getSelectItems(), scope);
        List<OutputColumn> columns = result.columns();
        if (ps.getDistinct() != null) {
            if (ps.getDistinct().getOnSelectItems() != null) {
                for (SelectItem<?> item : ps.getDistinct().getOnSelectItems()) {
                    analysis.ordering.grouping(item.getExpression(), scope, columns, "DISTINCT ON");
                }
            } else {
                for (OutputColumn c : columns) {
                    ColumnPolicy p = c.origin().encrypted();
                    if (p != null && !p.isDeterministic()) {
                        throw Rejection.unsupported(p, "DISTINCT needs deterministic encryption; the column is randomized");
                    }
                    if (p != null) {
                        analysis.bindings.versionSensitive(p);
                    }
                }
            }
        }
        GroupByElement groupBy = ps.getGroupBy();
        if (groupBy != null) {
            if (groupBy.getGroupByExpressionList() != null) {
                for (Object e : groupBy.getGroupByExpressionList()) {
                    analysis.ordering.grouping((Expression) e, scope, columns, "GROUP BY");
                }
            }
            if (groupBy.getGroupingSets() != null) {
                for (Object set : groupBy.getGroupingSets()) {
                    for (Object e : (ExpressionList<?>) set) {
                        analysis.ordering.grouping((Expression) e, scope, columns, "GROUP BY");
                    }
                }
            }
        }
        analysis.expressions.analyze(ps.getHaving(), scope);
        analysis.expressions.analyze(ps.getQualify(), scope);
        analysis.ordering.orderBy(ps.getOrderByElements(), scope, columns, ps);
        return result;
    }

    /** Adds the relations of a JOIN list and checks ON and USING. */
    void joins(List<Join> joins, Scope scope) {
        if (joins == null) {
            return;
        }
        for (Join join : joins) {
            int before = scope.relations().size();
            addFromItem(join.getFromItem(), scope);
            if (join.getOnExpressions() != null) {
                for (Expression on : join.getOnExpressions()) {
                    analysis.condition(on, scope, false);
                }
            }
            if (join.isNatural() && before > 0) {
                naturalJoin(scope.relations().subList(0, before), scope.relations().subList(before, scope.relations().size()));
            }
            if (join.getUsingColumns() != null && before > 0) {
                for (Column c : join.getUsingColumns()) {
                    String key = Scope.key(c.getColumnName());
                    Origin right = originIn(scope.relations().subList(before, scope.relations().size()), key);
                    Origin left = originIn(scope.relations().subList(0, before), key);
                    analysis.rules.equality(left, right, "JOIN USING");
                }
            }
        }
    }

    /** NATURAL JOIN compares every column name the two sides share. */
    private void naturalJoin(List<Relation> left, List<Relation> right) {
        for (Relation r : right) {
            for (OutputColumn c : r.star().columns()) {
                if (c.name() == null) {
                    continue;
                }
                for (Relation l : left) {
                    Origin o = l.column(c.name(), true);
                    if (o != null) {
                        analysis.rules.equality(o, c.origin(), "NATURAL JOIN");
                    }
                }
            }
        }
    }

    private static Origin originIn(List<Relation> relations, String key) {
        for (Relation r : relations) {
            Origin o = r.column(key, false);
            if (o != null) {
                return o;
            }
        }
        return Origin.PLAIN;
    }

    /** Adds the relation(s) of a FROM item to {@code scope}. */
    void addFromItem(FromItem item, Scope scope) {
        if (item == null) {
            return;
        }
        if (item instanceof Table t) {
            String aliasKey = aliasKey(t.getAlias());
            QueryResult cte = t.getSchemaName() == null ? scope.cte(Scope.key(t.getName())) : null;
            if (cte != null) {
                scope.add(new Relation.DerivedTable(aliasKey != null ? aliasKey : Scope.key(t.getName()), renamed(cte, t.getAlias())));
                return;
            }
            scope.add(analysis.table(t, aliasKey));
        } else if (item instanceof ParenthesedSelect p) {
            // only LATERAL sub-selects see the relations beside them
            Scope visible = p instanceof LateralSubSelect ? scope : scope.parent();
            QueryResult r = analyze(p, visible);
            scope.add(new Relation.DerivedTable(aliasKey(p.getAlias()), renamed(r, p.getAlias())));
        } else if (item instanceof ParenthesedFromItem pf) {
            boolean alone = pf.getJoins() == null || pf.getJoins().isEmpty();
            if (alone && pf.getAlias() != null && pf.getFromItem() instanceof Values v) {
                // (VALUES ...) AS v(a, b)
                QueryResult r = values(v.getExpressions(), scope.parent());
                scope.add(new Relation.DerivedTable(aliasKey(pf.getAlias()), renamed(r, pf.getAlias())));
                return;
            }
            addFromItem(pf.getFromItem(), scope);
            joins(pf.getJoins(), scope);
        } else if (item instanceof Values v) {
            QueryResult r = values(v.getExpressions(), scope.parent());
            scope.add(new Relation.DerivedTable(aliasKey(v.getAlias()), renamed(r, v.getAlias())));
        } else if (item instanceof TableFunction f) {
            analysis.expressions.analyze(f.getFunction(), scope);
            scope.add(new Relation.DerivedTable(aliasKey(f.getAlias()), new QueryResult(List.of(), List.of(List.of()), 0)));
        } else {
            throw Rejection.unsupported("unsupported FROM item " + item.getClass().getSimpleName()
                    + " in a statement on encrypted columns");
        }
    }

    /** The output of a select list. */
    QueryResult selectItems(List<SelectItem<?>> items, Scope scope) {
        List<OutputColumn> out = new ArrayList<>();
        int unknownFrom = -1;
        for (SelectItem<?> item : items) {
            Expression e = item.getExpression();
            if (e instanceof AllTableColumns all) {
                Relation r = scope.relation(all.getTable());
                if (r == null) {
                    throw Rejection.unsupported("cannot expand " + all + ": unknown table");
                }
                unknownFrom = append(out, r.star(), unknownFrom);
            } else if (e instanceof AllColumns) {
                for (Relation r : scope.relations()) {
                    unknownFrom = append(out, r.star(), unknownFrom);
                }
            } else {
                Origin origin = analysis.expressions.analyze(e, scope);
                String name = item.getAlias() != null ? Scope.key(item.getAlias().getName())
                        : e instanceof Column c ? Scope.key(c.getColumnName()) : null;
                out.add(new OutputColumn(name, origin));
            }
        }
        return QueryResult.of(out, unknownFrom);
    }

    private static int append(List<OutputColumn> out, QueryResult part, int unknownFrom) {
        int start = out.size();
        out.addAll(part.columns());
        if (unknownFrom < 0 && !part.exact()) {
            return start + part.unknownFrom();
        }
        return unknownFrom;
    }

    private QueryResult setOperation(SetOperationList s, Scope scope) {
        List<QueryResult> branches = new ArrayList<>();
        for (Select branch : s.getSelects()) {
            branches.add(analyze(branch, scope));
        }
        boolean distinct = false;
        for (SetOperation op : s.getOperations()) {
            if (!(op instanceof UnionOp u) || !u.isAll()) {
                distinct = true;
            }
        }
        QueryResult merged = merge(branches, distinct ? "UNION/INTERSECT/EXCEPT" : "UNION ALL", distinct);
        analysis.ordering.orderBy(s.getOrderByElements(), derivedScope(merged, scope), merged.columns());
        return merged;
    }

    private QueryResult values(ExpressionList<?> expressions, Scope scope) {
        List<QueryResult> rows = new ArrayList<>();
        boolean multiRow = !(expressions instanceof ParenthesedExpressionList);
        List<Expression> rowExpressions = new ArrayList<>();
        if (multiRow) {
            rowExpressions.addAll(expressions);
        } else {
            rowExpressions.add(expressions);
        }
        for (Expression row : rowExpressions) {
            List<OutputColumn> cols = new ArrayList<>();
            if (row instanceof ExpressionList<?> list) {
                for (Expression x : list) {
                    cols.add(new OutputColumn("column" + (cols.size() + 1), analysis.expressions.analyze(x, scope)));
                }
            } else {
                cols.add(new OutputColumn("column1", analysis.expressions.analyze(row, scope)));
            }
            rows.add(QueryResult.of(cols, -1));
        }
        return merge(rows, "VALUES", false);
    }

    /**
     * Merges branches position by position: an encrypted column may only meet columns of the same
     * context, NULL, or parameters and literals (which then bind to it).
     */
    private QueryResult merge(List<QueryResult> branches, String what, boolean distinct) {
        if (branches.size() == 1) {
            return branches.get(0);
        }
        QueryResult first = branches.get(0);
        int unknownFrom = -1;
        List<List<Origin>> rows = new ArrayList<>();
        for (QueryResult b : branches) {
            rows.addAll(b.rows());
            if (!b.exact()) {
                unknownFrom = unknownFrom < 0 ? b.unknownFrom() : Math.min(unknownFrom, b.unknownFrom());
            }
        }
        List<OutputColumn> columns = new ArrayList<>();
        for (int i = 0; i < first.columns().size(); i++) {
            ColumnPolicy context = null;
            for (QueryResult b : branches) {
                ColumnPolicy c = i < b.columns().size() ? b.columns().get(i).origin().encrypted() : null;
                if (c != null && context == null) {
                    context = c;
                }
            }
            Origin origin = first.columns().get(i).origin();
            if (context != null) {
                if (distinct && !context.isDeterministic()) {
                    throw Rejection.unsupported(context, what + " needs deterministic encryption; the column is randomized");
                }
                if (distinct) {
                    analysis.bindings.versionSensitive(context);
                }
                for (QueryResult b : branches) {
                    Origin o = i < b.columns().size() ? b.columns().get(i).origin() : Origin.PLAIN;
                    analysis.rules.bind(o, context, "cannot be combined by " + what + " with a plain column or expression");
                }
                origin = new Origin.Encrypted(context);
            } else {
                List<Origin> values = new ArrayList<>();
                for (QueryResult b : branches) {
                    Origin o = i < b.columns().size() ? b.columns().get(i).origin() : Origin.PLAIN;
                    if (o instanceof Origin.Parameter || o instanceof Origin.Literal) {
                        values.add(o);
                    }
                }
                if (values.size() > 1) {
                    origin = new Origin.Several(values);
                }
            }
            columns.add(new OutputColumn(first.columns().get(i).name(), origin));
        }
        return new QueryResult(columns, rows, unknownFrom);
    }

    private Scope derivedScope(QueryResult result, Scope outer) {
        Scope s = new Scope(outer);
        s.add(new Relation.DerivedTable(null, result));
        return s;
    }

    private static String aliasKey(Alias alias) {
        return alias == null ? null : Scope.key(alias.getName());
    }

    private static QueryResult renamed(QueryResult r, Alias alias) {
        if (alias == null || alias.getAliasColumns() == null || alias.getAliasColumns().isEmpty()) {
            return r;
        }
        List<String> names = new ArrayList<>();
        alias.getAliasColumns().forEach(c -> names.add(Scope.key(c.name)));
        return rename(r, names);
    }

    /** Renames the first columns of {@code r}, as {@code alias(a, b)} or {@code WITH x(a, b)} do. */
    static QueryResult rename(QueryResult r, List<String> names) {
        List<OutputColumn> out = new ArrayList<>(r.columns());
        for (int i = 0; i < names.size() && i < out.size(); i++) {
            out.set(i, new OutputColumn(names.get(i), out.get(i).origin()));
        }
        return new QueryResult(out, r.rows(), r.unknownFrom());
    }
}
