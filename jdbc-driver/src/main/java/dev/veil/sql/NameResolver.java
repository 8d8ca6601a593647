package dev.veil.sql;

import dev.veil.policy.Identifier;
import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a table name written in SQL means for one connection at one moment: the relation the
 * database would pick, searching the connection's path (PostgreSQL's {@code current_schemas(true)},
 * which holds {@code pg_temp}, {@code pg_catalog} and {@code $user} as the server expanded them; the
 * current database on MariaDB), and whether and how that relation is protected.
 *
 * <p>Immutable and cheap to make; the JDBC layer keeps one per connection and makes a new one when
 * the path or the catalog snapshot changes. {@link #context()} identifies the path: plans are cached
 * per SQL text and context, never per text alone.
 *
 * <p>Policy table names map to schemas this way: an unqualified policy table protects a table of
 * that name in every schema; a {@code schema.table} entry only the table in that schema.
 */
public final class NameResolver {
    /** How the database spells an unquoted identifier it stores. */
    public enum Folding {
        /** PostgreSQL: unquoted names are stored in lower case. */
        LOWER,
        /** MariaDB/MySQL: names are stored as written. */
        NONE
    }

    /**
     * A resolved table reference.
     *
     * @param schema the schema as SQL would write it exactly (double-quoted catalog spelling), or
     *        {@code null} when the name could not be tied to one (policy-only snapshot, or unknown)
     * @param name the table name, quoted the same way when resolved, else as written
     * @param relation the protected relation it is, or {@code null}
     * @param policy the policy table whose columns it carries, or {@code null}; for a view, found
     *        by mapping its definition
     */
    public record Resolved(String schema, String name, ProtectedRelations.ProtectedRelation relation, TablePolicy policy) {
    }

    private final Policy policy;
    private final ProtectedRelations relations;
    private final List<String> path;
    private final Folding folding;
    private final int context;

    /**
     * @param policy the policy
     * @param relations the catalog snapshot of the connection's database
     * @param path the schemas an unqualified name is searched in, in order, as the catalog spells them
     * @param folding how the database stores unquoted names
     * @param context an interned id of (database, path): equal ids resolve every name alike
     */
    public NameResolver(Policy policy, ProtectedRelations relations, List<String> path, Folding folding, int context) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.relations = Objects.requireNonNull(relations, "relations");
        this.path = List.copyOf(path);
        this.folding = Objects.requireNonNull(folding, "folding");
        this.context = context;
    }

    /** A resolver that reads no catalog: names mean what the policy says about them as written. */
    public static NameResolver policyOnly(Policy policy) {
        return new NameResolver(policy, ProtectedRelations.policyOnly(policy), List.of(), Folding.LOWER, 0);
    }

    /** The same snapshot searched along another path (a view's definition is read along the path it was printed under). */
    NameResolver along(List<String> otherPath) {
        return new NameResolver(policy, relations, otherPath, folding, context);
    }

    public int context() {
        return context;
    }

    public List<String> path() {
        return path;
    }

    public ProtectedRelations relations() {
        return relations;
    }

    /**
     * Resolves a table reference as written in SQL.
     *
     * @param schema the schema qualifier as written, or {@code null}
     * @param table the table name as written (quoted or not)
     */
    public Resolved resolve(String schema, String table) {
        if (!relations.fromCatalog()) {
            return new Resolved(schema, table, null, policy.table(schema, table).orElse(null));
        }
        String name = stored(table);
        if (schema != null) {
            return at(stored(schema), name);
        }
        String fallback = null;
        for (String s : path) {
            if (relations.exists(s, name)) {
                return at(s, name);
            }
            if (fallback == null && ProtectedRelations.policyTable(policy, s, name).isPresent()) {
                // the policy protects s.name, which the snapshot does not know: it may have been
                // created since. Should nothing else match, the database would pick it, so treat it as protected.
                fallback = s;
            }
        }
        if (fallback != null) {
            return at(fallback, name);
        }
        return new Resolved(null, table, null, null);
    }

    private Resolved at(String schema, String name) {
        ProtectedRelations.ProtectedRelation r = relations.find(schema, name).orElse(null);
        TablePolicy p = r != null ? r.policy() : ProtectedRelations.policyTable(policy, schema, name).orElse(null);
        return new Resolved(ProtectedRelations.quoted(schema), ProtectedRelations.quoted(name), r, p);
    }

    /** The catalog spelling of a name as written. */
    String stored(String written) {
        Identifier id = Identifier.parse(written);
        if (id.quoted() || folding == Folding.NONE) {
            return id.text();
        }
        return id.text().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "NameResolver[context " + context + ", path " + path + "]";
    }
}
