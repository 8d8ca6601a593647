package dev.veil.jdbc;

import dev.veil.policy.Identifier;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Column lists of live tables, read from {@link DatabaseMetaData} once per table and shared by
 * every connection of a runtime. Used only while planning a statement, never per row.
 */
final class SchemaCache {
    private final Map<String, List<String>> columns = new ConcurrentHashMap<>();

    /**
     * The columns of {@code schema.table} in ordinal order, or an empty list when the table is not
     * visible. Unquoted names are tried as written, then in the case the database stores.
     */
    List<String> columns(Connection raw, String schema, String table) throws SQLException {
        String key = (schema == null ? "" : schema) + "\u0000" + table;
        List<String> cached = columns.get(key);
        if (cached != null) {
            return cached;
        }
        List<String> found = read(raw.getMetaData(), schema, table);
        if (!found.isEmpty()) {
            columns.put(key, found);
        }
        return found;
    }

    /** Forgets everything (after DDL the application knows about). */
    void clear() {
        columns.clear();
    }

    private static List<String> read(DatabaseMetaData md, String schema, String table) throws SQLException {
        Identifier t = Identifier.parse(table);
        Identifier s = schema == null ? null : Identifier.parse(schema);
        for (String tableName : spellings(md, t)) {
            for (String schemaName : s == null ? new String[] {null} : spellings(md, s)) {
                List<String> out = new ArrayList<>();
                try (ResultSet rs = md.getColumns(null, schemaName == null ? null : escape(md, schemaName), escape(md, tableName), null)) {
                    String firstSchema = null;
                    while (rs.next()) {
                        String rowSchema = rs.getString("TABLE_SCHEM");
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

    private static String escape(DatabaseMetaData md, String name) throws SQLException {
        String esc = md.getSearchStringEscape();
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }
}
