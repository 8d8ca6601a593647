package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.SimpleNode;
import net.sf.jsqlparser.schema.Column;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recognises predicates on searchable columns ({@link SearchPredicate}) and refuses the same shapes
 * on columns that lack the capability, naming the {@code search:} entry that would serve them.
 * Works on the placeholder form of the text: offsets are those of the parsed text and literal
 * operands are placeholders, both resolved per text by {@link #instantiate}.
 */
final class SearchAnalyzer {
    private final Analysis analysis;

    SearchAnalyzer(Analysis analysis) {
        this.analysis = analysis;
    }

    /** {@code col [NOT] LIKE|ILIKE x [ESCAPE 'c']}; false when the left side is no encrypted column. */
    boolean like(LikeExpression l, Scope scope) {
        Origin.Encrypted origin = encryptedColumn(l.getLeftExpression(), scope);
        if (origin == null) {
            return false;
        }
        ColumnPolicy c = origin.column();
        String keyword = String.valueOf(l.getLikeKeyWord()).replace('_', ' ');
        boolean ilike = keyword.equals("ILIKE");
        if (!ilike && !keyword.equals("LIKE")) {
            return false;
        }
        if (ilike ? !c.searchable(SearchCapability.CI)
                : !c.searchable(SearchCapability.PREFIX) && !c.searchable(SearchCapability.SUBSTRING)) {
            throw Rejection.unsupported(c, (l.isNot() ? "NOT " : "") + keyword + " is not supported on this encrypted column; "
                    + hint(c, ilike ? "ci" : "prefix (for 'abc%') or substring (for '%abc%')"));
        }
        if (l.isNot()) {
            throw Rejection.unsupported(c, "NOT " + keyword + " cannot be answered from the search index (it would have to "
                    + "return every row the index does not match); filter the rows in the application");
        }
        positive(l, c, keyword);
        SearchPredicate.Operand pattern = operand(l.getRightExpression(), scope, c, keyword);
        String escape = null;
        if (l.getEscape() != null) {
            Origin e = analysis.expressions.analyze(l.getEscape(), scope);
            if (!(e instanceof Origin.Literal literal) || !(l.getEscape() instanceof StringValue)) {
                throw Rejection.unsupported(c, keyword + " with an ESCAPE that is not a string literal is not supported on "
                        + "searchable columns");
            }
            escape = "#" + literal.ordinal();
        }
        record(l, new SearchPredicate(c, ilike ? SearchPredicate.Kind.ILIKE : SearchPredicate.Kind.LIKE, text(l.getLeftExpression()),
                companions(origin, (Column) l.getLeftExpression(), ilike ? List.of(SearchCapability.CI)
                        : List.of(SearchCapability.PREFIX, SearchCapability.SUBSTRING), keyword), pattern, true, null, false, escape, begin(l.getLeftExpression()), end(l), 0));
        return true;
    }

    /** {@code lower(col) = lower(x)} or {@code upper(col) = upper(x)} (either side first); false for any other equality. */
    boolean caseInsensitive(EqualsTo e, Scope scope) {
        Expression left = e.getLeftExpression();
        Expression right = e.getRightExpression();
        Origin.Encrypted origin = foldedColumn(left, scope);
        if (origin == null) {
            origin = foldedColumn(right, scope);
            if (origin == null) {
                return false;
            }
            Expression t = left;
            left = right;
            right = t;
        }
        ColumnPolicy c = origin.column();
        String fn = ((Function) left).getName().toLowerCase(Locale.ROOT);
        if (!c.searchable(SearchCapability.CI)) {
            throw Rejection.unsupported(c, "function " + fn + "() is not supported on this encrypted column; " + hint(c, "ci"));
        }
        positive(e, c, fn + "() = " + fn + "()");
        if (!(right instanceof Function f) || f.getName() == null || !f.getName().equalsIgnoreCase(fn)
                || f.getParameters() == null || f.getParameters().size() != 1) {
            throw Rejection.unsupported(c, "a case-insensitive comparison must be written " + fn + "(column) = " + fn + "(?) "
                    + "(or with a string literal)");
        }
        SearchPredicate.Operand value = operand(f.getParameters().get(0), scope, c, fn + "() = " + fn + "()");
        Expression column = ((Function) left).getParameters().get(0);
        record(e, new SearchPredicate(c, SearchPredicate.Kind.CI_EQUALS, text(column),
                companions(origin, (Column) column, List.of(SearchCapability.CI), fn + "() = " + fn + "()"), value, true,
                null, false, null, begin(e), end(e), 0));
        return true;
    }

    /** {@code col < x}, {@code <=}, {@code >}, {@code >=}, either side first; false when neither side is an encrypted column. */
    boolean range(BinaryExpression b, String op, Scope scope) {
        Origin.Encrypted origin = encryptedColumn(b.getLeftExpression(), scope);
        Expression column = b.getLeftExpression();
        Expression value = b.getRightExpression();
        if (origin == null) {
            origin = encryptedColumn(b.getRightExpression(), scope);
            if (origin == null) {
                return false;
            }
            column = b.getRightExpression();
            value = b.getLeftExpression();
            op = switch (op) {
                case "<" -> ">";
                case "<=" -> ">=";
                case ">" -> "<";
                default -> "<=";
            };
        }
        ColumnPolicy c = origin.column();
        requireRange(c, "range comparison (" + op + ")");
        positive(b, c, "range comparison (" + op + ")");
        SearchPredicate.Operand v = operand(value, scope, c, "range comparison");
        boolean lower = op.startsWith(">");
        boolean inclusive = op.endsWith("=");
        record(b, new SearchPredicate(c, SearchPredicate.Kind.RANGE, text(column),
                companions(origin, (Column) column, List.of(SearchCapability.RANGE), "range comparison (" + op + ")"), lower ? v : null, inclusive, lower ? null : v, inclusive, null, begin(b), end(b), 0));
        return true;
    }

    /** {@code col [NOT] BETWEEN x AND y}; false when the left side is no encrypted column. */
    boolean between(Between b, Scope scope) {
        Origin.Encrypted origin = encryptedColumn(b.getLeftExpression(), scope);
        if (origin == null) {
            return false;
        }
        ColumnPolicy c = origin.column();
        requireRange(c, "range comparison (BETWEEN)");
        if (b.isNot()) {
            throw Rejection.unsupported(c, "NOT BETWEEN cannot be answered from the search index; write col < ? OR col > ?");
        }
        positive(b, c, "BETWEEN");
        SearchPredicate.Operand lo = operand(b.getBetweenExpressionStart(), scope, c, "BETWEEN");
        SearchPredicate.Operand hi = operand(b.getBetweenExpressionEnd(), scope, c, "BETWEEN");
        record(b, new SearchPredicate(c, SearchPredicate.Kind.RANGE, text(b.getLeftExpression()),
                companions(origin, (Column) b.getLeftExpression(), List.of(SearchCapability.RANGE), "BETWEEN"), lo, true, hi, true, null, begin(b.getLeftExpression()), end(b.getBetweenExpressionEnd()), 0));
        return true;
    }

    private static void requireRange(ColumnPolicy c, String what) {
        if (!c.searchable(SearchCapability.RANGE)) {
            throw Rejection.unsupported(c, what + " is not supported on this encrypted column; " + hint(c, "range"));
        }
    }

    /** What to add to the policy to make a column searchable, for refusals. */
    static String hint(ColumnPolicy c, String capability) {
        return "to make it searchable on PostgreSQL, add search: [" + capability + "] to the policy entry of "
                + c.column() + (c.isSearchable() ? " (it has search: " + c.search().capabilities().stream()
                .map(SearchCapability::policyName).toList() + ")" : "");
    }

    private void positive(Expression predicate, ColumnPolicy c, String what) {
        if (!analysis.positive.contains(predicate)) {
            throw Rejection.unsupported(c, what + " on a searchable column is supported only as a condition of WHERE or ON "
                    + "(combined with AND and OR), not under NOT, in CASE, in a select list or as a function argument");
        }
    }

    private void record(Expression predicate, SearchPredicate p) {
        if (p.start() < 0 || p.end() <= p.start()) {
            throw Rejection.unsupported(p.column(), "cannot locate this predicate in the statement's text; write it plainly "
                    + "(column, operator, value)");
        }
        analysis.bindings.search(p, analysis.filterable.contains(predicate));
    }

    /** A parameter or literal operand (placeholder form); anything else is refused. */
    private SearchPredicate.Operand operand(Expression e, Scope scope, ColumnPolicy c, String what) {
        Origin o = analysis.expressions.analyze(e, scope);
        if (o instanceof Origin.Parameter p && !p.array()) {
            return new SearchPredicate.Operand(p.index(), null);
        }
        if (o instanceof Origin.Literal l) {
            return new SearchPredicate.Operand(0, (l.negative() ? "-" : "") + "#" + l.ordinal());
        }
        throw Rejection.unsupported(c, what + " on a searchable column needs a parameter or a literal as its value");
    }

    private static Origin.Encrypted encryptedColumn(Expression e, Scope scope) {
        return e instanceof Column c && scope.resolve(c) instanceof Origin.Encrypted o ? o : null;
    }

    /** The encrypted column inside {@code lower(col)} or {@code upper(col)}, or {@code null}. */
    private static Origin.Encrypted foldedColumn(Expression e, Scope scope) {
        if (e instanceof Function f && f.getName() != null && f.getParameters() != null && f.getParameters().size() == 1
                && (f.getName().equalsIgnoreCase("lower") || f.getName().equalsIgnoreCase("upper"))) {
            return encryptedColumn(f.getParameters().get(0), scope);
        }
        return null;
    }

    /**
     * The companion columns a predicate on {@code column} is sent on: each of {@code capabilities} the
     * column has, as its relation names it, qualified as the column is written.
     *
     * @throws Rejection when the relation (a view, a sub-query) does not expose one of them for the same row
     */
    private static Map<SearchCapability, String> companions(Origin.Encrypted origin, Column column, List<SearchCapability> capabilities,
                                                            String what) {
        if (origin.copiedBy() != null && capabilities.stream().anyMatch(origin.column()::searchable)) {
            // the guard holds for the base table's rows, not for a copy refreshed before their tokens were backfilled
            throw Rejection.unsupported(origin.column(), what + " through " + origin.copiedBy() + " cannot be answered exactly: its rows "
                    + "are the copy its last REFRESH made, which the guard on " + origin.column().column().table() + " does not cover "
                    + "(a row copied before its tokens were written has none, and every search would miss it); search table "
                    + origin.column().column().table() + " or a view over it");
        }
        String qualifier = column.getTable() == null || column.getTable().getName() == null ? ""
                : column.getTable().getFullyQualifiedName() + ".";
        Map<SearchCapability, String> out = new EnumMap<>(SearchCapability.class);
        List<String> missing = new ArrayList<>();
        for (SearchCapability capability : capabilities) {
            if (origin.column().searchable(capability)) {
                Identifier name = origin.companions().get(capability);
                if (name == null) {
                    missing.add(CompanionColumns.name(origin.column().column(), capability).toString());
                } else {
                    out.put(capability, qualifier + name);
                }
            }
        }
        if (!missing.isEmpty()) {
            boolean one = missing.size() == 1;
            String kind = origin.source() instanceof Relation.BaseTable b && b.view() != null ? "view"
                    : origin.source() instanceof Relation.DerivedTable ? "sub-query" : "relation";
            String relation = origin.source() == null || kind.equals("relation") ? "the relation it is read from"
                    : kind + " " + origin.source().describe();
            throw Rejection.unsupported(origin.column(), what + " through " + relation + " cannot use the search index: "
                    + (one ? "its companion column " : "its companion columns ") + String.join(", ", missing)
                    + (one ? " is" : " are") + " not in that " + kind + " (for the same row); add " + (one ? "it" : "them")
                    + " to the " + kind + " (SELECT …, " + String.join(", ", missing) + ", under any name), or search table "
                    + origin.column().column().table());
        }
        return out;
    }

    private String text(Expression e) {
        int b = begin(e);
        int x = end(e);
        String sql = analysis.sql.normalized();
        return b < 0 || x <= b ? e.toString() : sql.substring(b, x);
    }

    /** Offset of a node's first character in the parsed text, or -1 when the parser did not record it. */
    static int begin(Object e) {
        SimpleNode n = e instanceof ASTNodeAccess a ? a.getASTNode() : null;
        return n == null || n.jjtGetFirstToken() == null ? -1 : n.jjtGetFirstToken().absoluteBegin - 1;
    }

    /** Offset just past a node's last character in the parsed text, or -1. */
    static int end(Object e) {
        SimpleNode n = e instanceof ASTNodeAccess a ? a.getASTNode() : null;
        return n == null || n.jjtGetLastToken() == null ? -1 : n.jjtGetLastToken().absoluteEnd - 1;
    }

    /**
     * The predicate for one text of a placeholder form: offsets moved to the original text and
     * literal placeholders replaced by their values.
     */
    static SearchPredicate instantiate(SearchPredicate p, ScannedSql sql) {
        return new SearchPredicate(p.column(), p.kind(), p.columnSql(), p.companions(), value(p.low(), sql), p.lowInclusive(),
                value(p.high(), sql), p.highInclusive(), p.escape() == null ? null : literal(p.escape(), sql),
                original(p.start(), sql), original(p.end(), sql), p.resultColumn());
    }

    private static SearchPredicate.Operand value(SearchPredicate.Operand o, ScannedSql sql) {
        return o == null || o.isParameter() ? o : new SearchPredicate.Operand(0, literal(o.literal(), sql));
    }

    private static String literal(String placeholder, ScannedSql sql) {
        boolean negative = placeholder.startsWith("-");
        String v = sql.literals().get(Integer.parseInt(placeholder.substring(negative ? 2 : 1))).value();
        return negative ? "-" + v : v;
    }

    /** Maps an offset in the placeholder form to the original text. */
    static int original(int normalized, ScannedSql sql) {
        int delta = 0;
        List<SqlLiteral> literals = sql.literals();
        for (int i = 0; i < literals.size(); i++) {
            SqlLiteral l = literals.get(i);
            int start = l.start() - delta;
            int length = Integer.toString(i).length() + (l.number() ? 0 : 2);
            if (normalized < start + length) {
                break;
            }
            delta += l.end() - l.start() - length;
        }
        return normalized + delta;
    }
}
