package dev.veil.jobs;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A primary-key value (one or more columns), stored in the checkpoint tables as text and bound
 * back with its column's type. Keys are never secret (they are not encrypted columns), which is
 * why reports may name them.
 *
 * @param values the key's column values, in key order
 */
record RowKey(List<Object> values) {
    private static final char SEP = '\u001f';

    static RowKey read(ResultSet rs, int firstColumn, int count) throws SQLException {
        List<Object> v = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            v.add(rs.getObject(firstColumn + i));
        }
        return new RowKey(v);
    }

    /** Binds the key's values from parameter {@code first} on; returns the next parameter index. */
    int bind(PreparedStatement ps, int first) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            ps.setObject(first + i, values.get(i));
        }
        return first + values.size();
    }

    String encode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(SEP);
            }
            sb.append(values.get(i));
        }
        return sb.toString();
    }

    static RowKey decode(String text, List<Integer> types) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(String.valueOf(SEP), -1);
        List<Object> v = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            v.add(convert(parts[i], types.get(i)));
        }
        return new RowKey(v);
    }

    private static Object convert(String s, int type) {
        return switch (type) {
            case Types.INTEGER, Types.SMALLINT, Types.TINYINT -> Integer.valueOf(s);
            case Types.BIGINT -> Long.valueOf(s);
            case Types.NUMERIC, Types.DECIMAL -> new BigDecimal(s);
            case Types.OTHER, Types.BINARY -> s.length() == 36 && s.charAt(8) == '-' ? UUID.fromString(s) : s;
            default -> s;
        };
    }

    @Override
    public String toString() {
        return values.size() == 1 ? String.valueOf(values.get(0)) : values.toString();
    }
}
