package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.sql.SortKey;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The order Veil serves a result in when its ORDER BY names an encrypted column (see
 * {@link SortKey}): every row is read first, each key taken from the row (encrypted keys
 * decrypted), and the rows sorted by the keys in turn, ties kept in the order the database
 * returned them.
 *
 * <p>Orderings: strings by Unicode code point (the order of their UTF-8 bytes, PostgreSQL's
 * {@code "C"} collation); numbers, dates, times, timestamps and booleans by value. A plaintext
 * text key is refused: its order is the database's collation, which Veil cannot reproduce.
 * NULLs go where the key says ({@code NULLS FIRST}/{@code LAST}, PostgreSQL's default: last
 * ascending, first descending).
 */
final class RowOrder {
    /** Reads one row's sort key values, positioned by the caller. */
    @FunctionalInterface
    interface KeyReader {
        Object read(SortKey key) throws SQLException;
    }

    private final List<SortKey> keys;

    RowOrder(List<SortKey> keys) {
        this.keys = List.copyOf(keys);
    }

    List<SortKey> keys() {
        return keys;
    }

    /** The key values of the current row (encrypted ones decrypted), checked to be sortable by Veil. */
    Object[] row(KeyReader reader) throws SQLException {
        Object[] values = new Object[keys.size()];
        for (int i = 0; i < values.length; i++) {
            SortKey k = keys.get(i);
            Object v = reader.read(k);
            if (v != null && k.encrypted() == null && (v instanceof String || v instanceof Character)) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "ORDER BY on an encrypted column cannot also sort by the text "
                        + "column at result position " + k.resultColumn() + ": its order is the database's collation, which Veil "
                        + "cannot reproduce when it sorts the decrypted rows; sort by it in the application");
            }
            if (v != null && !(v instanceof Comparable<?>)) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "ORDER BY on an encrypted column cannot also sort by result "
                        + "column " + k.resultColumn() + ": Veil has no order for its values (" + v.getClass().getSimpleName() + ")");
            }
            values[i] = v;
        }
        return values;
    }

    /**
     * The rows' positions in the order to serve them.
     *
     * @param rows each row's key values, in the order the database returned them
     * @param positions each row's position to move to
     */
    int[] order(List<Object[]> rows, int[] positions) {
        Integer[] idx = new Integer[rows.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Comparator<Integer> byKeys = (a, b) -> compare(rows.get(a), rows.get(b));
        Arrays.sort(idx, byKeys); // stable: ties keep the database's order
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = positions[idx[i]];
        }
        return out;
    }

    private int compare(Object[] a, Object[] b) {
        for (int i = 0; i < keys.size(); i++) {
            SortKey k = keys.get(i);
            Object x = a[i];
            Object y = b[i];
            if (x == null || y == null) {
                if (x == y) {
                    continue;
                }
                return (x == null) == k.nullsFirst() ? -1 : 1;
            }
            int c = compareValues(x, y);
            if (c != 0) {
                return k.descending() ? -c : c;
            }
        }
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareValues(Object x, Object y) {
        if (x instanceof String s && y instanceof String t) {
            return codePoints(s, t);
        }
        if (x instanceof BigDecimal d && y instanceof BigDecimal e) {
            return d.compareTo(e);
        }
        if (x instanceof Number m && y instanceof Number n && !(x.getClass().equals(y.getClass()))) {
            return new BigDecimal(m.toString()).compareTo(new BigDecimal(n.toString()));
        }
        return ((Comparable) x).compareTo(y);
    }

    /** Code point order (String.compareTo compares UTF-16 units, which misorders characters beyond U+FFFF). */
    static int codePoints(String s, String t) {
        int i = 0;
        int j = 0;
        while (i < s.length() && j < t.length()) {
            int a = s.codePointAt(i);
            int b = t.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(s.length() - i, t.length() - j);
    }
}
