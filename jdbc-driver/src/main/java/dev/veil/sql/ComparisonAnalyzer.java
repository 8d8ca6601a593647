package dev.veil.sql;

import net.sf.jsqlparser.expression.AnyComparisonExpression;
import net.sf.jsqlparser.expression.ArrayConstructor;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.statement.select.Select;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Equality predicates: {@code =}, {@code <>}, {@code IS [NOT] DISTINCT FROM}, {@code IN} (lists,
 * rows, sub-selects) and {@code = ANY(...)}. Each pair of values that meet goes through
 * {@link ValueRules#equality}.
 */
final class ComparisonAnalyzer {
    private static final Set<String> ANY_FUNCTIONS = Set.of("any", "some", "all");

    private final Analysis analysis;

    ComparisonAnalyzer(Analysis analysis) {
        this.analysis = analysis;
    }

    private Origin analyze(Expression e, Scope scope) {
        return analysis.expressions.analyze(e, scope);
    }

    void equality(Expression left, Expression right, String op, Scope scope) {
        if (left instanceof ExpressionList<?> l && right instanceof ExpressionList<?> r && l.size() > 1 && l.size() == r.size()) {
            for (int i = 0; i < l.size(); i++) {
                analysis.rules.equality(analyze(l.get(i), scope), analyze(r.get(i), scope), op);
            }
            return;
        }
        Origin l = analyze(left, scope);
        List<Origin> rights = quantified(right, scope);
        if (rights == null) {
            Origin r = analyze(right, scope);
            analysis.rules.equality(l, r, op);
            if (l.encrypted() != null && direct(right)) {
                LookupForm form = op.equals("=") ? LookupForm.EQUALS
                        : op.equals("<>") || op.equals("!=") ? LookupForm.NOT_EQUALS
                        : op.equalsIgnoreCase("IS NOT DISTINCT FROM") ? LookupForm.NOT_DISTINCT
                        : op.equalsIgnoreCase("IS DISTINCT FROM") ? LookupForm.DISTINCT : LookupForm.FIXED;
                analysis.bindings.expandable(r, form);
            }
        } else {
            boolean matchesAny = quantifier(right, op);
            for (Origin r : rights) {
                analysis.rules.equality(l, r, op + " ANY/ALL");
                if (matchesAny && l.encrypted() != null) {
                    analysis.bindings.expandable(r, r instanceof Origin.Parameter p && p.array() ? LookupForm.ARRAY : LookupForm.LIST_ITEM);
                }
            }
        }
    }

    /** Whether {@code e} is a bare parameter or literal, written where a lookup form can replace it. */
    private static boolean direct(Expression e) {
        return e instanceof JdbcParameter || e instanceof StringValue || e instanceof LongValue;
    }

    /**
     * Whether {@code col op ANY/ALL(x)} stays right when each value of {@code x} is replaced by one
     * per data-key version: {@code = ANY} / {@code = SOME} and {@code <> ALL} do; {@code = ALL} and
     * {@code <> ANY} do not. Only parameters, or literals directly in {@code ARRAY[...]}, qualify.
     */
    private static boolean quantifier(Expression e, String op) {
        if (!(e instanceof Function f) || f.getName() == null || f.getParameters() == null || f.getParameters().size() != 1) {
            return false;
        }
        String name = f.getName().toLowerCase(Locale.ROOT);
        boolean any = name.equals("any") || name.equals("some");
        boolean right = op.equals("=") ? any : (op.equals("<>") || op.equals("!=")) && name.equals("all");
        Expression arg = f.getParameters().get(0);
        if (arg instanceof JdbcParameter) {
            return right;
        }
        if (arg instanceof ArrayConstructor array) {
            for (Expression x : array.getExpressions()) {
                if (!direct(x)) {
                    return false;
                }
            }
            return right;
        }
        return false;
    }

    /** The values of {@code ANY(...)}/{@code ALL(...)}, or {@code null} when {@code e} is no such form. */
    private List<Origin> quantified(Expression e, Scope scope) {
        if (e instanceof AnyComparisonExpression any) {
            return List.of(subqueryValue(analysis.queries.analyze(any.getSelect(), scope)));
        }
        if (!(e instanceof Function f) || f.getName() == null
                || !ANY_FUNCTIONS.contains(f.getName().toLowerCase(Locale.ROOT))
                || f.getParameters() == null || f.getParameters().size() != 1) {
            return null;
        }
        Expression arg = f.getParameters().get(0);
        while (arg instanceof CastExpression c) {
            arg = c.getLeftExpression();
        }
        if (arg instanceof JdbcParameter p) {
            return List.of(ExpressionAnalyzer.parameter(p, true));
        }
        if (arg instanceof ArrayConstructor array) {
            List<Origin> out = new ArrayList<>();
            for (Expression x : array.getExpressions()) {
                out.add(analyze(x, scope));
            }
            return out;
        }
        if (arg instanceof Select s) {
            return List.of(subqueryValue(analysis.queries.analyze(s, scope)));
        }
        Origin value = analyze(arg, scope);
        // an array literal ('{a,b}') would be encrypted as one value: treat it as plain, so it is refused
        return List.of(value instanceof Origin.Literal ? Origin.PLAIN : value);
    }

    private static Origin subqueryValue(QueryResult r) {
        return r.columns().size() == 1 ? r.columns().get(0).origin() : Origin.PLAIN;
    }

    void in(InExpression in, Scope scope) {
        Expression left = in.getLeftExpression();
        Expression right = in.getRightExpression();
        String op = in.isNot() ? "NOT IN" : "IN";
        if (left instanceof ParenthesedExpressionList<?> tuple && tuple.size() > 1) {
            tupleIn(tuple, right, op, scope);
            return;
        }
        Origin l = analyze(left, scope);
        if (right instanceof Select s) {
            analysis.rules.equality(l, subqueryValue(analysis.queries.analyze(s, scope)), op);
        } else if (right instanceof ExpressionList<?> list) {
            for (Expression item : list) {
                Origin r = analyze(item, scope);
                analysis.rules.equality(l, r, op);
                if (l.encrypted() != null && direct(item)) {
                    analysis.bindings.expandable(r, LookupForm.LIST_ITEM);
                }
            }
        } else {
            analysis.rules.equality(l, analyze(right, scope), op);
        }
    }

    private void tupleIn(ExpressionList<?> tuple, Expression right, String op, Scope scope) {
        List<Origin> left = new ArrayList<>();
        for (Expression x : tuple) {
            left.add(analyze(x, scope));
        }
        List<List<Origin>> rows = new ArrayList<>();
        if (right instanceof Select s) {
            rows.addAll(analysis.queries.analyze(s, scope).rows());
        } else if (right instanceof ExpressionList<?> list) {
            for (Expression item : list) {
                List<Origin> row = new ArrayList<>();
                if (item instanceof ExpressionList<?> inner) {
                    inner.forEach(x -> row.add(analyze(x, scope)));
                } else {
                    row.add(analyze(item, scope));
                }
                rows.add(row);
            }
        }
        for (List<Origin> row : rows) {
            if (row.size() != left.size()) {
                left.stream().filter(o -> o.encrypted() != null).findFirst().ifPresent(o -> {
                    throw Rejection.unsupported(o.encrypted(), "row comparison of mismatched width");
                });
                continue;
            }
            for (int i = 0; i < left.size(); i++) {
                analysis.rules.equality(left.get(i), row.get(i), op);
            }
        }
    }
}
