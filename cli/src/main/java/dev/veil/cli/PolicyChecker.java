package dev.veil.cli;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.crypto.Algorithm;
import dev.veil.crypto.Envelope;
import dev.veil.jdbc.CatalogCheck;
import dev.veil.jdbc.CatalogCheck.LiveColumn;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.LogicalType;
import dev.veil.policy.Policy;
import dev.veil.policy.StorageFormat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /** A column type as the database would print it: {@code varchar(500)}, {@code text}. */
    static String describe(LiveColumn c) {
        int t = c.jdbcType();
        boolean sized = t == Types.VARCHAR || t == Types.CHAR || t == Types.NVARCHAR || t == Types.NCHAR
                || t == Types.BINARY || t == Types.VARBINARY;
        return sized && c.size() > 0 && c.size() < UNBOUNDED ? c.typeName() + "(" + c.size() + ")" : c.typeName();
    }

    private final Connection connection;
    private final int minDistinct;

    PolicyChecker(Connection connection, int minDistinct) {
        this.connection = connection;
        this.minDistinct = minDistinct;
    }

    /**
     * What the driver does when an engine starts, reported instead of thrown: the master-key
     * provider is created exactly as the driver creates it (settings, keystore or token, password
     * or PIN variables, alias or label) and the key store's settings are read.
     */
    static List<Finding> engineStart(Policy policy, ConnectionFactory database) {
        try (Veil veil = Veil.open(policy, database)) {
            return List.of(new Finding(Level.OK, "keys", "master key " + veil.keys().master().masterKeyId() + " opens"));
        } catch (VeilException e) {
            return List.of(new Finding(Level.ERROR, "keys", e.getSQLState() + " " + e.getMessage()));
        }
    }

    /** The driver's catalog check ({@link CatalogCheck}), then each column's type and width, and few distinct values. */
    List<Finding> check(Policy policy) throws SQLException {
        List<Finding> out = new ArrayList<>();
        CatalogCheck.Report report = CatalogCheck.run(policy, connection);
        for (CatalogCheck.TableFit table : report.tables()) {
            if (!table.exists()) {
                out.add(new Finding(Level.ERROR, table.table().name().toString(), "table does not exist (" + policy.mark(table.table())
                        + (policy.strict() ? "); strict: true, so the driver refuses connections until it exists"
                        : "); the driver logs a warning and leaves its columns unprotected until it exists")));
                continue;
            }
            List<ColumnPolicy> inPolicyOrder = new ArrayList<>(table.table().columns().values());
            inPolicyOrder.sort(java.util.Comparator.comparingInt((ColumnPolicy c) -> c.mark().line()).thenComparingInt(c -> c.mark().column()));
            for (ColumnPolicy c : inPolicyOrder) {
                String subject = c.column().toString();
                LiveColumn col = table.column(c);
                if (col == null) {
                    out.add(new Finding(Level.ERROR, subject, "column does not exist (" + c.mark() + "); the driver refuses connections"));
                    continue;
                }
                out.add(fit(c, col));
                if (c.isDeterministic()) {
                    Finding f = distinct(c);
                    if (f != null) {
                        out.add(f);
                    }
                }
                if (c.isSearchable() && table.missingCompanions().stream().noneMatch(m -> m.owner() == c)) {
                    out.addAll(searchBudget(c));
                    out.add(guard(c));
                    Finding statistics = plannerStatistics(c);
                    if (statistics != null) {
                        out.add(statistics);
                    }
                }
            }
            for (dev.veil.search.CompanionColumns.Companion m : table.missingCompanions()) {
                out.add(new Finding(Level.ERROR, table.table().name() + "." + m.name(), "companion column of " + m.owner().column()
                        + " (" + m.capability().policyName() + " search, " + m.owner().mark() + ") does not exist; the driver refuses "
                        + "connections. Add it with the DDL 'veil policy check --ddl' prints, then backfill with 'veil migrate'"));
            }
        }
        return out;
    }

    /**
     * The leakage budget of a searchable column: per capability what the database learns, the
     * expected coincidences at the planned token length for the table's row count, and a
     * recommended length; warnings for few distinct values and for revealing combinations.
     */
    private List<Finding> searchBudget(ColumnPolicy c) throws SQLException {
        List<Finding> out = new ArrayList<>();
        String subject = c.column().toString();
        long rows;
        long unindexed = 0;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(*) FILTER (WHERE "
                + dev.veil.search.CompanionColumns.missingTokens(c, c.column().column().toString()) + ") FROM " + c.column().table())) {
            rs.next();
            rows = rs.getLong(1);
            unindexed = rs.getLong(2);
        }
        for (dev.veil.search.LeakagePlanner.Budget b : dev.veil.search.LeakagePlanner.budgets(c, rows)) {
            String cap = b.capability().policyName();
            String length = b.bits() == dev.veil.search.SearchSpec.EXACT_BITS ? "exact 128-bit tokens" : b.bits() + "-bit tokens";
            String plan = b.recommendedBits() < 0 ? "too few rows (" + rows + ") for a coincidence budget: keep exact tokens"
                    : "a planned length of " + b.recommendedBits() + " bits would give " + dev.veil.search.LeakagePlanner.format(
                    dev.veil.search.LeakagePlanner.coincidences(rows, b.recommendedBits())) + " coincidence(s) per token (bits: "
                    + b.recommendedBits() + "; every query then filtered, paged and counted shapes refused)";
            String message = cap + " (" + length + "): the database learns " + b.learns() + ". " + rows + " row(s): expected "
                    + "coincidences rows/2^bits = " + dev.veil.search.LeakagePlanner.format(b.coincidences()) + "; " + plan;
            out.add(new Finding(b.outsideBand(rows) ? Level.WARNING : Level.OK, subject, message));
        }
        for (String w : dev.veil.search.LeakagePlanner.combinationWarnings(c)) {
            out.add(new Finding(Level.WARNING, subject, w));
        }
        Finding few = fewDistinctTokens(c, rows);
        if (few != null) {
            out.add(few);
        }
        if (unindexed > 0) {
            out.add(new Finding(Level.WARNING, subject, unindexed + " row(s) hold a value without all its search tokens (written "
                    + "before search or one of its capabilities was enabled, or by a process without it): 'veil migrate' backfills them"));
        }
        return out;
    }

    /**
     * Whether the database refuses a value of a searchable column written without its tokens: the
     * guard constraint that {@code --ddl} prints, exactly, validated, on the table and every
     * relation a search of it reads ({@link dev.veil.jdbc.SearchGuards}). Until then the driver
     * refuses searches on the column.
     */
    private Finding guard(ColumnPolicy c) throws SQLException {
        String gap = dev.veil.jdbc.SearchGuards.gap(connection, c);
        if (gap != null) {
            return new Finding(Level.WARNING, c.column().toString(), "searches are refused until the database guarantees that every "
                    + "value has its search tokens: " + gap);
        }
        return new Finding(Level.OK, c.column().toString(), "guard " + dev.veil.search.CompanionColumns.guardName(c)
                + ": the database refuses values without search tokens");
    }

    /**
     * Companion columns that ANALYZE gathers (or has gathered) planner statistics on: with them
     * PostgreSQL plans every search on the column anew ({@link dev.veil.search.CompanionColumns#noStatistics}).
     */
    private Finding plannerStatistics(ColumnPolicy c) throws SQLException {
        List<String> fixes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String table = c.column().table().toString();
        try (PreparedStatement ps = connection.prepareStatement("SELECT coalesce(a.attstattarget, -1) <> 0, EXISTS (SELECT 1 FROM pg_stats s "
                + "WHERE s.schemaname = n.nspname AND s.tablename = r.relname AND s.attname = a.attname) FROM pg_attribute a "
                + "JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
                + "WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped")) {
            for (dev.veil.search.CompanionColumns.Companion m : dev.veil.search.CompanionColumns.of(c)) {
                ps.setString(1, table);
                ps.setString(2, m.name().folded());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1) && !rs.getBoolean(2)) {
                        continue;
                    }
                    names.add(m.name().toString());
                    if (rs.getBoolean(1)) {
                        fixes.add(dev.veil.search.CompanionColumns.noStatistics(table, m));
                    }
                    if (rs.getBoolean(2)) {
                        fixes.add(dev.veil.search.CompanionColumns.clearStatistics(table, m));
                    }
                }
            }
        }
        if (names.isEmpty()) {
            return null;
        }
        return new Finding(Level.WARNING, c.column().toString(), "planner statistics on " + String.join(", ", names) + ": PostgreSQL "
                + "plans every search on the column anew, which costs more than its index lookup; run " + String.join("; ", fixes)
                + (fixes.stream().anyMatch(f -> f.contains(" TYPE ")) ? " (the change to its own type drops the statistics gathered; it "
                + "rebuilds the column's index under an exclusive lock)" : ""));
    }

    /** Few distinct values, read from the exact ci token or the finest range bucket (no decryption needed). */
    private Finding fewDistinctTokens(ColumnPolicy c, long rows) throws SQLException {
        String expr = c.searchable(dev.veil.search.SearchCapability.CI)
                ? dev.veil.search.CompanionColumns.name(c.column(), dev.veil.search.SearchCapability.CI).toString()
                : c.searchable(dev.veil.search.SearchCapability.RANGE)
                ? dev.veil.search.CompanionColumns.name(c.column(), dev.veil.search.SearchCapability.RANGE) + "[1]" : null;
        if (expr == null || rows == 0) {
            return null;
        }
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT " + expr + "), COUNT(" + expr + ") FROM " + c.column().table())) {
            rs.next();
            long distinct = rs.getLong(1);
            long indexed = rs.getLong(2);
            if (indexed > distinct && distinct < minDistinct) {
                return new Finding(Level.WARNING, c.column().toString(), "only " + distinct + " distinct " + (expr.endsWith("[1]")
                        ? "value(s)" : "value(s) up to case") + " in " + indexed + " indexed rows: the search index shows which rows "
                        + "share one, and a few known rows reveal the rest; consider not indexing this column");
            }
        }
        return null;
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
            return new Finding(Level.ERROR, subject, describe(col) + " pads values with spaces, which breaks ciphertexts; use varchar or text");
        }
        if (text && !isText) {
            return new Finding(Level.ERROR, subject, describe(col) + " cannot hold text ciphertexts (storage: text); use varchar or text"
                    + (isBinary ? ", or set storage: binary" : ""));
        }
        if (!text && !isBinary) {
            return new Finding(Level.ERROR, subject, describe(col) + " cannot hold binary ciphertexts (storage: binary); use bytea/varbinary/blob"
                    + (isText ? ", or set storage: text" : ""));
        }
        long width = col.size() <= 0 || col.size() >= UNBOUNDED ? -1 : col.size();
        int fixed = fixedBytes(c.type());
        if (fixed >= 0) {
            int need = stored(alg, fixed, text);
            if (width >= 0 && width < need) {
                return new Finding(Level.ERROR, subject, describe(col) + " is too narrow: a " + c.type().policyName() + " ciphertext needs "
                        + need + (text ? " characters" : " bytes") + "; widen it to " + need + " or more");
            }
            return new Finding(Level.OK, subject, describe(col) + " holds its ciphertexts (" + need + (text ? " characters" : " bytes") + ")");
        }
        String rule = text ? "a value of n bytes needs " + (Envelope.TEXT_PREFIX.length()) + " + ceil(4(n+" + Envelope.size(alg, 0) + ")/3) characters"
                : "a value of n bytes needs n+" + Envelope.size(alg, 0) + " bytes";
        if (width < 0) {
            return new Finding(Level.OK, subject, describe(col) + " is unbounded (" + rule + ")");
        }
        long maxPlain = largestPlaintext(alg, width, text);
        if (maxPlain < 1) {
            return new Finding(Level.ERROR, subject, describe(col) + " cannot hold any ciphertext: " + rule + ", so at least "
                    + stored(alg, 1, text) + " for one byte");
        }
        // a bounded column holds only part of a string, bytes or decimal plaintext's range
        return new Finding(Level.WARNING, subject, describe(col) + " holds ciphertexts of values up to " + maxPlain
                + " bytes only; longer values do not fit (" + rule + ": a " + width + "-byte value would need "
                + stored(alg, (int) width, text) + "). Use an unbounded type (" + (text ? "text" : "bytea, blob") + ") or widen it");
    }

    /**
     * The largest plaintext, in bytes, whose stored ciphertext fits {@code width}: the width less the
     * {@code vl1:} prefix and base64url's 4-for-3 expansion for text storage, then less the
     * envelope's overhead (header, nonce, tag).
     */
    static long largestPlaintext(Algorithm alg, long width, boolean text) {
        long envelope = text ? (width - Envelope.TEXT_PREFIX.length()) * 3 / 4 : width;
        return envelope - Envelope.size(alg, 0);
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
}
