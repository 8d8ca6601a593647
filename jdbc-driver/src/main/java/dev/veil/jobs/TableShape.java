package dev.veil.jobs;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.jdbc.MetadataPatterns;
import dev.veil.policy.TablePolicy;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * What a job needs to know about a table: its primary key (for keyset pagination and
 * compare-and-set updates) and its encrypted columns, as the database names them.
 *
 * @param table the table name as the database stores it
 * @param schema its schema, or null
 * @param keyColumns primary-key columns in key order
 * @param keyTypes their {@link Types}
 * @param columns the encrypted columns (database names)
 * @param ciphers the cipher of each encrypted column
 * @param quote the database's identifier quote
 * @param keyTypeNames the database's type names of the key columns (for casts in bulk updates)
 * @param postgres whether the database is PostgreSQL (bulk compare-and-set updates in one statement)
 */
record TableShape(String table, String schema, List<String> keyColumns, List<Integer> keyTypes, List<String> columns,
                  List<ColumnCipher> ciphers, String quote, List<String> keyTypeNames, boolean postgres) {

    /**
     * Reads the shape of a policy table.
     *
     * @throws VeilException {@code VE011} when the table is not in the policy, does not exist, or
     *         has no primary key (a job could neither resume nor update safely without one)
     */
    static TableShape of(Connection c, Veil veil, String tableName) throws SQLException {
        String schema = null;
        String table = tableName;
        int dot = tableName.lastIndexOf('.');
        if (dot > 0) {
            schema = tableName.substring(0, dot);
            table = tableName.substring(dot + 1);
        }
        TablePolicy policy = veil.policy().table(schema, table).orElseThrow(() -> new VeilException(VeilState.CONFIGURATION_INVALID,
                "table " + tableName + " has no encrypted columns in policy " + veil.policy().source()));
        DatabaseMetaData md = c.getMetaData();
        String stored = md.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT)
                : md.storesLowerCaseIdentifiers() ? table.toLowerCase(Locale.ROOT) : table;
        String storedSchema = schema == null ? null : md.storesUpperCaseIdentifiers() ? schema.toUpperCase(Locale.ROOT)
                : md.storesLowerCaseIdentifiers() ? schema.toLowerCase(Locale.ROOT) : schema;
        // MariaDB's and MySQL's drivers call a database a catalog and, without one, report the
        // same-named tables of every database on the server: ask for the current database's only
        boolean databaseIsCatalog = MetadataPatterns.databaseIsCatalog(md);
        String catalog = databaseIsCatalog ? (storedSchema != null ? storedSchema : c.getCatalog()) : null;
        String schemaName = databaseIsCatalog ? null : storedSchema;
        TreeMap<Integer, String> pk = new TreeMap<>();
        try (ResultSet rs = md.getPrimaryKeys(catalog, schemaName, stored)) {
            while (rs.next()) {
                pk.put((int) rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                if (storedSchema == null && !databaseIsCatalog) {
                    storedSchema = rs.getString("TABLE_SCHEM");
                }
            }
        }
        List<String> all = new ArrayList<>();
        List<Integer> allTypes = new ArrayList<>();
        List<String> allTypeNames = new ArrayList<>();
        try (ResultSet rs = md.getColumns(catalog, databaseIsCatalog ? null : MetadataPatterns.exactly(md, storedSchema), MetadataPatterns.exactly(md, stored), null)) {
            while (rs.next()) {
                all.add(rs.getString("COLUMN_NAME"));
                allTypes.add(rs.getInt("DATA_TYPE"));
                allTypeNames.add(rs.getString("TYPE_NAME"));
            }
        }
        if (all.isEmpty()) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "table " + tableName + " does not exist or is not visible");
        }
        if (pk.isEmpty()) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "table " + tableName
                    + " has no primary key; bulk jobs need one to resume after a crash and to update rows safely under concurrent writes");
        }
        List<Integer> keyTypes = new ArrayList<>();
        List<String> keyTypeNames = new ArrayList<>();
        for (String k : pk.values()) {
            keyTypes.add(allTypes.get(all.indexOf(k)));
            keyTypeNames.add(allTypeNames.get(all.indexOf(k)));
        }
        List<String> columns = new ArrayList<>();
        List<ColumnCipher> ciphers = new ArrayList<>();
        for (String column : all) {
            policy.column(column).ifPresent(cp -> {
                columns.add(column);
                ciphers.add(veil.cipher(cp));
            });
        }
        String q = md.getIdentifierQuoteString();
        boolean postgres = md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        TableShape shape = new TableShape(stored, storedSchema, List.copyOf(pk.values()), List.copyOf(keyTypes), List.copyOf(columns),
                List.copyOf(ciphers), q == null || q.isBlank() ? "\"" : q.strip(), List.copyOf(keyTypeNames), postgres);
        return postgres ? shape.withCatalogKeyTypes(c) : shape;
    }

    /**
     * PostgreSQL: the key columns' types as the catalog names them. The driver's metadata reports
     * {@code serial}/{@code bigserial} for integer columns with a sequence default, which are no
     * types the server knows (no {@code serial[]} for a bulk update's arrays); the catalog says
     * {@code integer}/{@code bigint}, and {@code format_type} spells any type the way SQL accepts.
     */
    private TableShape withCatalogKeyTypes(Connection c) throws SQLException {
        List<String> names = new ArrayList<>(keyTypeNames);
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, sqlName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = keyColumns.indexOf(rs.getString(1));
                    if (i >= 0) {
                        names.set(i, rs.getString(2));
                    }
                }
            }
        }
        return new TableShape(table, schema, keyColumns, keyTypes, columns, ciphers, quote, List.copyOf(names), postgres);
    }

    /** The table as SQL text, quoted. */
    String sqlName() {
        return (schema == null ? "" : quote(schema) + ".") + quote(table);
    }

    String qualifiedName() {
        return (schema == null ? "" : schema + ".") + table;
    }

    String quote(String identifier) {
        return quote + identifier.replace(quote, quote + quote) + quote;
    }

    String keyList() {
        return String.join(", ", keyColumns.stream().map(this::quote).toList());
    }

    /** How each key column's values are read, checkpointed and bound. */
    List<RowKey.Kind> keyKinds() {
        return keyTypes.stream().map(RowKey.Kind::of).toList();
    }

    /** Binds a key for an equality on every key column; returns the next parameter index. */
    int bindKey(PreparedStatement ps, int first, RowKey key) throws SQLException {
        return key.bind(ps, first, postgres);
    }

    /**
     * The key compared with a bound key value: {@code k > ?}, or for a composite key the row-value
     * comparison {@code (k1, k2) > (?, ?)} on PostgreSQL, whose B-tree scans use it as a range. MariaDB
     * evaluates a row-value comparison by reading the index from its start (a full index scan per
     * batch), so there it is spelled out as {@code k1 >= ? AND (k1 > ? OR (k1 = ? AND k2 > ?))},
     * whose first term bounds a range scan. Bind it with {@link #bindCompare}.
     *
     * @param op one of {@code >}, {@code >=}, {@code <}, {@code <=}
     */
    String keyCompare(String op) {
        return keyCompare(op, "");
    }

    /** The same, with the key columns qualified by {@code alias} (for example {@code "t."}). */
    String keyCompare(String op, String alias) {
        int n = keyColumns.size();
        if (n == 1) {
            return alias + quote(keyColumns.get(0)) + " " + op + " ?";
        }
        if (postgres) {
            return "(" + String.join(", ", keyColumns.stream().map(k -> alias + quote(k)).toList()) + ") " + op + " ("
                    + String.join(", ", keyColumns.stream().map(k -> "?").toList()) + ")";
        }
        boolean greater = op.startsWith(">");
        String strict = greater ? ">" : "<";
        StringBuilder sql = new StringBuilder("(").append(alias).append(quote(keyColumns.get(0))).append(greater ? " >= ?" : " <= ?").append(" AND (");
        for (int i = 0; i < n; i++) {
            sql.append(i == 0 ? "" : " OR ").append("(");
            for (int j = 0; j < i; j++) {
                sql.append(alias).append(quote(keyColumns.get(j))).append(" = ? AND ");
            }
            sql.append(alias).append(quote(keyColumns.get(i))).append(' ').append(i == n - 1 ? op : strict).append(" ?)");
        }
        return sql.append("))").toString();
    }

    /** Binds {@code key} for {@link #keyCompare}; returns the next parameter index. */
    int bindCompare(PreparedStatement ps, int first, RowKey key) throws SQLException {
        int n = keyColumns.size();
        if (n == 1 || postgres) {
            return key.bind(ps, first, postgres);
        }
        int p = first;
        key.bindOne(ps, p++, 0, false);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                key.bindOne(ps, p++, j, false);
            }
        }
        return p;
    }
}
