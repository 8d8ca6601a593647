package dev.veil.jobs;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchTokens;
import dev.veil.search.StoredTokens;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The search tokens a bulk job writes with the values it writes: {@code veil migrate} computes them
 * for values it encrypts and backfills them for values that have none (written before the column
 * became searchable); {@code veil rekey} recomputes them under the key it moves a value to, in the
 * same compare-and-set update, so a value and its tokens are always under one data-key version.
 */
final class JobTokens {
    private final TableShape shape;
    /** Per encrypted column of the shape: its search tokens, or {@code null} when it is not searchable. */
    private final SearchTokens[] tokens;
    /** Per encrypted column: its companion columns (empty when not searchable). */
    private final List<List<CompanionColumns.Companion>> companions = new ArrayList<>();
    private final int searchable;

    JobTokens(Veil veil, TableShape shape) {
        this.shape = shape;
        this.tokens = new SearchTokens[shape.columns().size()];
        int n = 0;
        for (int j = 0; j < tokens.length; j++) {
            ColumnPolicy c = shape.ciphers().get(j).policy();
            companions.add(CompanionColumns.of(c));
            if (c.isSearchable()) {
                tokens[j] = veil.searchTokens(c);
                n++;
            }
        }
        this.searchable = n;
    }

    boolean any() {
        return searchable > 0;
    }

    /** Select-list items after the row version: per searchable column, whether it holds a value without tokens. */
    String needsSelect() {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < tokens.length; j++) {
            if (tokens[j] != null) {
                sb.append(", ").append(CompanionColumns.missingTokens(shape.ciphers().get(j).policy(), shape.quote(shape.columns().get(j))));
            }
        }
        return sb.toString();
    }

    /** The columns whose value holds no tokens, as a mask, read from {@link #needsSelect()} items starting at {@code from}. */
    long needs(ResultSet rs, int from) throws SQLException {
        long mask = 0;
        int i = from;
        for (int j = 0; j < tokens.length; j++) {
            if (tokens[j] != null && rs.getBoolean(i++)) {
                mask |= 1L << j;
            }
        }
        return mask;
    }

    boolean searchable(int j) {
        return tokens[j] != null;
    }

    /**
     * The companion values of the value {@code written} to column {@code j} (a ciphertext), under the
     * key that encrypted it: per companion, the tokens of a {@code bytea[]} ({@code byte[][]}) or the
     * bytes of a {@code bytea}.
     *
     * @throws VeilException when the value cannot be decrypted (never masked: a job must not index a mask)
     */
    Object[] of(int j, Object written) throws VeilException {
        ColumnCipher cipher = shape.ciphers().get(j);
        StoredTokens t = tokens[j].forStored(cipher.decryptStrictly(written), ColumnCipher.keyIdOf(written));
        List<CompanionColumns.Companion> cs = companions.get(j);
        Object[] out = new Object[cs.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = t.get(cs.get(k).capability());
        }
        return out;
    }

    /** {@code , comp = ?::bytea[], …} for a compare-and-set update of column {@code j}. */
    String casSets(int j) {
        StringBuilder sb = new StringBuilder();
        for (CompanionColumns.Companion c : companions.get(j)) {
            sb.append(", ").append(c.name()).append(c.capability().isArray() ? " = CAST(? AS bytea[])" : " = ?");
        }
        return sb.toString();
    }

    /**
     * Binds {@link #casSets} from {@code index}; returns the next index. A token set goes as a Java
     * {@code byte[][]}, which pgjdbc sends as a binary {@code bytea[]} (as the driver's writes do):
     * no hex text to write here and to parse on the server.
     */
    int bind(PreparedStatement ps, int index, Object[] values) throws SQLException {
        for (Object v : values) {
            if (v == null) {
                ps.setNull(index++, Types.OTHER);
            } else {
                ps.setObject(index++, v);
            }
        }
        return index;
    }

    /**
     * {@code , comp = CASE WHEN v.nJ IS NULL THEN t.comp ELSE … END} for the bulk update: one token
     * from its unnest column {@code v.sJ_K}; a token set as its row's slice {@code v.sJ_K_from} to
     * {@code v.sJ_K_to} of the batch's tokens, one flat {@code bytea[]} ({@link #bulkFrom}, {@code f.fJ_K}).
     */
    String bulkSets(int j) {
        StringBuilder sb = new StringBuilder();
        List<CompanionColumns.Companion> cs = companions.get(j);
        for (int k = 0; k < cs.size(); k++) {
            CompanionColumns.Companion c = cs.get(k);
            String v = "v.s" + j + "_" + k;
            sb.append(", ").append(c.name()).append(" = CASE WHEN v.n").append(j).append(" IS NULL THEN t.").append(c.name())
                    .append(" ELSE ").append(c.capability().isArray() ? "f.f" + j + "_" + k + "[" + v + "_from:" + v + "_to]" : v)
                    .append(" END");
        }
        return sb.toString();
    }

    /**
     * The unnest arguments of the bulk update for column {@code j}: for one token, the rows' tokens
     * ({@code bytea[]}); for a token set, where each row's set starts and ends in the flat array
     * ({@code int4[]} twice). Token sets differ in length, and PostgreSQL's arrays of arrays must not.
     */
    String bulkArgs(int j) {
        StringBuilder sb = new StringBuilder();
        for (CompanionColumns.Companion c : companions.get(j)) {
            sb.append(c.capability().isArray() ? ", CAST(? AS int4[]), CAST(? AS int4[])" : ", CAST(? AS bytea[])");
        }
        return sb.toString();
    }

    /** The column aliases of {@link #bulkArgs}. */
    String bulkAliases(int j) {
        StringBuilder sb = new StringBuilder();
        List<CompanionColumns.Companion> cs = companions.get(j);
        for (int k = 0; k < cs.size(); k++) {
            String s = "s" + j + "_" + k;
            sb.append(", ").append(s);
            if (cs.get(k).capability().isArray()) {
                sb.append("_from, ").append(s).append("_to");
            }
        }
        return sb.toString();
    }

    /** Binds {@link #bulkArgs} of column {@code j}: per companion, the rows' tokens, or where their sets lie in {@link #bindFlat}'s array. */
    int bindBulk(PreparedStatement ps, int index, int j, List<Object[][]> rowTokens) throws SQLException {
        List<CompanionColumns.Companion> cs = companions.get(j);
        for (int k = 0; k < cs.size(); k++) {
            if (cs.get(k).capability().isArray()) {
                Integer[] from = new Integer[rowTokens.size()];
                Integer[] to = new Integer[rowTokens.size()];
                int next = 1; // PostgreSQL arrays count from 1; an empty set is the empty slice [next:next-1]
                for (int r = 0; r < from.length; r++) {
                    Object[] t = rowTokens.get(r)[j];
                    if (t != null && t[k] != null) {
                        from[r] = next;
                        next += ((byte[][]) t[k]).length;
                        to[r] = next - 1;
                    }
                }
                ps.setObject(index++, from);
                ps.setObject(index++, to);
            } else {
                byte[][] column = new byte[rowTokens.size()][];
                for (int r = 0; r < column.length; r++) {
                    Object[] t = rowTokens.get(r)[j];
                    column[r] = t == null ? null : (byte[]) t[k];
                }
                ps.setObject(index++, column);
            }
        }
        return index;
    }

    /**
     * The FROM item after the unnest that holds each token-set companion's flat array of the
     * batch's tokens, {@code , (SELECT CAST(? AS bytea[]) AS fJ_K, …) AS f}; empty when no searchable
     * column has a token set.
     */
    String bulkFrom() {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < tokens.length; j++) {
            for (int k = 0; tokens[j] != null && k < companions.get(j).size(); k++) {
                if (companions.get(j).get(k).capability().isArray()) {
                    sb.append(sb.length() == 0 ? ", (SELECT " : ", ").append("CAST(? AS bytea[]) AS f").append(j).append('_').append(k);
                }
            }
        }
        return sb.length() == 0 ? "" : sb.append(") AS f").toString();
    }

    /** Binds {@link #bulkFrom}: per token-set companion, every row's tokens in row order, as one binary {@code bytea[]}. */
    int bindFlat(PreparedStatement ps, int index, List<Object[][]> rowTokens) throws SQLException {
        for (int j = 0; j < tokens.length; j++) {
            for (int k = 0; tokens[j] != null && k < companions.get(j).size(); k++) {
                if (companions.get(j).get(k).capability().isArray()) {
                    List<byte[]> flat = new ArrayList<>();
                    for (Object[][] row : rowTokens) {
                        if (row[j] != null && row[j][k] != null) {
                            flat.addAll(List.of((byte[][]) row[j][k]));
                        }
                    }
                    ps.setObject(index++, flat.toArray(new byte[0][]));
                }
            }
        }
        return index;
    }

}
