package dev.veil.cli;

import dev.veil.crypto.Algorithm;
import dev.veil.crypto.Envelope;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.LogicalType;
import dev.veil.policy.Policy;
import dev.veil.policy.StorageFormat;
import dev.veil.policy.TableName;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Holds a policy against a live schema: every table and column exists, each column's type can
 * hold the ciphertext form its storage names and is wide enough for it, and deterministic columns
 * with few distinct values are pointed out (equal ciphertexts show which rows are equal).
 */
final class PolicyChecker {
    /** Widths at or above this are treated as unbounded (PostgreSQL text/bytea report 2^31-1). */
    private static final long UNBOUNDED = 1L << 30;

    enum Level { OK, WARNING, ERROR }

    record Finding(Level level, String subject, String message) {
        @Override
        public String toString() {
            return String.format("%-8s %s: %s", level.name().toLowerCase(Locale.ROOT), subject, message);
        }
    }

    private record LiveColumn(String schema, String name, int jdbcType, String typeName, long size) {
        String describe() {
            boolean sized = jdbcType == Types.VARCHAR || jdbcType == Types.CHAR || jdbcType == Types.NVARCHAR || jdbcType == Types.NCHAR
                    || jdbcType == Types.BINARY || jdbcType == Types.VARBINARY;
            return sized && size > 0 && size < UNBOUNDED ? typeName + "(" + size + ")" : typeName;
        }
    }

    private final Connection connection;
    private final int minDistinct;

    PolicyChecker(Connection connection, int minDistinct) {
        this.connection = connection;
        this.minDistinct = minDistinct;
    }

    List<Finding> check(Policy policy) throws SQLException {
        List<Finding> out = new ArrayList<>();
        for (var table : policy.tables()) {
            List<LiveColumn> live = columns(table.name());
            if (live.isEmpty()) {
                out.add(new Finding(Level.ERROR, table.name().toString(), "table does not exist"));
                continue;
            }
            for (ColumnPolicy c : table.columns().values()) {
                String subject = c.column().toString();
                LiveColumn col = live.stream().filter(l -> c.column().column().matches(quoteIfNeeded(l.name()))).findFirst().orElse(null);
                if (col == null) {
                    out.add(new Finding(Level.ERROR, subject, "column does not exist"));
                    continue;
                }
                out.add(fit(c, col));
                if (c.isDeterministic()) {
                    Finding f = distinct(c);
                    if (f != null) {
                        out.add(f);
                    }
                }
            }
        }
        return out;
    }

    private static String quoteIfNeeded(String liveName) {
        // a name as the database reports it is exact: compare it as a quoted identifier would
        return '"' + liveName.replace("\"", "\"\"") + '"';
    }

    /** Whether the column's type and width can hold the ciphertext, and what width it needs. */
    static Finding fit(ColumnPolicy c, LiveColumn col) {
        String subject = c.column().toString();
        Algorithm alg = Algorithm.forMode(c.mode());
        boolean text = c.storage() == StorageFormat.TEXT;
        int t = col.jdbcType();
        boolean isText = t == Types.VARCHAR || t == Types.LONGVARCHAR || t == Types.NVARCHAR || t == Types.LONGNVARCHAR
                || t == Types.CLOB || t == Types.NCLOB;
        boolean isFixedText = t == Types.CHAR || t == Types.NCHAR;
        boolean isBinary = t == Types.BINARY || t == Types.VARBINARY || t == Types.LONGVARBINARY || t == Types.BLOB;
        if (text && isFixedText) {
            return new Finding(Level.ERROR, subject, col.describe() + " pads values with spaces, which breaks ciphertexts; use varchar or text");
        }
        if (text && !isText) {
            return new Finding(Level.ERROR, subject, col.describe() + " cannot hold text ciphertexts (storage: text); use varchar or text"
                    + (isBinary ? ", or set storage: binary" : ""));
        }
        if (!text && !isBinary) {
            return new Finding(Level.ERROR, subject, col.describe() + " cannot hold binary ciphertexts (storage: binary); use bytea/varbinary/blob"
                    + (isText ? ", or set storage: text" : ""));
        }
        long width = col.size() <= 0 || col.size() >= UNBOUNDED ? -1 : col.size();
        int fixed = fixedBytes(c.type());
        if (fixed >= 0) {
            int need = stored(alg, fixed, text);
            if (width >= 0 && width < need) {
                return new Finding(Level.ERROR, subject, col.describe() + " is too narrow: a " + c.type().policyName() + " ciphertext needs "
                        + need + (text ? " characters" : " bytes") + "; widen it to " + need + " or more");
            }
            return new Finding(Level.OK, subject, col.describe() + " holds its ciphertexts (" + need + (text ? " characters" : " bytes") + ")");
        }
        String rule = text ? "a value of n bytes needs " + (Envelope.TEXT_PREFIX.length()) + " + ceil(4(n+" + Envelope.size(alg, 0) + ")/3) characters"
                : "a value of n bytes needs n+" + Envelope.size(alg, 0) + " bytes";
        if (width < 0) {
            return new Finding(Level.OK, subject, col.describe() + " is unbounded (" + rule + ")");
        }
        long maxPlain = (text ? (width - Envelope.TEXT_PREFIX.length()) * 3 / 4 : width) - Envelope.size(alg, 0);
        if (maxPlain < 1) {
            return new Finding(Level.ERROR, subject, col.describe() + " cannot hold any ciphertext: " + rule + ", so at least "
                    + stored(alg, 1, text) + " for one byte");
        }
        return new Finding(maxPlain < 16 ? Level.WARNING : Level.OK, subject, col.describe() + " holds ciphertexts of values up to "
                + maxPlain + " bytes; " + rule + " (a " + width + "-byte value would need " + stored(alg, (int) width, text) + ")");
    }

    /** Length of the stored ciphertext of an {@code n}-byte plaintext: characters for text, bytes for binary. */
    static int stored(Algorithm alg, int n, boolean text) {
        int env = Envelope.size(alg, n);
        return text ? Envelope.textLength(env) : env;
    }

    /** Encoded plaintext size of fixed-size logical types, -1 for variable ones. */
    static int fixedBytes(LogicalType type) {
        return switch (type) {
            case BOOLEAN -> 1;
            case INTEGER, DATE, TIME -> 8;
            case TIMESTAMP, TIMESTAMPTZ -> 12;
            case UUID -> 16;
            case STRING, BYTES, DECIMAL -> -1;
        };
    }

    private Finding distinct(ColumnPolicy c) throws SQLException {
        String subject = c.column().toString();
        if (c.type() == LogicalType.BOOLEAN) {
            return new Finding(Level.WARNING, subject, "deterministic boolean: at most two ciphertexts, so every row's value is guessable "
                    + "from a few known rows; consider randomized");
        }
        String col = c.column().column().toString();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT " + col + "), COUNT(" + col + ") FROM " + c.column().table())) {
            rs.next();
            long distinct = rs.getLong(1);
            long rows = rs.getLong(2);
            if (rows > distinct && distinct < minDistinct) {
                return new Finding(Level.WARNING, subject, "deterministic with only " + distinct + " distinct value(s) in " + rows
                        + " rows: equal ciphertexts show which rows share a value; consider randomized");
            }
        }
        return null;
    }

    /** The live columns of a policy table (trying the name as written, lower and upper case, as databases fold differently). */
    private List<LiveColumn> columns(TableName table) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        Set<String> spellings = new LinkedHashSet<>();
        Identifier name = table.name();
        spellings.add(name.text());
        if (!name.quoted()) {
            spellings.add(name.text().toLowerCase(Locale.ROOT));
            spellings.add(name.text().toUpperCase(Locale.ROOT));
        }
        String current = connection.getSchema();
        List<LiveColumn> any = new ArrayList<>();
        for (String spelling : spellings) {
            List<LiveColumn> found = new ArrayList<>();
            try (ResultSet rs = md.getColumns(connection.getCatalog(), null, escape(md, spelling), null)) {
                while (rs.next()) {
                    found.add(new LiveColumn(rs.getString("TABLE_SCHEM"), rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                            rs.getString("TYPE_NAME"), rs.getLong("COLUMN_SIZE")));
                }
            }
            if (table.schema() != null) {
                found.removeIf(c -> c.schema() == null || !table.schema().matches(quoteIfNeeded(c.schema())));
            } else if (found.stream().anyMatch(c -> c.schema() != null && c.schema().equals(current))) {
                found.removeIf(c -> c.schema() == null || !c.schema().equals(current));
            }
            if (!found.isEmpty()) {
                return found;
            }
        }
        return any;
    }

    private static String escape(DatabaseMetaData md, String pattern) throws SQLException {
        String esc = md.getSearchStringEscape();
        return esc == null || esc.isEmpty() ? pattern : pattern.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }
}
