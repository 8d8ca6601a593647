package dev.veil.jdbc;

import dev.veil.policy.Identifier;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Column lists of live tables, read from {@link DatabaseMetaData} and shared by every connection of
 * a runtime; a list older than the policy's {@code schema.refresh-after} is read again. Used only
 * while planning a statement or checking a cached plan, never per row.
 */
final class SchemaCache {
    private final Map<String, Read> columns = new ConcurrentHashMap<>();
    /** By column: asked for every statement prepared that writes a deterministic column. */
    private final Map<dev.veil.policy.ColumnRef, Unique> uniques = new ConcurrentHashMap<>();
    /** By searchable column: what its guards guarantee, when some are in force. */
    private final Map<dev.veil.policy.ColumnRef, Guaranteed> guarded = new ConcurrentHashMap<>();
    private final long maxAgeNanos;

    /** @param maxAge how long a list read is trusted; {@code null}: until {@link #clear()} */
    SchemaCache(Duration maxAge) {
        this.maxAgeNanos = maxAge == null ? Long.MAX_VALUE : maxAge.toNanos();
    }

    /**
     * The columns of {@code schema.table} in ordinal order, or an empty list when the table is not
     * visible. Unquoted names are tried as written, then in the case the database stores.
     */
    List<String> columns(Connection raw, String schema, String table) throws SQLException {
        String key = (schema == null ? "" : schema) + "\u0000" + table;
        Read cached = columns.get(key);
        long now = System.nanoTime();
        if (cached != null && now - cached.at < maxAgeNanos) {
            return cached.columns;
        }
        List<String> found = read(raw.getMetaData(), schema, table);
        if (found.isEmpty()) {
            columns.remove(key);
        } else {
            columns.put(key, new Read(found, now));
        }
        return found;
    }

    /** How a column takes part in unique indexes or constraints. */
    enum Uniqueness {
        /** In none. */
        NONE,
        /** Alone in one (whatever else it is part of). */
        ALONE,
        /** Only together with other columns. */
        WITH_OTHERS
    }

    /**
     * How {@code column} takes part in unique indexes or constraints, as
     * {@link DatabaseMetaData#getIndexInfo} reports; cached like the column lists.
     */
    Uniqueness unique(Connection raw, dev.veil.policy.ColumnPolicy column) throws SQLException {
        dev.veil.policy.ColumnRef key = column.column();
        Unique cached = uniques.get(key);
        long now = System.nanoTime();
        if (cached != null && now - cached.at < maxAgeNanos) {
            return cached.unique;
        }
        Uniqueness found = readUnique(raw, column);
        uniques.put(key, new Unique(found, now));
        return found;
    }

    /**
     * What pgjdbc's {@code getIndexInfo(null, schema, table, true, true)} reads of the unique indexes
     * of the tables with that exact name (in that schema, when {@code ?} 2 is not null): each
     * index's schema, name and key columns as its {@code COLUMN_NAME} (an expression's text), in
     * one statement instead of its heavier query and the {@code current_catalog} read before it.
     */
    static final String PG_UNIQUE_INDEXES = "SELECT n.nspname, ci.relname, "
            + "trim(both '\"' from pg_catalog.pg_get_indexdef(ci.oid, k.n, false)) FROM pg_catalog.pg_class ct "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = ct.relnamespace JOIN pg_catalog.pg_index i ON i.indrelid = ct.oid "
            + "JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid CROSS JOIN LATERAL pg_catalog.generate_series(1, i.indnatts) AS k(n) "
            + "WHERE ct.relname = ? AND (?::text IS NULL OR n.nspname = ?) AND i.indisunique";

    private static Uniqueness readUnique(Connection raw, dev.veil.policy.ColumnPolicy column) throws SQLException {
        DatabaseMetaData md = raw.getMetaData();
        boolean direct = SqlDialect.of(raw) == SqlDialect.POSTGRESQL;
        Identifier s = column.column().table().schema();
        // MariaDB's and MySQL's drivers call a database a catalog, and without one report the
        // same-named tables of every database: ask for the current database's only
        boolean databaseIsCatalog = !direct && MetadataPatterns.databaseIsCatalog(md);
        for (String tableName : spellings(md, column.column().table().name())) {
            for (String schemaName : s == null ? new String[] {null} : spellings(md, s)) {
                Map<String, List<String>> indexes = new java.util.HashMap<>();
                if (direct) {
                    try (java.sql.PreparedStatement ps = raw.prepareStatement(PG_UNIQUE_INDEXES)) {
                        ps.setString(1, tableName);
                        ps.setString(2, schemaName);
                        ps.setString(3, schemaName);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                String name = rs.getString(3);
                                if (name != null) {
                                    // one index per schema and name: two tables' indexes never merge into one
                                    addIndexColumn(indexes, rs.getString(1) + "\u0000" + rs.getString(2), name);
                                }
                            }
                        }
                    }
                } else {
                    try (ResultSet rs = databaseIsCatalog
                            ? md.getIndexInfo(schemaName != null ? schemaName : md.getConnection().getCatalog(), null, tableName, true, true)
                            : md.getIndexInfo(null, schemaName, tableName, true, true)) {
                        while (rs.next()) {
                            String index = rs.getString("INDEX_NAME");
                            String name = rs.getString("COLUMN_NAME");
                            if (index != null && name != null && !rs.getBoolean("NON_UNIQUE")) {
                                // one index per catalog, schema and name: two tables' indexes never merge into one
                                addIndexColumn(indexes, rs.getString("TABLE_CAT") + "\u0000" + rs.getString("TABLE_SCHEM") + "\u0000" + index,
                                        name);
                            }
                        }
                    }
                }
                Uniqueness found = Uniqueness.NONE;
                for (List<String> cols : indexes.values()) {
                    for (String c : cols) {
                        if (column.column().column().matches(quoteIfNeeded(c))) {
                            if (cols.size() == 1) {
                                return Uniqueness.ALONE;
                            }
                            found = Uniqueness.WITH_OTHERS;
                        }
                    }
                }
                if (found != Uniqueness.NONE) {
                    return found;
                }
            }
        }
        return Uniqueness.NONE;
    }

    private static void addIndexColumn(Map<String, List<String>> indexes, String index, String column) {
        List<String> columns = indexes.get(index);
        if (columns == null) {
            columns = new ArrayList<>();
            indexes.put(index, columns);
        }
        columns.add(column);
    }

    /** A catalog name as a policy identifier would be written to match it exactly. */
    private static String quoteIfNeeded(String name) {
        return name.equals(name.toLowerCase(java.util.Locale.ROOT)) ? name : '"' + name + '"';
    }

    private record Unique(Uniqueness unique, long at) {
    }

    /**
     * Why the database does not guarantee that every value of {@code column} has the tokens of
     * {@code needed} ({@link SearchGuards.Reading#gap}), or {@code null} when it does. What the
     * guards were found to guarantee is trusted like the column lists; a gap is read again every
     * time, so validating a guard helps at once.
     */
    String searchGuardGap(Connection raw, dev.veil.policy.ColumnPolicy column, java.util.Set<dev.veil.search.SearchCapability> needed)
            throws SQLException {
        dev.veil.policy.ColumnRef key = column.column();
        Guaranteed cached = guarded.get(key);
        long now = System.nanoTime();
        if (cached != null && now - cached.at < maxAgeNanos && cached.capabilities.containsAll(needed)) {
            return null;
        }
        SearchGuards.Reading reading = SearchGuards.read(raw, column);
        java.util.Set<dev.veil.search.SearchCapability> guaranteed = reading.guaranteed();
        if (guaranteed.isEmpty()) {
            guarded.remove(key);
        } else {
            guarded.put(key, new Guaranteed(guaranteed, now));
        }
        return reading.gap(needed);
    }

    /** The capabilities whose tokens a column's guards guarantee, and when that was read. */
    private record Guaranteed(java.util.Set<dev.veil.search.SearchCapability> capabilities, long at) {
    }

    /** Forgets everything: DDL is about to run through Veil. */
    void clear() {
        columns.clear();
        uniques.clear();
        guarded.clear();
    }

    /** A column list and when it was read ({@link System#nanoTime()}). */
    private record Read(List<String> columns, long at) {
    }

    private static List<String> read(DatabaseMetaData md, String schema, String table) throws SQLException {
        Identifier t = Identifier.parse(table);
        Identifier s = schema == null ? null : Identifier.parse(schema);
        // MariaDB's and MySQL's drivers call a database a catalog, and ignore the schema pattern
        boolean databaseIsCatalog = MetadataPatterns.databaseIsCatalog(md);
        for (String tableName : spellings(md, t)) {
            for (String schemaName : s == null ? new String[] {null} : spellings(md, s)) {
                List<String> out = new ArrayList<>();
                String pattern = schemaName == null ? null : MetadataPatterns.exactly(md, schemaName);
                try (ResultSet rs = databaseIsCatalog
                        ? md.getColumns(schemaName, null, MetadataPatterns.exactly(md, tableName), null)
                        : md.getColumns(null, pattern, MetadataPatterns.exactly(md, tableName), null)) {
                    String firstSchema = null;
                    while (rs.next()) {
                        String rowSchema = rs.getString(databaseIsCatalog ? "TABLE_CAT" : "TABLE_SCHEM");
                        if (firstSchema == null) {
                            firstSchema = rowSchema;
                        } else if (schemaName == null && rowSchema != null && !rowSchema.equals(firstSchema)) {
                            continue; // same table name in several schemas: keep the first one's columns
                        }
                        out.add(rs.getString("COLUMN_NAME"));
                    }
                }
                if (!out.isEmpty()) {
                    return List.copyOf(out);
                }
            }
        }
        return List.of();
    }

    private static String[] spellings(DatabaseMetaData md, Identifier id) throws SQLException {
        if (id.quoted()) {
            return new String[] {id.text()};
        }
        String stored = md.storesUpperCaseIdentifiers() ? id.text().toUpperCase(java.util.Locale.ROOT)
                : md.storesLowerCaseIdentifiers() ? id.text().toLowerCase(java.util.Locale.ROOT) : id.text();
        return stored.equals(id.text()) ? new String[] {stored} : new String[] {stored, id.text()};
    }
}
