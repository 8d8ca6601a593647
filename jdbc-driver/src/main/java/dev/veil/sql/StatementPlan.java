package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.List;
import java.util.Map;

/**
 * What Veil must do with one SQL text: which parameters to encrypt, which literals to rewrite, and
 * which result columns to decrypt. Immutable; cached per SQL text and shared by every connection.
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
public record StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                            List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets) {

    public StatementPlan {
        parameters = Map.copyOf(parameters);
        literals = List.copyOf(literals);
        resultSets = List.copyOf(resultSets);
    }

    /** A plan for SQL that involves no encrypted column. */
    public static StatementPlan passThrough(String sql) {
        return new StatementPlan(sql, false, Map.of(), List.of(), List.of());
    }

    /**
     * The encrypted columns behind the columns of the {@code index}-th result (0-based), or an
     * empty list when unknown or plain. Lists may contain {@code null} for plain columns.
     */
    public List<ColumnPolicy> resultColumns(int index) {
        return index < resultSets.size() ? resultSets.get(index) : List.of();
    }
}
