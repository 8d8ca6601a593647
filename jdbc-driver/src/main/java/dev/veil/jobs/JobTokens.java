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
                sb.append(", (").append(shape.quote(shape.columns().get(j))).append(" IS NOT NULL AND ")
                        .append(companions.get(j).get(0).name()).append(" IS NULL)");
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
     * key that encrypted it: per companion, the PostgreSQL text of a {@code bytea[]} or the bytes of a
     * {@code bytea}.
     *
     * @throws VeilException when the value cannot be decrypted (never masked: a job must not index a mask)
     */
    Object[] of(int j, Object written) throws VeilException {
        ColumnCipher cipher = shape.ciphers().get(j);
        StoredTokens t = tokens[j].forStored(cipher.decryptStrictly(written), ColumnCipher.keyIdOf(written));
        List<CompanionColumns.Companion> cs = companions.get(j);
        Object[] out = new Object[cs.size()];
        for (int k = 0; k < out.length; k++) {
            Object v = t.get(cs.get(k).capability());
            out[k] = v instanceof byte[][] set ? dev.veil.search.TokenArrays.text(set) : v;
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

    /** Binds {@link #casSets} from {@code index}; returns the next index. */
    int bind(PreparedStatement ps, int index, Object[] values) throws SQLException {
        for (Object v : values) {
            if (v == null) {
                ps.setNull(index++, v instanceof String ? Types.VARCHAR : Types.OTHER);
            } else if (v instanceof String s) {
                ps.setString(index++, s);
            } else {
                ps.setBytes(index++, (byte[]) v);
            }
        }
        return index;
    }

    /** {@code , comp = CASE WHEN v.nJ IS NULL THEN t.comp ELSE CAST(v.sJ_K AS bytea[]) END} for the bulk update. */
    String bulkSets(int j) {
        StringBuilder sb = new StringBuilder();
        List<CompanionColumns.Companion> cs = companions.get(j);
        for (int k = 0; k < cs.size(); k++) {
            CompanionColumns.Companion c = cs.get(k);
            String v = "v.s" + j + "_" + k;
            sb.append(", ").append(c.name()).append(" = CASE WHEN v.n").append(j).append(" IS NULL THEN t.").append(c.name())
                    .append(" ELSE ").append(c.capability().isArray() ? "CAST(" + v + " AS bytea[])" : v).append(" END");
        }
        return sb.toString();
    }

    /** The unnest arguments of the bulk update for column {@code j}: text arrays for token sets, bytea arrays for one token. */
    String bulkArgs(int j) {
        StringBuilder sb = new StringBuilder();
        for (CompanionColumns.Companion c : companions.get(j)) {
            sb.append(c.capability().isArray() ? ", CAST(? AS text[])" : ", CAST(? AS bytea[])");
        }
        return sb.toString();
    }

    /** The column aliases of {@link #bulkArgs}. */
    String bulkAliases(int j) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < companions.get(j).size(); k++) {
            sb.append(", s").append(j).append('_').append(k);
        }
        return sb.toString();
    }

    /** Binds {@link #bulkArgs} of column {@code j}: per companion, the rows' values as one array. */
    int bindBulk(PreparedStatement ps, int index, int j, List<Object[][]> rowTokens) throws SQLException {
        List<CompanionColumns.Companion> cs = companions.get(j);
        for (int k = 0; k < cs.size(); k++) {
            boolean array = cs.get(k).capability().isArray();
            Object[] column = array ? new String[rowTokens.size()] : new byte[rowTokens.size()][];
            for (int r = 0; r < column.length; r++) {
                Object[] t = rowTokens.get(r)[j];
                column[r] = t == null ? null : t[k];
            }
            ps.setObject(index++, column);
        }
        return index;
    }

}
