package dev.veil.jdbc;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.TableName;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Whether the database guarantees that every value of a searchable column has the search tokens a
 * search reads: on every relation of the table's name (in every schema when the policy names none;
 * other connections' temporary tables aside) and every inheritance child and partition beneath
 * them, a validated CHECK constraint of the guard's shape ({@link CompanionColumns#required}) that
 * requires those companion columns wherever the value is not NULL. {@code veil policy check --ddl}
 * prints one such constraint per column, over all its companions; any name serves, so an operator
 * adding a capability can keep the old guard, under another name, while the new one waits for
 * its backfill. Without the guarantee a row written without tokens (by a process running a policy
 * without the search, by a plain client, before the backfill) is one every search misses,
 * silently; so such searches are refused. PostgreSQL only.
 */
public final class SearchGuards {
    private SearchGuards() {
    }

    /**
     * The relations a search on the table may read, and every CHECK constraint of each: the tables
     * of that name and their descendants at any depth.
     */
    static final String PG_GUARDS = "WITH RECURSIVE tree(oid, root, root_schema) AS (SELECT c.oid, c.relname::text, n.nspname::text "
            + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
            + CatalogReader.Postgres.NAME_CANDIDATE + " AND c.relkind IN ('r', 'p', 'f') AND NOT pg_catalog.pg_is_other_temp_schema(n.oid) "
            + "UNION SELECT i.inhrelid, t.root, t.root_schema FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid) "
            + "SELECT t.oid::regclass::text, c.relkind, k.conname, k.convalidated, pg_catalog.pg_get_constraintdef(k.oid), t.root, "
            + "t.root_schema FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid "
            + "LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid AND k.contype = 'c' ORDER BY 1, 3";

    /** One relation a search may read: what its validated guards require, and what its guards not yet validated would. */
    private static final class Relation {
        final String name;
        final boolean foreign;
        final Set<SearchCapability> inForce = EnumSet.noneOf(SearchCapability.class);
        final Set<SearchCapability> notValid = EnumSet.noneOf(SearchCapability.class);
        final List<String> notValidNames = new ArrayList<>();
        /** Whether a constraint has the name of the guard {@code --ddl} prints. */
        boolean namedGuard;

        Relation(String name, boolean foreign) {
            this.name = name;
            this.foreign = foreign;
        }
    }

    /** What the catalog said of a column's guards when it was read. */
    public static final class Reading {
        private final ColumnPolicy column;
        private final List<Relation> relations;

        private Reading(ColumnPolicy column, List<Relation> relations) {
            this.column = column;
            this.relations = relations;
        }

        /** The capabilities whose tokens every relation guarantees (none when no relation was found). */
        public Set<SearchCapability> guaranteed() {
            Set<SearchCapability> out = EnumSet.noneOf(SearchCapability.class);
            out.addAll(column.search().capabilities());
            for (Relation r : relations) {
                if (r.foreign) {
                    return EnumSet.noneOf(SearchCapability.class);
                }
                out.retainAll(r.inForce);
            }
            return relations.isEmpty() ? EnumSet.noneOf(SearchCapability.class) : out;
        }

        /**
         * What keeps the tokens of {@code needed} from being guaranteed, in words fit for an error
         * message (relation and constraint names, never a value), or {@code null} when they are.
         */
        public String gap(Set<SearchCapability> needed) {
            Identifier guard = CompanionColumns.guardName(column);
            if (relations.isEmpty()) {
                return "no table " + column.column().table() + " was found in the catalog";
            }
            for (Relation r : relations) {
                if (r.foreign) {
                    return r.name + " is a foreign table, where PostgreSQL does not enforce CHECK constraints, so nothing "
                            + "guarantees its rows carry search tokens";
                }
                Set<SearchCapability> missing = EnumSet.noneOf(SearchCapability.class);
                missing.addAll(needed);
                missing.removeAll(r.inForce);
                if (missing.isEmpty()) {
                    continue;
                }
                if (r.notValid.containsAll(missing)) {
                    String name = r.notValidNames.get(0);
                    return "the guard " + name + " on " + r.name + " is NOT VALID: rows written before it may lack tokens; once "
                            + "'veil migrate' has backfilled them, run ALTER TABLE " + r.name + " VALIDATE CONSTRAINT " + name;
                }
                if (r.namedGuard) {
                    return "the constraint " + guard + " on " + r.name + " is not the guard 'veil policy check --ddl' prints (it "
                            + "must require " + companions(missing) + " wherever the value is not NULL); drop it and add that one";
                }
                return r.name + " has no guard " + guard + " (add it with the DDL 'veil policy check --ddl' prints), so a process "
                        + "without this policy's search, or a plain client, can store values without tokens ("
                        + companions(missing) + ")";
            }
            return null;
        }

        private String companions(Set<SearchCapability> capabilities) {
            List<String> names = new ArrayList<>();
            for (CompanionColumns.Companion c : CompanionColumns.of(column)) {
                if (capabilities.contains(c.capability())) {
                    names.add(c.name().toString());
                }
            }
            return String.join(", ", names);
        }
    }

    /**
     * Reads the guards of {@code column} on every relation a search of it may read.
     *
     * @throws SQLException when the catalog cannot be read
     */
    public static Reading read(Connection raw, ColumnPolicy column) throws SQLException {
        TableName table = column.column().table();
        String guard = CompanionColumns.guardName(column).folded();
        List<Relation> relations = new ArrayList<>();
        try (PreparedStatement ps = raw.prepareStatement(PG_GUARDS)) {
            ps.setString(1, CatalogReader.Postgres.textArray(Set.of(table.name().key())));
            try (ResultSet rs = ps.executeQuery()) {
                String current = null;
                Relation r = null;
                while (rs.next()) {
                    // the relations the policy table's name means, as Veil matches names (not as the database's locale folds them)
                    if (!table.name().matches(quoted(rs.getString(6)))
                            || table.schema() != null && !table.schema().matches(quoted(rs.getString(7)))) {
                        continue;
                    }
                    String name = rs.getString(1);
                    if (!name.equals(current)) {
                        current = name;
                        r = new Relation(name, "f".equals(rs.getString(2)));
                        relations.add(r);
                    }
                    String constraint = rs.getString(3);
                    if (constraint == null) {
                        continue;
                    }
                    r.namedGuard |= constraint.equals(guard);
                    Set<SearchCapability> required = CompanionColumns.required(column, rs.getString(5));
                    if (required.isEmpty()) {
                        continue;
                    }
                    if (rs.getBoolean(4)) {
                        r.inForce.addAll(required);
                    } else {
                        r.notValid.addAll(required);
                        r.notValidNames.add(constraint);
                    }
                }
            }
        }
        return new Reading(column, relations);
    }

    /** A catalog name as a quoted SQL identifier, which {@link Identifier#matches} compares as Veil compares names. */
    private static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * What keeps {@code column}'s guard from being in force for all its capabilities (see
     * {@link Reading#gap}), or {@code null} when it is.
     *
     * @throws SQLException when the catalog cannot be read
     */
    public static String gap(Connection raw, ColumnPolicy column) throws SQLException {
        return read(raw, column).gap(column.search().capabilities());
    }
}
