package dev.veil.jdbc;

import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;
import dev.veil.sql.NameResolver;
import dev.veil.sql.ProtectedRelations;
import dev.veil.sql.ProtectedRelations.Kind;
import dev.veil.sql.ProtectedRelations.ProtectedRelation;
import dev.veil.sql.StoredRoutines;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads what a database's catalog says about protected relations ({@link ProtectedRelations}) and
 * a connection's search path. PostgreSQL: {@code pg_class}, {@code pg_inherits} (children and
 * partitions at any depth), {@code pg_depend}/{@code pg_rewrite} (views and materialized views over
 * protected relations, and views over those), {@code pg_get_viewdef}, {@code current_schemas(true)}.
 * MariaDB/MySQL: {@code information_schema.TABLES}, {@code VIEWS} and {@code ROUTINES} (stored
 * routines whose bodies reach a protected relation), {@code DATABASE()}.
 * Only Veil's own catalog queries run; no application value is sent.
 */
abstract class CatalogReader {

    /** The reader for the database behind a connection. */
    static CatalogReader of(Connection raw) throws SQLException {
        String product = raw.getMetaData().getDatabaseProductName();
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return new Postgres();
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return new MariaDb();
        }
        return null;
    }

    /** How the database stores unquoted names. */
    abstract NameResolver.Folding folding();

    /** The schemas an unqualified table name is searched in on this connection now, in order. */
    abstract List<String> path(Connection raw) throws SQLException;

    /** The protected relations of the connection's database now. */
    abstract ProtectedRelations read(Connection raw, Policy policy) throws SQLException;

    static final class Postgres extends CatalogReader {
        /**
         * The relations that may be named like one of the keys {@code ?} (names in lower case, as
         * {@link dev.veil.policy.Identifier#key()} makes them): those equal to a key with ASCII letters folded, and
         * every one whose name has a character outside ASCII. Which of them is named like a key is
         * decided in Java ({@link #namedLike}): PostgreSQL's {@code lower()} follows the database's
         * {@code LC_CTYPE}, which in a {@code C} database leaves {@code É} alone and in a Turkish one
         * turns {@code I} into a dotless {@code ı}, so it would miss a policy table there.
         */
        static final String NAME_CANDIDATE = "(pg_catalog.translate(c.relname, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                + "'abcdefghijklmnopqrstuvwxyz') = ANY (?::text[]) OR c.relname::text ~ '[^[:ascii:]]')";
        private static final String SAME_NAMED = "SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " + NAME_CANDIDATE;
        /**
         * {@link #SAME_NAMED}'s candidates ({@code ?} 1: the policy's table name keys) with every live column of
         * each relation, and the relations {@link CatalogCheck}'s {@code PG_COLUMNS} finds by exact name
         * ({@code ?} 2: every spelling it tries): a row per column (a relation without columns: one row,
         * column {@code NULL}) in {@code PG_COLUMNS}' order; {@link #namedLike} tells the rows of {@link #SAME_NAMED}.
         */
        private static final String SAME_NAMED_COLUMNS = "SELECT c.oid, n.nspname, c.relname, c.relkind, "
                + "pg_catalog.current_schema(), a.attname FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                + "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (" + NAME_CANDIDATE + " OR c.relname = ANY (?::text[])) "
                + "ORDER BY n.nspname, c.relname, a.attnum";
        private static final String RULE_DEPENDS = "dp.classid = 'pg_catalog.pg_rewrite'::regclass "
                + "AND dp.refclassid = 'pg_catalog.pg_class'::regclass";
        /**
         * In one round trip, the descendants of the relations {@code ?} (children and partitions at
         * any depth; rows {@code 'd'}: oid, the root it descends from, schema, name) and the views and
         * materialized views over those relations and their descendants, and over those views (rows
         * {@code 'v'}: oid, schema, name, definition, column names).
         */
        private static final String DERIVED = "WITH RECURSIVE d(oid, root) AS ("
                + "SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhparent = ANY (?::oid[]) "
                + "UNION SELECT i.inhrelid, d.root FROM pg_catalog.pg_inherits i JOIN d ON i.inhparent = d.oid), "
                + "v(oid) AS ("
                + "SELECT r.ev_class FROM pg_catalog.pg_depend dp JOIN pg_catalog.pg_rewrite r ON r.oid = dp.objid "
                + "WHERE " + RULE_DEPENDS + " AND (dp.refobjid = ANY (?::oid[]) OR dp.refobjid IN (SELECT d.oid FROM d)) "
                + "AND r.ev_class <> dp.refobjid "
                + "UNION SELECT r.ev_class FROM v JOIN pg_catalog.pg_depend dp ON dp.refobjid = v.oid AND " + RULE_DEPENDS
                + " JOIN pg_catalog.pg_rewrite r ON r.oid = dp.objid WHERE r.ev_class <> v.oid) "
                + "SELECT 'd', d.oid, d.root, n.nspname, c.relname, NULL, NULL FROM d JOIN pg_catalog.pg_class c ON c.oid = d.oid "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "UNION ALL SELECT c.relkind::text, v.oid, NULL, n.nspname, c.relname, pg_catalog.pg_get_viewdef(v.oid), "
                + "ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = v.oid AND a.attnum > 0 "
                + "AND NOT a.attisdropped ORDER BY a.attnum) "
                + "FROM v JOIN pg_catalog.pg_class c ON c.oid = v.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('v', 'm')";

        @Override
        NameResolver.Folding folding() {
            return NameResolver.Folding.LOWER;
        }

        @Override
        List<String> path(Connection raw) throws SQLException {
            // a row per schema, not one text[]: reading an array loads pgjdbc's array decoding (about 25
            // classes) and runs it, on every new connection's first plan and after each DDL
            List<String> path = new ArrayList<>();
            try (PreparedStatement ps = raw.prepareStatement(
                    "SELECT s FROM pg_catalog.unnest(pg_catalog.current_schemas(true)) WITH ORDINALITY AS p(s, i) ORDER BY i");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    path.add(rs.getString(1));
                }
            }
            return List.copyOf(path);
        }

        @Override
        ProtectedRelations read(Connection raw, Policy policy) throws SQLException {
            Map<Long, ProtectedRelation> found = new HashMap<>();
            List<String[]> sameNamed = new ArrayList<>();
            try (PreparedStatement ps = raw.prepareStatement(SAME_NAMED)) {
                ps.setString(1, textArray(policy.tableNameKeys()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (namedLike(policy.tableNameKeys(), rs.getString(3))) {
                            sameNamed(policy, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), found, sameNamed);
                        }
                    }
                }
            }
            return derived(raw, policy, found, sameNamed);
        }

        /** A snapshot and the rows of {@link CatalogCheck#names(Policy, List)}. */
        record Checked(ProtectedRelations relations, List<String[]> pgColumns) {
        }

        /**
         * {@link #read} and, from the same first statement, the live columns {@link CatalogCheck} checks
         * the policy against ({@link CatalogCheck#names(Policy, List)}): the same snapshot, one statement
         * fewer than reading both apart.
         */
        Checked readChecked(Connection raw, Policy policy) throws SQLException {
            Map<Long, ProtectedRelation> found = new HashMap<>();
            List<String[]> sameNamed = new ArrayList<>();
            List<String[]> columns = new ArrayList<>();
            Set<String> spellings = new LinkedHashSet<>();
            for (TablePolicy t : policy.tables()) {
                spellings.addAll(CatalogCheck.spellings(t.name()));
            }
            Set<Long> seen = new java.util.HashSet<>();
            try (PreparedStatement ps = raw.prepareStatement(SAME_NAMED_COLUMNS)) {
                ps.setString(1, textArray(policy.tableNameKeys()));
                ps.setString(2, textArray(spellings));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long oid = rs.getLong(1);
                        String schema = rs.getString(2);
                        String name = rs.getString(3);
                        if (namedLike(policy.tableNameKeys(), name) && seen.add(oid)) {
                            sameNamed(policy, oid, schema, name, rs.getString(4), found, sameNamed);
                        }
                        String column = rs.getString(6);
                        if (column != null) {
                            columns.add(new String[] {rs.getString(5), schema, name, column});
                        }
                    }
                }
            }
            return new Checked(derived(raw, policy, found, sameNamed), columns);
        }

        /** Whether a relation's name, in lower case as Java makes it, is one of {@code keys} (see {@link #NAME_CANDIDATE}). */
        private static boolean namedLike(Set<String> keys, String relname) {
            return keys.contains(relname.toLowerCase(Locale.ROOT));
        }

        /** One relation named like a policy table: always in {@code sameNamed}, in {@code found} when it is a policy table's. */
        private static void sameNamed(Policy policy, long oid, String schema, String name, String kind, Map<Long, ProtectedRelation> found,
                                      List<String[]> sameNamed) {
            sameNamed.add(new String[] {schema, name});
            TablePolicy t = ProtectedRelations.policyTable(policy, schema, name).orElse(null);
            if (t != null && "rpf".indexOf(kind.charAt(0)) >= 0) {
                found.put(oid, new ProtectedRelation(schema, name, Kind.TABLE, t, null, null, null));
            }
        }

        /** The snapshot from the relations named like policy tables: their descendants, the views over them, and relations named like those. */
        private ProtectedRelations derived(Connection raw, Policy policy, Map<Long, ProtectedRelation> found, List<String[]> sameNamed)
                throws SQLException {
            if (!found.isEmpty()) {
                record ViewRow(String schema, String name, String definition, List<String> columns, Kind kind) {
                }
                Map<Long, ProtectedRelation> children = new HashMap<>();
                Map<Long, ViewRow> views = new HashMap<>();
                try (PreparedStatement ps = raw.prepareStatement(DERIVED)) {
                    String oids = oidArray(found.keySet());
                    ps.setString(1, oids);
                    ps.setString(2, oids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long oid = rs.getLong(2);
                            String type = rs.getString(1);
                            if (type.equals("v") || type.equals("m")) {
                                views.put(oid, new ViewRow(rs.getString(4), rs.getString(5), rs.getString(6), strings(rs.getArray(7)),
                                        type.equals("m") ? Kind.MATERIALIZED_VIEW : Kind.VIEW));
                                continue;
                            }
                            ProtectedRelation root = found.get(rs.getLong(3));
                            if (root != null && !found.containsKey(oid)) {
                                children.put(oid, new ProtectedRelation(rs.getString(4), rs.getString(5), Kind.INHERITED,
                                        root.policy(), null, null, null));
                            }
                        }
                    }
                }
                found.putAll(children);
                views.keySet().removeAll(found.keySet());
                if (!views.isEmpty()) {
                    // the path the views' definitions are read under: asked only when there are views, one round trip
                    // fewer per snapshot read otherwise (every read of a new connection, and after each DDL)
                    List<String> path = path(raw);
                    for (Map.Entry<Long, ViewRow> e : views.entrySet()) {
                        ViewRow v = e.getValue();
                        found.put(e.getKey(), new ProtectedRelation(v.schema(), v.name(), v.kind(), null, v.definition(), path, v.columns()));
                    }
                }
            }
            Set<String> derivedNames = new LinkedHashSet<>();
            for (ProtectedRelation r : found.values()) {
                String key = r.name().toLowerCase(Locale.ROOT);
                if (!policy.tableNameKeys().contains(key)) {
                    derivedNames.add(key);
                }
            }
            if (!derivedNames.isEmpty()) {
                try (PreparedStatement ps = raw.prepareStatement(SAME_NAMED)) {
                    ps.setString(1, textArray(derivedNames));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (namedLike(derivedNames, rs.getString(3))) {
                                sameNamed.add(new String[] {rs.getString(2), rs.getString(3)});
                            }
                        }
                    }
                }
            }
            return ProtectedRelations.of(policy, found.values(), sameNamed);
        }

        private static String oidArray(Set<Long> oids) {
            StringBuilder b = new StringBuilder("{");
            for (Long oid : oids) {
                b.append(b.length() > 1 ? "," : "").append(oid);
            }
            return b.append('}').toString();
        }

        /** A PostgreSQL array literal of names; each element double-quoted, so any name is safe. */
        static String textArray(Set<String> names) {
            StringBuilder b = new StringBuilder("{");
            for (String n : names) {
                b.append(b.length() > 1 ? "," : "").append('"').append(n.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            return b.append('}').toString();
        }
    }

    static final class MariaDb extends CatalogReader {
        private static final String SYSTEM_SCHEMAS = "'mysql', 'information_schema', 'performance_schema', 'sys'";

        @Override
        NameResolver.Folding folding() {
            return NameResolver.Folding.NONE;
        }

        @Override
        List<String> path(Connection raw) throws SQLException {
            try (PreparedStatement ps = raw.prepareStatement("SELECT DATABASE()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                String db = rs.getString(1);
                return db == null ? List.of() : List.of(db);
            }
        }

        @Override
        ProtectedRelations read(Connection raw, Policy policy) throws SQLException {
            List<ProtectedRelation> found = new ArrayList<>();
            List<String[]> sameNamed = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>(policy.tableNameKeys());
            try (PreparedStatement ps = raw.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
                    + "WHERE TABLE_SCHEMA NOT IN (" + SYSTEM_SCHEMAS + ")");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    String name = rs.getString(2);
                    if (!names.contains(name.toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    sameNamed.add(new String[] {schema, name});
                    TablePolicy t = ProtectedRelations.policyTable(policy, schema, name).orElse(null);
                    if (t != null && !"VIEW".equalsIgnoreCase(rs.getString(3))) {
                        found.add(new ProtectedRelation(schema, name, Kind.TABLE, t, null, null, null));
                    }
                }
            }
            if (found.isEmpty()) {
                return ProtectedRelations.of(policy, found, sameNamed);
            }
            // views whose definition names a protected relation, and views over those: MariaDB
            // prints definitions with every name qualified, so a word search is exact enough
            Map<String, String[]> views = new HashMap<>();
            try (PreparedStatement ps = raw.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    views.put(rs.getString(1) + "\u0000" + rs.getString(2), new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            Set<String> protectedNames = new LinkedHashSet<>();
            found.forEach(r -> protectedNames.add(r.name().toLowerCase(Locale.ROOT)));
            Set<String> taken = new LinkedHashSet<>();
            boolean grew = true;
            while (grew) {
                grew = false;
                for (Map.Entry<String, String[]> e : views.entrySet()) {
                    String def = e.getValue()[2] == null ? "" : e.getValue()[2].toLowerCase(Locale.ROOT);
                    if (taken.contains(e.getKey()) || protectedNames.stream().noneMatch(n -> def.contains("`" + n + "`"))) {
                        continue;
                    }
                    taken.add(e.getKey());
                    protectedNames.add(e.getValue()[1].toLowerCase(Locale.ROOT));
                    grew = true;
                }
            }
            for (String k : taken) {
                String[] v = views.get(k);
                List<String> columns = new ArrayList<>();
                try (PreparedStatement ps = raw.prepareStatement("SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                        + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
                    ps.setString(1, v[0]);
                    ps.setString(2, v[1]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            columns.add(rs.getString(1));
                        }
                    }
                }
                found.add(new ProtectedRelation(v[0], v[1], Kind.VIEW, null, v[2], List.of(v[0]), columns));
                sameNamed.add(new String[] {v[0], v[1]});
            }
            return ProtectedRelations.of(policy, found, sameNamed).withRoutines(routines(raw));
        }

        /** Every stored procedure and function outside the system databases, with its body when this user may see it. */
        private static List<StoredRoutines.Routine> routines(Connection raw) throws SQLException {
            List<StoredRoutines.Routine> routines = new ArrayList<>();
            try (PreparedStatement ps = raw.prepareStatement("SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_DEFINITION "
                    + "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA NOT IN (" + SYSTEM_SCHEMAS + ")");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    routines.add(new StoredRoutines.Routine(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return routines;
        }
    }

    static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Object[] values = (Object[]) array.getArray();
        return List.copyOf(Arrays.stream(values).map(String::valueOf).toList());
    }
}
