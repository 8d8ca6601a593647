package dev.veil.jobs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A primary-key value (one or more columns), stored in the checkpoint tables as text and bound
 * back by its column's kind. Keys are never secret (they are not encrypted columns), which is
 * why reports may name them.
 *
 * <p>Each column's value is held in one of four forms, chosen by its {@link Kind}: a whole number
 * ({@link Long} or {@link BigInteger}), a {@link BigDecimal}, bytes, or the database's own text for
 * the value (uuid, character types, dates, enums…), which the database reads back as the same
 * value. The checkpoint text joins the columns with the unit separator (U+001F) and escapes that
 * separator and {@code %} inside values, so text keys of any content round-trip.
 *
 * @param values the key's column values, in key order
 */
record RowKey(List<Object> values) {
    private static final char SEP = '\u001f';
    private static final HexFormat HEX = HexFormat.of();

    /** How a key column's values are read, checkpointed and bound. */
    enum Kind {
        INTEGRAL, DECIMAL, BYTES, TEXT;

        static Kind of(int sqlType) {
            return switch (sqlType) {
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> INTEGRAL;
                case Types.NUMERIC, Types.DECIMAL -> DECIMAL;
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> BYTES;
                default -> TEXT;
            };
        }
    }

    static RowKey read(ResultSet rs, int firstColumn, List<Kind> kinds) throws SQLException {
        List<Object> v = new ArrayList<>(kinds.size());
        for (int i = 0; i < kinds.size(); i++) {
            int col = firstColumn + i;
            v.add(switch (kinds.get(i)) {
                case INTEGRAL -> integral(rs.getObject(col));
                case DECIMAL -> rs.getBigDecimal(col);
                case BYTES -> rs.getBytes(col);
                case TEXT -> rs.getString(col);
            });
        }
        return new RowKey(v);
    }

    private static Object integral(Object o) {
        if (o instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (o instanceof Number n) {
            return n.longValue();
        }
        return o == null ? null : new BigInteger(o.toString());
    }

    /**
     * Binds the key's values from parameter {@code first} on; returns the next parameter index.
     *
     * @param untypedText bind text values with no type, so the server reads them as the column's
     *        type (PostgreSQL: a uuid or enum key compared with a {@code varchar} parameter is an error)
     */
    int bind(PreparedStatement ps, int first, boolean untypedText) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            bindOne(ps, first + i, i, untypedText);
        }
        return first + values.size();
    }

    /** Binds column {@code i}'s value to parameter {@code index}. */
    void bindOne(PreparedStatement ps, int index, int i, boolean untypedText) throws SQLException {
        Object v = values.get(i);
        if (v instanceof String s && untypedText) {
            ps.setObject(index, s, Types.OTHER);
        } else if (v instanceof byte[] b) {
            ps.setBytes(index, b);
        } else if (v instanceof BigInteger b) {
            ps.setBigDecimal(index, new BigDecimal(b));
        } else {
            ps.setObject(index, v);
        }
    }

    String encode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(SEP);
            }
            String text = text(values.get(i));
            for (int j = 0; j < text.length(); j++) {
                char ch = text.charAt(j);
                if (ch == '%') {
                    sb.append("%25");
                } else if (ch == SEP) {
                    sb.append("%1F");
                } else {
                    sb.append(ch);
                }
            }
        }
        return sb.toString();
    }

    private static String text(Object v) {
        if (v instanceof byte[] b) {
            return HEX.formatHex(b);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(v);
    }

    static RowKey decode(String text, List<Kind> kinds) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(String.valueOf(SEP), -1);
        if (parts.length != kinds.size()) {
            throw new IllegalArgumentException("checkpoint has " + parts.length + " key column(s), the table's primary key " + kinds.size());
        }
        List<Object> v = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            v.add(convert(unescape(parts[i]), kinds.get(i)));
        }
        return new RowKey(v);
    }

    private static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '%' && s.startsWith("25", i + 1)) {
                sb.append('%');
                i += 2;
            } else if (ch == '%' && s.startsWith("1F", i + 1)) {
                sb.append(SEP);
                i += 2;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static Object convert(String s, Kind kind) {
        return switch (kind) {
            case INTEGRAL -> integral(new BigInteger(s));
            case DECIMAL -> new BigDecimal(s);
            case BYTES -> HEX.parseHex(s);
            case TEXT -> s;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && encode().equals(k.encode());
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    @Override
    public String toString() {
        if (values.size() == 1) {
            return text(values.get(0));
        }
        List<String> parts = new ArrayList<>();
        for (Object v : values) {
            parts.add(text(v));
        }
        return parts.toString();
    }
}
