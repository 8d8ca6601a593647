package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.CaseExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.RowGetExpression;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.conditional.XorExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsBooleanExpression;
import net.sf.jsqlparser.expression.operators.relational.IsDistinctExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.expression.operators.relational.RegExpMatchOperator;
import net.sf.jsqlparser.expression.operators.relational.SimilarToExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Works out what an expression yields ({@link Origin}) and enforces the rules for encrypted
 * columns inside it: equality only on deterministic columns against parameters, literals or
 * same-context columns; no patterns, ranges, functions or arithmetic on encrypted values.
 */
final class ExpressionAnalyzer {
    private final Analysis analysis;

    ExpressionAnalyzer(Analysis analysis) {
        this.analysis = analysis;
    }

    /** Analyses {@code e} in {@code scope} and returns what it yields. {@code null} gives PLAIN. */
    Origin analyze(Expression e, Scope scope) {
        if (e == null) {
            return Origin.PLAIN;
        }
        if (e instanceof JdbcParameter p) {
            return parameter(p, false);
        }
        if (e instanceof StringValue s) {
            return literal(s.getValue(), false);
        }
        if (e instanceof LongValue l) {
            return literal(l.getStringValue(), true);
        }
        if (e instanceof DoubleValue) {
            return Origin.PLAIN; // every plain number became an integer placeholder
        }
        if (e instanceof NullValue) {
            return Origin.NULL;
        }
        if (e instanceof Column c) {
            if (c.getTable() == null && "default".equalsIgnoreCase(c.getColumnName())) {
                return Origin.DEFAULT;
            }
            return scope.resolve(c);
        }
        if (e instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
            return analyze(list.get(0), scope);
        }
        if (e instanceof AllTableColumns all) {
            // c.* as a value (ROW(c.*), to_jsonb(c.*)), not a select list's expansion
            Relation r = scope.relation(all.getTable());
            if (r != null && r.hasEncrypted()) {
                throw Scope.wholeRowRefused(r);
            }
            return Origin.PLAIN;
        }
        if (e instanceof Parenthesis p) {
            return analyze(p.getExpression(), scope);
        }
        if (e instanceof RowGetExpression g) {
            return rowField(g, scope);
        }
        if (e instanceof SignedExpression s) {
            return signed(s, scope);
        }
        if (e instanceof CastExpression c) {
            return cast(c, scope);
        }
        if (e instanceof Select s) {
            QueryResult r = analysis.queries.analyze(s, scope);
            return r.columns().size() == 1 ? r.columns().get(0).origin() : Origin.PLAIN;
        }
        if (e instanceof AndExpression || e instanceof OrExpression || e instanceof XorExpression) {
            BinaryExpression b = (BinaryExpression) e;
            analyze(b.getLeftExpression(), scope);
            analyze(b.getRightExpression(), scope);
            return Origin.PLAIN;
        }
        if (e instanceof NotExpression n) {
            analyze(n.getExpression(), scope);
            return Origin.PLAIN;
        }
        if (e instanceof EqualsTo eq && analysis.search.caseInsensitive(eq, scope)) {
            return Origin.PLAIN;
        }
        if (e instanceof EqualsTo || e instanceof NotEqualsTo || e instanceof IsDistinctExpression) {
            BinaryExpression b = (BinaryExpression) e;
            analysis.comparisons.equality(b.getLeftExpression(), b.getRightExpression(), b.getStringExpression().trim(), scope);
            return Origin.PLAIN;
        }
        if (e instanceof GreaterThan || e instanceof GreaterThanEquals || e instanceof MinorThan
                || e instanceof MinorThanEquals) {
            BinaryExpression b = (BinaryExpression) e;
            String op = b.getStringExpression().trim();
            if (analysis.search.range(b, op, scope)) {
                return Origin.PLAIN;
            }
            noEncrypted("range comparison (" + op + ") is not supported on encrypted columns", scope,
                    b.getLeftExpression(), b.getRightExpression());
            return Origin.PLAIN;
        }
        if (e instanceof Between b) {
            if (analysis.search.between(b, scope)) {
                return Origin.PLAIN;
            }
            noEncrypted("range comparison (BETWEEN) is not supported on encrypted columns", scope,
                    b.getLeftExpression(), b.getBetweenExpressionStart(), b.getBetweenExpressionEnd());
            return Origin.PLAIN;
        }
        if (e instanceof LikeExpression l) {
            if (analysis.search.like(l, scope)) {
                return Origin.PLAIN;
            }
            String keyword = String.valueOf(l.getLikeKeyWord()).replace('_', ' ');
            noEncrypted((l.isNot() ? "NOT " : "") + keyword + " is not supported on encrypted columns", scope,
                    l.getLeftExpression(), l.getRightExpression(), l.getEscape());
            return Origin.PLAIN;
        }
        if (e instanceof SimilarToExpression || e instanceof RegExpMatchOperator) {
            BinaryExpression b = (BinaryExpression) e;
            noEncrypted("pattern matching (" + b.getStringExpression().trim() + ") is not supported on encrypted columns",
                    scope, b.getLeftExpression(), b.getRightExpression());
            return Origin.PLAIN;
        }
        if (e instanceof InExpression in) {
            analysis.comparisons.in(in, scope);
            return Origin.PLAIN;
        }
        if (e instanceof IsNullExpression n) {
            analyze(n.getLeftExpression(), scope);
            return Origin.PLAIN;
        }
        if (e instanceof IsBooleanExpression b) {
            analyze(b.getLeftExpression(), scope);
            return Origin.PLAIN;
        }
        if (e instanceof ExistsExpression x) {
            analyze(x.getRightExpression(), scope);
            return Origin.PLAIN;
        }
        if (e instanceof Function f) {
            return function(f, scope);
        }
        if (e instanceof AnalyticExpression a) {
            return analytic(a, scope);
        }
        if (e instanceof CaseExpression c) {
            // even a deterministic equality inside CASE is refused: the policy keeps CASE off encrypted columns
            return opaque(c, scope, "CASE");
        }
        if (e instanceof ExpressionList<?> list) {
            noEncrypted("a row value is not supported on encrypted columns here", scope, list.toArray(new Expression[0]));
            return Origin.PLAIN;
        }
        if (e instanceof BinaryExpression b) {
            // arithmetic, ||, bitwise and JSON operators
            noEncrypted("operator " + b.getStringExpression().trim() + " is not supported on encrypted columns", scope,
                    b.getLeftExpression(), b.getRightExpression());
            return Origin.PLAIN;
        }
        return opaque(e, scope, "expression " + e.getClass().getSimpleName());
    }

    /** A JDBC {@code ?}; numbered markers ({@code ?1}) are not JDBC and are refused. */
    static Origin parameter(JdbcParameter p, boolean array) {
        if (p.isUseFixedIndex() || p.getIndex() == null) {
            throw Rejection.unsupported("numbered parameters such as ?1 are not supported in statements on encrypted columns");
        }
        return new Origin.Parameter(p.getIndex(), array);
    }

    private Origin literal(String placeholder, boolean number) {
        int ordinal = ordinal(placeholder, number);
        return ordinal < 0 ? Origin.PLAIN : new Origin.Literal(ordinal, false);
    }

    private int ordinal(String placeholder, boolean number) {
        SqlLiteral literal = analysis.sql.literal(placeholder, number);
        return literal == null ? -1 : Integer.parseInt(placeholder);
    }

    /** {@code (c).email}: a field of a table's row value is that table's column. */
    private Origin rowField(RowGetExpression g, Scope scope) {
        Expression inner = g.getExpression();
        while (inner instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
            inner = list.get(0);
        }
        if (inner instanceof Column c && c.getTable() == null) {
            Relation r = scope.relation(new Table(c.getColumnName()));
            if (r != null) {
                Origin o = r.column(Scope.key(g.getColumnName()), false);
                return o == null ? Origin.PLAIN : o;
            }
        }
        return opaque(g, scope, "field access");
    }

    private Origin signed(SignedExpression s, Scope scope) {
        Origin inner = analyze(s.getExpression(), scope);
        if (inner instanceof Origin.Literal l && !l.negative() && s.getSign() == '-'
                && analysis.sql.literals().get(l.ordinal()).number()) {
            return new Origin.Literal(l.ordinal(), true);
        }
        if (inner.encrypted() != null) {
            throw Rejection.unsupported(inner.encrypted(), "arithmetic is not supported on encrypted columns");
        }
        return Origin.PLAIN;
    }

    private Origin cast(CastExpression c, Scope scope) {
        Origin inner = analyze(c.getLeftExpression(), scope);
        if (inner.encrypted() != null) {
            throw Rejection.unsupported(inner.encrypted(), "a cast is not supported on encrypted columns");
        }
        if (c.isImplicitCast() && inner instanceof Origin.Literal) {
            // DATE '2028-09-30': the type name stands before the literal, so replacing the literal
            // alone by ciphertext would send DATE '<ciphertext>'; as a plain value it is refused
            // wherever it meets an encrypted column, and passes everywhere else
            return Origin.PLAIN;
        }
        // a cast on a parameter or literal keeps it bound to whatever it meets
        return inner instanceof Origin.Parameter || inner instanceof Origin.Literal || inner instanceof Origin.Null
                ? inner : Origin.PLAIN;
    }


    private Origin function(Function f, Scope scope) {
        String name = f.getName() == null ? "" : f.getName().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String simple = dot < 0 ? name : name.substring(dot + 1);
        List<Expression> args = new ArrayList<>();
        if (f.getParameters() != null) {
            args.addAll(f.getParameters());
        }
        if (f.getNamedParameters() != null) {
            args.addAll(f.getNamedParameters().getExpressions());
        }
        for (Expression arg : args) {
            ColumnPolicy c = analyze(arg, scope).encrypted();
            if (c == null) {
                continue;
            }
            if (simple.equals("count")) {
                if ((f.isDistinct() || f.isUnique()) && !c.isDeterministic()) {
                    throw Rejection.unsupported(c, "COUNT(DISTINCT) needs deterministic encryption; the column is randomized");
                }
                if (f.isDistinct() || f.isUnique()) {
                    analysis.bindings.versionSensitive(c);
                }
            } else {
                throw Rejection.unsupported(c, "function " + simple + "() is not supported on encrypted columns");
            }
        }
        analysis.ordering.orderBy(f.getOrderByElements(), scope, null);
        return Origin.PLAIN;
    }

    private Origin analytic(AnalyticExpression a, Scope scope) {
        String name = a.getName() == null ? "" : a.getName().toLowerCase(Locale.ROOT);
        for (Expression arg : new Expression[] {a.getExpression(), a.getOffset(), a.getDefaultValue()}) {
            ColumnPolicy c = analyze(arg, scope).encrypted();
            if (c != null && !(name.equals("count") && (!a.isDistinct() || c.isDeterministic()))) {
                throw Rejection.unsupported(c, "function " + name + "() is not supported on encrypted columns");
            }
            if (c != null && a.isDistinct()) {
                analysis.bindings.versionSensitive(c);
            }
        }
        analyze(a.getFilterExpression(), scope);
        if (a.getPartitionExpressionList() != null) {
            for (Object x : a.getPartitionExpressionList()) {
                analysis.ordering.grouping((Expression) x, scope, null, "PARTITION BY");
            }
        }
        analysis.ordering.orderBy(a.getOrderByElements(), scope, null);
        analysis.ordering.orderBy(a.getFuncOrderBy(), scope, null);
        return Origin.PLAIN;
    }

    /** Rejects if any of the expressions yields an encrypted value. */
    private void noEncrypted(String reason, Scope scope, Expression... parts) {
        ColumnPolicy found = null;
        for (Expression part : parts) {
            ColumnPolicy c = analyze(part, scope).encrypted();
            if (c != null && found == null) {
                found = c;
            }
        }
        if (found != null) {
            throw Rejection.unsupported(found, reason);
        }
    }

    /**
     * An expression form this class does not model: any encrypted column inside it is refused, and
     * sub-queries inside it are still analysed.
     */
    private Origin opaque(Expression e, Scope scope, String kind) {
        e.accept(new ExpressionVisitorAdapter<Void>() {
            @Override
            public <S> Void visit(Column column, S context) {
                ColumnPolicy c = scope.resolve(column).encrypted();
                if (c != null) {
                    throw Rejection.unsupported(c, kind + " is not supported on encrypted columns");
                }
                return null;
            }

            @Override
            public <S> Void visit(ParenthesedSelect select, S context) {
                analysis.queries.analyze(select, scope);
                return null;
            }

            @Override
            public <S> Void visit(AllTableColumns all, S context) {
                analyze(all, scope);
                return null;
            }
        }, null);
        return Origin.PLAIN;
    }
}
