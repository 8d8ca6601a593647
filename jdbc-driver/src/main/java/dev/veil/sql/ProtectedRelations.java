package dev.veil.sql;

import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one database's catalog says about the relations that can carry an encrypted column's
 * values, as read at one moment: the policy's tables, their inheritance children and partitions
 * (encrypted like their root), and the views and materialized views built over any of them. It
 * also knows every relation that shares a name with one of those, in any schema, so that an
 * unqualified name can be resolved the way the database resolves it ({@link NameResolver}).
 *
 * <p>Immutable apart from a memo of view mappings. Names are kept exactly as the catalog stores
 * them. Other packages use it through {@link #find}, {@link #relations()} and {@link #nameKeys()}.
 */
public final class ProtectedRelations {
    /** What kind of protected relation a name stands for. */
    public enum Kind {
        /** A table the policy names. */
        TABLE,
        /** An inheritance child or a partition (at any depth) of a policy table: encrypted like it. */
        INHERITED,
        /** A view over a protected relation: its columns map to base columns. */
        VIEW,
        /**
         * A materialized view over a protected relation: its columns map to base columns as a
         * view's do, but its rows are the copy its last {@code REFRESH} stored, which no constraint
         * on the base relation covers.
         */
        MATERIALIZED_VIEW;

        /** Whether the relation is defined by a query (a view or a materialized view). */
        public boolean isView() {
            return this == VIEW || this == MATERIALIZED_VIEW;
        }
    }

    /**
     * One protected relation.
     *
     * @param schema its schema as the catalog stores it ({@code null} only in a policy-only snapshot)
     * @param name its name as the catalog stores it
     * @param kind table, inherited, view or materialized view
     * @param policy the policy table whose columns it carries: its own for {@link Kind#TABLE}, its
     *        root's for {@link Kind#INHERITED}; {@code null} for a view (see {@link #definition})
     * @param definition a view's defining query, as the database printed it; else {@code null}
     * @param renderedPath the search path under which {@code definition} was printed (its unqualified
     *        names resolve along it)
     * @param columns a view's column names in order; else an empty list
     */
    public record ProtectedRelation(String schema, String name, Kind kind, TablePolicy policy, String definition,
                                    List<String> renderedPath, List<String> columns) {
        public ProtectedRelation {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            renderedPath = renderedPath == null ? List.of() : List.copyOf(renderedPath);
            columns = columns == null ? List.of() : List.copyOf(columns);
        }

        @Override
        public String toString() {
            // a view definition can hold literals: never printed
            return kind + " " + (schema == null ? "" : schema + ".") + name;
        }
    }

    private final Map<String, ProtectedRelation> byName;
    private final Set<String> existing;
    private final Set<String> nameKeys;
    private final boolean fromCatalog;
    /** Stored routines that reach a protected relation, by lower-case name ({@link StoredRoutines}). */
    private final Map<String, StoredRoutines.Reach> routines;
    /** View mappings made so far: {@link TablePolicy} or {@link Rejection}, by relation key. */
    private final Map<String, Object> views = new ConcurrentHashMap<>();

    private ProtectedRelations(Map<String, ProtectedRelation> byName, Set<String> existing, Set<String> nameKeys, boolean fromCatalog,
                               Map<String, StoredRoutines.Reach> routines) {
        this.byName = Map.copyOf(byName);
        this.existing = Set.copyOf(existing);
        this.routines = Map.copyOf(routines);
        Set<String> keys = new HashSet<>(nameKeys);
        keys.addAll(routines.keySet());
        this.nameKeys = Set.copyOf(keys);
        this.fromCatalog = fromCatalog;
    }

    /** A snapshot that knows only the policy's names (no catalog was read): names resolve as written. */
    public static ProtectedRelations policyOnly(Policy policy) {
        return new ProtectedRelations(Map.of(), Set.of(), policy.tableNameKeys(), false, Map.of());
    }

    /**
     * A snapshot read from a catalog.
     *
     * @param policy the policy (its table names always count as protected names)
     * @param relations the protected relations found
     * @param sameNamed every relation, protected or not, whose name (case-insensitively) is the name
     *        of a protected relation or a policy table, as {@code {schema, name}} pairs
     */
    public static ProtectedRelations of(Policy policy, Collection<ProtectedRelation> relations, Collection<String[]> sameNamed) {
        Map<String, ProtectedRelation> byName = new HashMap<>();
        Set<String> existing = new HashSet<>();
        Set<String> names = new HashSet<>(policy.tableNameKeys());
        for (ProtectedRelation r : relations) {
            byName.put(key(r.schema(), r.name()), r);
            existing.add(key(r.schema(), r.name()));
            names.add(r.name().toLowerCase(Locale.ROOT));
        }
        for (String[] s : sameNamed) {
            existing.add(key(s[0], s[1]));
        }
        return new ProtectedRelations(byName, existing, names, true, Map.of());
    }

    /**
     * This snapshot with the stored routines of the same catalog: those that reach a protected
     * relation ({@link StoredRoutines#reaching}) join {@link #nameKeys()}, so a text that calls one
     * is analysed, and {@link #routine} tells what a call can reach.
     */
    public ProtectedRelations withRoutines(Collection<StoredRoutines.Routine> all) {
        Map<String, StoredRoutines.Reach> reach = StoredRoutines.reaching(nameKeys, all);
        return reach.isEmpty() ? this : new ProtectedRelations(byName, existing, nameKeys, fromCatalog, reach);
    }

    /** What a call of the stored routine of this (lower-case) name can reach, or {@code null} when it reaches no protected relation. */
    public StoredRoutines.Reach routine(String lowerCaseName) {
        return routines.get(lowerCaseName);
    }

    /** Whether the catalog had a stored routine that reaches a protected relation. */
    boolean hasRoutines() {
        return !routines.isEmpty();
    }

    /** Whether this snapshot was read from a catalog (else it knows only the policy's names). */
    public boolean fromCatalog() {
        return fromCatalog;
    }

    /** The protected relation stored under exactly this schema and name. */
    public Optional<ProtectedRelation> find(String schema, String name) {
        return Optional.ofNullable(byName.get(key(schema, name)));
    }

    /** Whether a relation of exactly this schema and name existed (only names in {@link #nameKeys()} are known). */
    public boolean exists(String schema, String name) {
        return existing.contains(key(schema, name));
    }

    /** Every protected relation found. */
    public Collection<ProtectedRelation> relations() {
        return byName.values();
    }

    /**
     * The lower-case names of every protected relation, every policy table and every stored routine
     * that reaches one: what a statement must name to need analysis.
     */
    public Set<String> nameKeys() {
        return nameKeys;
    }

    /** A view's mapping, made once per snapshot by {@code mapper}. */
    Object viewMapping(ProtectedRelation view, java.util.function.Function<ProtectedRelation, Object> mapper) {
        String k = key(view.schema(), view.name());
        Object done = views.get(k);
        if (done == null) {
            done = mapper.apply(view);
            views.putIfAbsent(k, done);
        }
        return done;
    }

    /** Whether two snapshots say the same (the view memo aside). */
    public boolean sameAs(ProtectedRelations other) {
        return other != null && byName.equals(other.byName) && existing.equals(other.existing) && fromCatalog == other.fromCatalog
                && routines.equals(other.routines);
    }

    private static String key(String schema, String name) {
        return (schema == null ? "" : schema) + '\u0000' + name;
    }

    /** The exact text of a catalog name, for matching against policy identifiers. */
    static String quoted(String catalogName) {
        return '"' + catalogName.replace("\"", "\"\"") + '"';
    }

    /** Whether the policy protects a table stored under this schema and name (catalog spelling). */
    public static Optional<TablePolicy> policyTable(Policy policy, String schema, String name) {
        return policy.table(schema == null ? null : quoted(schema), quoted(name));
    }

    @Override
    public String toString() {
        return "ProtectedRelations[" + byName.size() + " relations, " + existing.size() + " known names]";
    }
}
