package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What Veil must do with one SQL text: which parameters to encrypt, which literals to rewrite, and
 * which result columns to decrypt. Immutable; cached per SQL text and shared by every connection.
 */
public final class StatementPlan {
    private final String sql;
    private final boolean touchesEncrypted;
    private final Map<Integer, ParameterTarget> parameters;
    private final List<LiteralTarget> literals;
    private final List<List<ColumnPolicy>> resultSets;
    /** {@link #parameters} by index, made once per plan: every setter of every statement asks. */
    private final ParameterTarget[] byIndex;
    private final SessionEffect effect;
    private final int context;

    /**
     * The plan for {@code sql}.
     *
     * @param sql the SQL text the plan was made for
     * @param touchesEncrypted {@code false} when the statement involves no encrypted column; the JDBC
     *        layer then passes everything through untouched
     * @param parameters 1-based JDBC parameter index to the column its value goes to; parameters
     *        absent from the map are not encrypted
     * @param literals literals to replace by ciphertext literals, by ascending {@code start}
     * @param resultSets for each result the statement (or script) produces, in order, the encrypted
     *        column behind each result column: element {@code i} describes result column {@code i + 1},
     *        {@code null} for a plain column. An empty list for statements without results.
     */
    public StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                         List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets) {
        this(sql, touchesEncrypted, parameters, literals, resultSets, SessionEffect.NONE, 0);
    }

    private StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                          List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets, SessionEffect effect, int context) {
        this.effect = effect;
        this.context = context;
        this.sql = sql;
        this.touchesEncrypted = touchesEncrypted;
        this.parameters = Map.copyOf(parameters);
        this.literals = List.copyOf(literals);
        this.resultSets = List.copyOf(resultSets);
        this.byIndex = new ParameterTarget[parameters.isEmpty() ? 0 : Collections.max(parameters.keySet()) + 1];
        parameters.forEach((i, t) -> byIndex[i] = t);
    }

    /** A plan for SQL that involves no encrypted column. */
    public static StatementPlan passThrough(String sql) {
        return new StatementPlan(sql, false, Map.of(), List.of(), List.of());
    }

    /** This plan, saying what running it may do to name resolution on its connection. */
    public StatementPlan withEffect(SessionEffect e) {
        return with(e, context);
    }

    /**
     * This plan, saying what running it may do to name resolution and the resolution context
     * (see {@link NameResolver#context()}) its names were resolved in.
     */
    public StatementPlan with(SessionEffect e, int resolvedIn) {
        return e == effect && resolvedIn == context ? this
                : new StatementPlan(sql, touchesEncrypted, parameters, literals, resultSets, e, resolvedIn);
    }

    /**
     * The resolution context the plan's table names were resolved in; 0 when it names no
     * protected relation or no catalog was read. A plan made in one context is wrong in another.
     */
    public int context() {
        return context;
    }

    /** What running the statement may do to name resolution on its connection (the JDBC layer follows it). */
    public SessionEffect effect() {
        return effect;
    }

    public String sql() {
        return sql;
    }

    public boolean touchesEncrypted() {
        return touchesEncrypted;
    }

    public Map<Integer, ParameterTarget> parameters() {
        return parameters;
    }

    /** Where parameter {@code index} (1-based) goes when that is an encrypted column, else {@code null}. */
    public ParameterTarget parameter(int index) {
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    public List<LiteralTarget> literals() {
        return literals;
    }

    public List<List<ColumnPolicy>> resultSets() {
        return resultSets;
    }

    /**
     * The encrypted columns behind the columns of the {@code index}-th result (0-based), or an
     * empty list when unknown or plain. Lists may contain {@code null} for plain columns.
     */
    public List<ColumnPolicy> resultColumns(int index) {
        return index < resultSets.size() ? resultSets.get(index) : List.of();
    }

    @Override
    public String toString() {
        // the SQL text may hold literal values: only its shape is shown
        return "StatementPlan[touchesEncrypted=" + touchesEncrypted + ", parameters=" + parameters.keySet()
                + ", literals=" + literals.size() + ", results=" + resultSets.size() + "]";
    }
}
