package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.Envelope;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.StorageFormat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which data keys the rows of a policy's encrypted columns still use. Only the envelope header
 * (magic, algorithm, key id) is needed, so the database groups rows by the first 6 bytes (binary)
 * or 12 characters (text: {@code vl1:} and the header's 8 base64url characters) and returns one
 * row per distinct header: a full scan of each column, but nothing else crosses the wire.
 */
public final class KeyUsage {
    /** Text-form header: the prefix and the 6 header bytes, which base64 encodes to exactly 8 characters. */
    private static final int TEXT_HEADER = Envelope.TEXT_PREFIX.length() + 8;

    private KeyUsage() {
    }

    /**
     * The rows of one column by data-key id.
     *
     * @param rowsByKey non-null values per key id
     * @param plaintextRows non-null values that are not Veil ciphertexts (legacy plaintext)
     */
    public record ColumnUsage(ColumnPolicy column, Map<Integer, Long> rowsByKey, long plaintextRows) {
        public ColumnUsage {
            rowsByKey = Map.copyOf(rowsByKey);
        }
    }

    /**
     * Scans every encrypted column of {@code policy}.
     *
     * @param database a plain (not Veil) connection to the application's database
     * @throws VeilException {@code VE009} when a column cannot be read (names it)
     */
    public static List<ColumnUsage> scan(Connection database, Policy policy) throws VeilException {
        List<ColumnUsage> out = new ArrayList<>();
        for (ColumnPolicy c : policy.columns()) {
            out.add(scan(database, c));
        }
        return out;
    }

    static ColumnUsage scan(Connection database, ColumnPolicy c) throws VeilException {
        boolean text = c.storage() == StorageFormat.TEXT;
        String col = c.column().column().toString();
        String head = "SUBSTRING(" + col + ", 1, " + (text ? TEXT_HEADER : Envelope.HEADER_BYTES) + ")";
        String sql = "SELECT " + head + ", COUNT(*) FROM " + c.column().table() + " WHERE " + col + " IS NOT NULL GROUP BY " + head;
        Map<Integer, Long> byKey = new TreeMap<>();
        long plaintext = 0;
        try (Statement s = database.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Object h = text ? rs.getString(1) : rs.getBytes(1);
                long n = rs.getLong(2);
                Integer keyId = keyId(h);
                if (keyId == null) {
                    plaintext += n;
                } else {
                    byKey.merge(keyId, n, Long::sum);
                }
            }
        } catch (SQLException e) {
            throw new VeilException(VeilState.KEY_STORE_FAILURE, "cannot read " + c.column() + " to count key usage ("
                    + dev.veil.DatabaseFailure.describe(e) + ")", e);
        }
        return new ColumnUsage(c, byKey, plaintext);
    }

    /** The key id in an envelope header (text or binary), or {@code null} when it is not one. */
    static Integer keyId(Object header) {
        byte[] bytes;
        if (header instanceof String s) {
            if (s.length() != TEXT_HEADER || !Envelope.isTextEnvelope(s)) {
                return null;
            }
            try {
                bytes = Base64.getUrlDecoder().decode(s.substring(Envelope.TEXT_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                return null;
            }
        } else if (header instanceof byte[] b) {
            bytes = b;
        } else {
            return null;
        }
        return bytes.length == Envelope.HEADER_BYTES && bytes[0] == Envelope.MAGIC ? Envelope.keyId(bytes) : null;
    }

    /** Rows per key id over all columns. */
    public static Map<Integer, Long> totals(List<ColumnUsage> usage) {
        Map<Integer, Long> t = new TreeMap<>();
        usage.forEach(u -> u.rowsByKey().forEach((k, n) -> t.merge(k, n, Long::sum)));
        return t;
    }
}
