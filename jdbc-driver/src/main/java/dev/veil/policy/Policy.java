package dev.veil.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A validated, immutable column policy. Build one with {@link PolicyLoader}.
 */
public final class Policy {
    /** How long plans trust a table's live column list unless the policy says otherwise. */
    public static final Duration DEFAULT_SCHEMA_REFRESH = Duration.ofMinutes(1);

    private final int version;
    private final String source;
    private final KeysPolicy keys;
    private final List<TablePolicy> tables;
    private final Map<String, List<TablePolicy>> tablesByName;
    private final List<ColumnPolicy> columns;
    private final BackgroundRekey backgroundRekey;
    private final ConnectionMatch match;
    private final Duration schemaRefreshAfter;
    private final boolean strict;
    private final Map<TableName, SourceMark> tableMarks;
    private final TransportPolicy transport;

    /** A policy that applies to every connection (no {@code match} section) and asks for no background jobs. */
    public Policy(int version, String source, KeysPolicy keys, List<TablePolicy> tables) {
        this(version, source, keys, tables, ConnectionMatch.ALL, null, DEFAULT_SCHEMA_REFRESH);
    }

    /**
     * @param version the policy format version (1)
     * @param source where it was loaded from, for messages
     * @param keys key settings
     * @param tables the tables with encrypted columns
     * @param match which connections the policy is for when the agent decides ({@code null}: all)
     * @param backgroundRekey the background rekey the policy asks for, or {@code null}
     * @param schemaRefreshAfter how long a statement plan made from a table's live column list
     *        ({@code SELECT *}, {@code INSERT} without a column list) is trusted before that list is
     *        read again; {@code null}: only DDL run through Veil makes it read again
     */
    public Policy(int version, String source, KeysPolicy keys, List<TablePolicy> tables, ConnectionMatch match,
                  BackgroundRekey backgroundRekey, Duration schemaRefreshAfter) {
        this(version, source, keys, tables, match, backgroundRekey, schemaRefreshAfter, false, Map.of());
    }

    /**
     * A policy as {@link PolicyLoader} reads it: the arguments of
     * {@link #Policy(int, String, KeysPolicy, List, ConnectionMatch, BackgroundRekey, Duration)}, plus
     *
     * @param strict whether connections are refused while a policy table does not exist in the
     *        database ({@code strict: true}); otherwise a missing table is only reported
     * @param tableMarks where each table is named in the policy file
     */
    public Policy(int version, String source, KeysPolicy keys, List<TablePolicy> tables, ConnectionMatch match,
                  BackgroundRekey backgroundRekey, Duration schemaRefreshAfter, boolean strict, Map<TableName, SourceMark> tableMarks) {
        this(version, source, keys, tables, match, backgroundRekey, schemaRefreshAfter, strict, tableMarks, TransportPolicy.NONE);
    }

    /**
     * A policy as {@link PolicyLoader} reads it, with its transport requirement.
     *
     * @param transport what the link to the database must be ({@code null}: {@link TransportPolicy#NONE})
     */
    public Policy(int version, String source, KeysPolicy keys, List<TablePolicy> tables, ConnectionMatch match,
                  BackgroundRekey backgroundRekey, Duration schemaRefreshAfter, boolean strict, Map<TableName, SourceMark> tableMarks,
                  TransportPolicy transport) {
        this.transport = transport == null ? TransportPolicy.NONE : transport;
        this.strict = strict;
        this.tableMarks = Map.copyOf(tableMarks);
        this.schemaRefreshAfter = schemaRefreshAfter;
        this.match = match == null ? ConnectionMatch.ALL : match;
        this.backgroundRekey = backgroundRekey;
        this.version = version;
        this.source = source;
        this.keys = keys;
        this.tables = List.copyOf(tables);
        Map<String, List<TablePolicy>> index = new HashMap<>();
        List<ColumnPolicy> all = new ArrayList<>();
        for (TablePolicy t : this.tables) {
            List<TablePolicy> named = index.get(t.name().name().key());
            if (named == null) {
                named = new ArrayList<>();
                index.put(t.name().name().key(), named);
            }
            named.add(t);
            all.addAll(t.columns().values());
        }
        for (Map.Entry<String, List<TablePolicy>> e : index.entrySet()) {
            e.setValue(List.copyOf(e.getValue()));
        }
        this.tablesByName = Map.copyOf(index);
        this.columns = List.copyOf(all);
    }

    public int version() {
        return version;
    }

    public String source() {
        return source;
    }

    public KeysPolicy keys() {
        return keys;
    }

    public List<TablePolicy> tables() {
        return tables;
    }

    /** Which connections the policy applies to (the agent wraps only those); {@link ConnectionMatch#ALL} by default. */
    public ConnectionMatch match() {
        return match;
    }

    /**
     * The policy of a table as the database names it. A policy table without schema matches any
     * schema; with a schema, only that one. {@code schema} may be {@code null} when unknown, which
     * matches unqualified policy tables and, when the name is unambiguous, a qualified one.
     */
    public Optional<TablePolicy> table(String schema, String table) {
        List<TablePolicy> candidates = tablesByName.getOrDefault(Identifier.parse(table).key(), List.of());
        TablePolicy unqualified = null;
        TablePolicy onlyQualified = null;
        int qualified = 0;
        for (TablePolicy t : candidates) {
            if (!t.name().name().matches(table)) {
                continue;
            }
            Identifier s = t.name().schema();
            if (s == null) {
                unqualified = t;
            } else if (schema != null && s.matches(schema)) {
                return Optional.of(t);
            } else {
                qualified++;
                onlyQualified = t;
            }
        }
        if (unqualified == null && schema == null && qualified == 1) {
            return Optional.of(onlyQualified);
        }
        return Optional.ofNullable(unqualified);
    }

    /** The policy of a column, if it is encrypted. */
    public Optional<ColumnPolicy> column(String schema, String table, String column) {
        return table(schema, table).flatMap(t -> t.column(column));
    }

    /** Every encrypted column. */
    public List<ColumnPolicy> columns() {
        return columns;
    }

    /** The lookup keys (without schema) of all tables with encrypted columns. */
    public Set<String> tableNameKeys() {
        return tablesByName.keySet();
    }

    /** The background rekey every process using this policy runs, if the policy asks for one. */
    public Optional<BackgroundRekey> backgroundRekey() {
        return Optional.ofNullable(backgroundRekey);
    }

    /**
     * How long a plan made from a table's live column list is trusted before the list is read
     * again; empty when only DDL run through Veil makes it read again ({@code refresh-after: never}).
     */
    public Optional<Duration> schemaRefreshAfter() {
        return Optional.ofNullable(schemaRefreshAfter);
    }

    /** {@link #schemaRefreshAfter()} in nanoseconds; {@link Long#MAX_VALUE} when empty. */
    public long schemaRefreshAfterNanos() {
        return schemaRefreshAfter == null ? Long.MAX_VALUE : schemaRefreshAfter.toNanos();
    }

    /**
     * Whether a policy table missing from the database refuses connections ({@code strict: true})
     * instead of being reported (logged once, and shown in the metrics).
     */
    public boolean strict() {
        return strict;
    }

    /** What the policy requires of the link to the database; {@link TransportPolicy#NONE} without a {@code transport} section. */
    public TransportPolicy transport() {
        return transport;
    }

    /** Where a table is named in the policy file; for tables built without one, where its first column is. */
    public SourceMark mark(TablePolicy table) {
        SourceMark m = tableMarks.get(table.name());
        return m != null ? m : table.columns().values().stream().map(ColumnPolicy::mark)
                .min(java.util.Comparator.comparingInt(SourceMark::line).thenComparingInt(SourceMark::column))
                .orElse(new SourceMark(source, 0, 0));
    }

    /** The key ring names the policy uses, sorted. */
    public Set<String> keyRings() {
        Set<String> rings = new TreeSet<>();
        for (ColumnPolicy c : columns) {
            rings.add(c.keyRing());
        }
        return rings;
    }

    @Override
    public String toString() {
        return "Policy[" + source + ", " + tables.size() + " tables, " + columns.size() + " columns]";
    }
}
