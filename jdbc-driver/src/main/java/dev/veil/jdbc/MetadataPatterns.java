package dev.veil.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/** Names passed to {@link DatabaseMetaData} methods that take patterns, where {@code _} and {@code %} are wildcards. */
public final class MetadataPatterns {
    private MetadataPatterns() {
    }

    /**
     * A pattern that matches {@code name} and nothing else: {@code my_table} must not also find
     * {@code myXtable}, whose columns and keys are another table's.
     *
     * @return {@code null} when {@code name} is {@code null} (no restriction)
     */
    public static String exactly(DatabaseMetaData md, String name) throws SQLException {
        if (name == null) {
            return null;
        }
        String esc = md.getSearchStringEscape();
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }

    /**
     * Whether the driver calls a database a catalog and has no schemas (MariaDB's and MySQL's
     * drivers). Without a catalog those drivers report the same-named tables of every database on
     * the server, so callers must pass the current database.
     */
    public static boolean databaseIsCatalog(DatabaseMetaData md) throws SQLException {
        return !md.supportsSchemasInTableDefinitions() && md.supportsCatalogsInTableDefinitions();
    }
}
