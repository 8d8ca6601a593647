package dev.veil.search;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.ColumnRef;
import dev.veil.policy.Identifier;
import dev.veil.policy.TablePolicy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that names a searchable column's companion columns and says how they are declared
 * (PostgreSQL): {@code <col>_veil_prefix bytea[]}, {@code <col>_veil_sub bytea[]},
 * {@code <col>_veil_range bytea[]} with GIN indexes, and {@code <col>_veil_ci bytea} with a btree
 * index. A quoted column name gives quoted companion names.
 */
public final class CompanionColumns {
    /** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1), in bytes. */
    public static final int MAX_NAME_BYTES = 63;

    private CompanionColumns() {
    }

    /** A companion column: the searchable column it indexes, the capability, and its own name. */
    public record Companion(ColumnPolicy owner, SearchCapability capability, Identifier name) {
    }

    /** The name of {@code column}'s companion for {@code capability}. */
    public static Identifier name(ColumnRef column, SearchCapability capability) {
        Identifier c = column.column();
        return new Identifier(c.text() + capability.suffix(), c.quoted());
    }

    /** The companion columns of a column, in {@link SearchCapability} order; empty when it is not searchable. */
    public static List<Companion> of(ColumnPolicy column) {
        List<Companion> out = new ArrayList<>();
        for (SearchCapability c : column.search().capabilities()) {
            out.add(new Companion(column, c, name(column.column(), c)));
        }
        return out;
    }

    /** Policy order: line, column, then name. A class rather than lambdas: the catalog check of every first connection sorts with it. */
    private static final java.util.Comparator<ColumnPolicy> DECLARED = new java.util.Comparator<>() {
        @Override
        public int compare(ColumnPolicy a, ColumnPolicy b) {
            int c = Integer.compare(a.mark().line(), b.mark().line());
            c = c != 0 ? c : Integer.compare(a.mark().column(), b.mark().column());
            return c != 0 ? c : a.column().column().key().compareTo(b.column().column().key());
        }
    };

    /** Every companion column of a table's searchable columns, in the order the policy declares them. */
    public static List<Companion> of(TablePolicy table) {
        List<Companion> out = new ArrayList<>();
        for (ColumnPolicy c : searchable(table)) {
            out.addAll(of(c));
        }
        return out;
    }

    /**
     * The companion column a name (as written in SQL or reported by the database) denotes in
     * {@code table}, if any. Used to refuse writes to companion columns and to keep them out of
     * results.
     */
    public static Optional<Companion> find(TablePolicy table, String columnName) {
        String key = Identifier.parse(columnName).key();
        if (!key.contains("_veil_")) {
            return Optional.empty();
        }
        for (ColumnPolicy c : table.columns().values()) {
            for (SearchCapability cap : c.search().capabilities()) {
                Identifier n = name(c.column(), cap);
                if (n.key().equals(key) && n.matches(columnName)) {
                    return Optional.of(new Companion(c, cap, n));
                }
            }
        }
        return Optional.empty();
    }

    /** The SQL type of a companion column. */
    public static String sqlType(SearchCapability capability) {
        return capability.isArray() ? "bytea[]" : "bytea";
    }

    /**
     * The storage parameter of the GIN indexes: a pending list of 64 kB (PostgreSQL's smallest)
     * instead of the default 4 MB. A GIN index gathers new entries in its pending list and moves
     * them into its tree in bulk; every search reads the whole list. A search right after a few
     * thousand inserts, with the default, read a list of hundreds of pages and ran at a tenth of
     * the speed it has on a vacuumed index; with 64 kB an insert pays for a move every few dozen
     * rows, and a search reads at most 8 pages of it.
     */
    public static final String GIN_OPTIONS = "gin_pending_list_limit = 64";

    /**
     * The statement that keeps ANALYZE from gathering planner statistics on a companion column.
     * They seldom change a search's plan (the companion's index is the one way to answer its
     * condition; only a search matching a large part of the table would become a sequential
     * scan), yet with them PostgreSQL plans a search anew at every execution, each time reading
     * the column's list of most common tokens (up to 1,000) to estimate what a few tokens match:
     * in a profile of a 7-day range search, more server time than the GIN lookup. Without them
     * every execution of a prepared range search gets the same estimate, so it settles on one
     * generic plan (the GIN index scan) and is not planned again. Other searches are still planned
     * per execution, more cheaply: a {@code LIKE} with a parameter because its arms depend on the
     * pattern ({@link dev.veil.sql.SearchSql}), a {@code ci} lookup because PostgreSQL expects an
     * array parameter to hold ten tokens and so prices the generic plan higher.
     */
    public static String noStatistics(String table, Companion c) {
        return "ALTER TABLE " + table + " ALTER COLUMN " + c.name() + " SET STATISTICS 0";
    }

    /**
     * What clears the statistics ANALYZE gathered on a companion column before it was set to
     * {@link #noStatistics} (PostgreSQL keeps them otherwise): changing the column to its own type
     * drops them; the table is not rewritten, but the column's index is rebuilt under an exclusive lock.
     */
    public static String clearStatistics(String table, Companion c) {
        return "ALTER TABLE " + table + " ALTER COLUMN " + c.name() + " TYPE " + sqlType(c.capability());
    }

    /** The index method of a companion column: GIN for token sets ({@code &&}, {@code @>}), btree for one token ({@code =}, {@code IN}). */
    public static String indexMethod(SearchCapability capability) {
        return capability.isArray() ? "gin" : "btree";
    }

    /**
     * The DDL that adds a table's companion columns and their indexes (PostgreSQL), one statement
     * per element, idempotent ({@code IF NOT EXISTS}).
     */
    public static List<String> ddl(TablePolicy table) {
        List<String> out = new ArrayList<>();
        for (Companion c : of(table)) {
            out.add("ALTER TABLE " + table.name() + " ADD COLUMN IF NOT EXISTS " + c.name() + " " + sqlType(c.capability()));
            out.add(noStatistics(table.name().toString(), c));
        }
        for (Companion c : of(table)) {
            out.add("CREATE INDEX IF NOT EXISTS " + indexName(table, c) + " ON " + table.name() + " USING "
                    + indexMethod(c.capability()) + " (" + c.name() + ")" + (c.capability().isArray() ? " WITH (" + GIN_OPTIONS + ")" : ""));
        }
        return out;
    }

    /**
     * The guard of a searchable column: a CHECK constraint under which the database refuses a row
     * whose value has no tokens ({@code col IS NULL OR (<every companion> IS NOT NULL)}). Veil writes
     * a value and its tokens in one statement; the guard stops what does not go through Veil with
     * this policy: a process still running a policy without the column's search, a plain client.
     * Without it those rows are stored without tokens and every search misses them.
     *
     * @return {@code <table>_<col>_veil_tokens}, or a hashed name when that is longer than PostgreSQL keeps
     */
    public static Identifier guardName(ColumnPolicy column) {
        dev.veil.policy.TableName table = column.column().table();
        Identifier col = column.column().column();
        return shortName(table, col, "_veil_tokens", "veil_chk_", table + "." + col + " guard");
    }

    /** The guard's condition (see {@link #guardName}). */
    public static String guardCondition(ColumnPolicy column) {
        StringBuilder sb = new StringBuilder(column.column().column().toString()).append(" IS NULL OR (");
        List<Companion> companions = of(column);
        for (int i = 0; i < companions.size(); i++) {
            sb.append(i == 0 ? "" : " AND ").append(companions.get(i).name()).append(" IS NOT NULL");
        }
        return sb.append(')').toString();
    }

    /**
     * The capabilities whose companion columns a CHECK constraint, as PostgreSQL prints it
     * ({@code pg_get_constraintdef}), requires wherever {@code column}'s value is not NULL: for a
     * condition of the guard's shape, {@code col IS NULL OR c1 IS NOT NULL AND c2 IS NOT NULL ...}
     * with each {@code ci} a companion column of {@code column}, in any order, however it is
     * parenthesised or quoted, {@code NOT VALID} or not, the capabilities of those companions; for
     * any other constraint ({@code NO INHERIT}, {@code NOT ENFORCED}, another test or column, a
     * second OR) none. Grouping cannot weaken such a condition: its one OR has {@code col IS NULL}
     * alone on its left, so wherever the value is not NULL it is the AND of the companions' tests.
     */
    public static Set<SearchCapability> required(ColumnPolicy column, String definition) {
        String d = definition.strip();
        if (d.endsWith(" NOT VALID")) {
            d = d.substring(0, d.length() - " NOT VALID".length());
        }
        String text = withoutGrouping(d);
        String head = withoutGrouping("CHECK " + column.column().column().folded() + " IS NULL OR ");
        Set<SearchCapability> out = EnumSet.noneOf(SearchCapability.class);
        if (!text.startsWith(head + " ")) {
            return out;
        }
        List<Companion> companions = of(column);
        for (String test : text.substring(head.length() + 1).split(" AND ", -1)) {
            SearchCapability found = null;
            for (Companion c : companions) {
                if (test.equals(withoutGrouping(c.name().folded()) + " IS NOT NULL")) {
                    found = c.capability();
                }
            }
            if (found == null) {
                return EnumSet.noneOf(SearchCapability.class); // any other test may weaken the rest
            }
            out.add(found);
        }
        return out;
    }

    /**
     * The condition under which a row holds a value of {@code column} without all of its tokens
     * ({@code (col IS NOT NULL AND (c1 IS NULL OR c2 IS NULL ...))}): written before the column
     * became searchable, before one of its capabilities was added, or by a process without them.
     *
     * @param columnSql the column as the statement names it
     */
    public static String missingTokens(ColumnPolicy column, String columnSql) {
        StringBuilder sb = new StringBuilder("(").append(columnSql).append(" IS NOT NULL AND (");
        List<Companion> companions = of(column);
        for (int i = 0; i < companions.size(); i++) {
            sb.append(i == 0 ? "" : " OR ").append(companions.get(i).name()).append(" IS NULL");
        }
        return sb.append("))").toString();
    }

    /** The text without parentheses and double quotes, its runs of white space as one space. */
    private static String withoutGrouping(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '(' || ch == ')' || ch == '"') {
                continue;
            }
            if (Character.isWhitespace(ch)) {
                if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                    out.append(' ');
                }
                continue;
            }
            out.append(ch);
        }
        int n = out.length();
        return n > 0 && out.charAt(n - 1) == ' ' ? out.substring(0, n - 1) : out.toString();
    }

    /**
     * The DDL that adds the guard of each searchable column of a table (see {@link #guardName}),
     * {@code NOT VALID}: the database checks every row written from then on at once, and the rows
     * already there when {@link #validateDdl} runs (after the backfill).
     */
    public static List<String> guardDdl(TablePolicy table) {
        List<String> out = new ArrayList<>();
        for (ColumnPolicy c : searchable(table)) {
            out.add("ALTER TABLE " + table.name() + " ADD CONSTRAINT " + guardName(c) + " CHECK (" + guardCondition(c) + ") NOT VALID");
        }
        return out;
    }

    /** The DDL that has the database check the rows that were there before each guard (once they are backfilled). */
    public static List<String> validateDdl(TablePolicy table) {
        List<String> out = new ArrayList<>();
        for (ColumnPolicy c : searchable(table)) {
            out.add("ALTER TABLE " + table.name() + " VALIDATE CONSTRAINT " + guardName(c));
        }
        return out;
    }

    /** A table's searchable columns, in the order the policy declares them. */
    private static List<ColumnPolicy> searchable(TablePolicy table) {
        List<ColumnPolicy> columns = new ArrayList<>();
        for (ColumnPolicy c : table.columns().values()) {
            if (c.isSearchable()) {
                columns.add(c);
            }
        }
        columns.sort(DECLARED);
        return columns;
    }

    /** {@code <table>_<companion>_idx}, or a hashed name when that is longer than PostgreSQL keeps. */
    static Identifier indexName(TablePolicy table, Companion c) {
        return shortName(table.name(), c.name(), "_idx", "veil_idx_", table.name() + "." + c.name());
    }

    /** {@code <table>_<name><suffix>}, or {@code hashedPrefix} and a hash of {@code hashed} when that is longer than PostgreSQL keeps. */
    private static Identifier shortName(dev.veil.policy.TableName table, Identifier name, String suffix, String hashedPrefix, String hashed) {
        String plain = table.name().text() + "_" + name.text() + suffix;
        boolean quoted = table.name().quoted() || name.quoted();
        if (plain.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return new Identifier(plain, quoted);
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(hashed.getBytes(StandardCharsets.UTF_8));
            return new Identifier(hashedPrefix + HexFormat.of().formatHex(h, 0, 8), false);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
