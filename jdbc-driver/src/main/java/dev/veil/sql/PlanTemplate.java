package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan for every SQL text that differs from another only in its literal values: the analysis
 * of one text, from which the plan of any text with the same placeholder form is made without
 * parsing. Immutable.
 */
final class PlanTemplate {
    private final boolean touchesEncrypted;
    private final Map<Integer, ParameterTarget> parameters;
    private final Map<Integer, Origin.Literal> literals;
    private final Map<Integer, ColumnPolicy> literalColumns;
    private final List<List<ColumnPolicy>> resultSets;
    private final Map<Integer, String> readLiterals;

    PlanTemplate(Bindings bindings) {
        this.touchesEncrypted = bindings.touchesEncrypted();
        this.parameters = Map.copyOf(bindings.parameters());
        this.literals = Map.copyOf(bindings.literals());
        Map<Integer, ColumnPolicy> columns = new HashMap<>();
        bindings.literals().keySet().forEach(o -> columns.put(o, bindings.literalColumn(o)));
        this.literalColumns = Map.copyOf(columns);
        List<List<ColumnPolicy>> sets = new ArrayList<>();
        // result lists may hold nulls, so List.copyOf cannot be used on them
        bindings.resultSets().forEach(r -> sets.add(Collections.unmodifiableList(new ArrayList<>(r))));
        this.resultSets = List.copyOf(sets);
        this.readLiterals = Map.copyOf(bindings.readLiterals());
    }

    /** A template for statements that involve no encrypted column. */
    static PlanTemplate passThrough() {
        return new PlanTemplate(new Bindings());
    }

    /** Whether a text with this placeholder form has the literal values the analysis depended on. */
    boolean fits(ScannedSql sql) {
        for (Map.Entry<Integer, String> e : readLiterals.entrySet()) {
            if (!sql.literals().get(e.getKey()).value().equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The plan for one text of this form.
     *
     * @throws Rejection when a literal to encrypt is written in a form that cannot be rewritten
     */
    StatementPlan instantiate(ScannedSql sql) {
        if (!touchesEncrypted) {
            return StatementPlan.passThrough(sql.original());
        }
        return new StatementPlan(sql.original(), true, parameters, literalTargets(sql), resultSets);
    }

    private List<LiteralTarget> literalTargets(ScannedSql sql) {
        List<LiteralTarget> out = new ArrayList<>(literals.size());
        for (Map.Entry<Integer, Origin.Literal> e : literals.entrySet()) {
            SqlLiteral literal = sql.literals().get(e.getKey());
            ColumnPolicy column = literalColumns.get(e.getKey());
            if (!literal.prefix().isEmpty() && !literal.prefix().equals("N")) {
                throw Rejection.unsupported(column, "only plain quoted strings and numbers can be encrypted as literals");
            }
            int start = literal.start();
            String value = literal.value();
            if (e.getValue().negative()) {
                start = signBefore(sql.original(), start);
                if (start < 0) {
                    throw Rejection.unsupported(column, "a signed literal in this form cannot be encrypted");
                }
                value = "-" + value;
            }
            out.add(new LiteralTarget(start, literal.end(), column, value));
        }
        out.sort(Comparator.comparingInt(LiteralTarget::start));
        return out;
    }

    /** The offset of the minus sign written just before a number, or -1. */
    private static int signBefore(String sql, int start) {
        int i = start - 1;
        while (i >= 0 && Character.isWhitespace(sql.charAt(i))) {
            i--;
        }
        return i >= 0 && sql.charAt(i) == '-' ? i : -1;
    }
}
