package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.Policy;
import dev.veil.policy.TableName;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Holds a policy against a database's catalog: which policy tables exist there, and which
 * encrypted columns of an existing table are missing. The driver runs it when a runtime first
 * reaches a database and after DDL run through Veil; {@code veil policy check} runs the same
 * reading and adds its type checks.
 *
 * <p>A table without schema in the policy is looked up in the connection's current schema first,
 * then in any schema of the connection's catalog.
 */
public final class CatalogCheck {
    private CatalogCheck() {
    }

    /**
     * A column of a live table as {@link DatabaseMetaData#getColumns} reports it. The driver's own
     * check ({@link #names}) reads only schemas and names: there {@code jdbcType} is
     * {@link java.sql.Types#OTHER}, {@code typeName} {@code null} and {@code size} 0.
     */
    public record LiveColumn(String schema, String name, int jdbcType, String typeName, long size) {
    }

    /**
     * One policy table against the catalog.
     *
     * @param table the policy table
     * @param live its live columns; empty when the table does not exist
     * @param missingColumns encrypted columns the live table lacks (empty when the table is missing)
     * @param missingCompanions companion columns of searchable columns the live table lacks
     */
    public record TableFit(TablePolicy table, List<LiveColumn> live, List<ColumnPolicy> missingColumns,
                           List<CompanionColumns.Companion> missingCompanions) {
        public TableFit {
            live = List.copyOf(live);
            missingColumns = List.copyOf(missingColumns);
            missingCompanions = List.copyOf(missingCompanions);
        }

        public boolean exists() {
            return !live.isEmpty();
        }

        /** The live column of an encrypted column, or {@code null}. */
        public LiveColumn column(ColumnPolicy c) {
            for (LiveColumn l : live) {
                if (c.column().column().matches(exact(l.name()))) {
                    return l;
                }
            }
            return null;
        }
    }

    /** What the catalog says about every table of a policy. */
    public record Report(Policy policy, List<TableFit> tables) {
        public Report {
            tables = List.copyOf(tables);
        }

        /** Policy tables that do not exist in the database. */
        public List<TablePolicy> missingTables() {
            List<TablePolicy> missing = new ArrayList<>();
            for (TableFit t : tables) {
                if (!t.exists()) {
                    missing.add(t.table());
                }
            }
            return List.copyOf(missing);
        }

        /** Encrypted columns missing from tables that exist. */
        public List<ColumnPolicy> missingColumns() {
            List<ColumnPolicy> missing = new ArrayList<>();
            for (TableFit t : tables) {
                missing.addAll(t.missingColumns());
            }
            return List.copyOf(missing);
        }

        /**
         * Why connections to this database are refused, or {@code null} when they are not: an
         * encrypted column missing from an existing table, or (with {@code strict: true}) a
         * missing table.
         *
         * @param database the database, for the message
         */
        public VeilException refusal(String database) {
            List<String> problems = new ArrayList<>();
            for (TableFit t : tables) {
                for (ColumnPolicy c : t.missingColumns()) {
                    String table = t.live().get(0).schema() == null ? t.table().name().toString()
                            : t.live().get(0).schema() + "." + t.table().name().name();
                    problems.add(c.mark() + ": column " + c.column() + " of the policy does not exist in table " + table
                            + " (its columns: " + t.live().stream().map(LiveColumn::name).collect(Collectors.joining(", ")) + ")");
                }
                for (CompanionColumns.Companion c : t.missingCompanions()) {
                    problems.add(c.owner().mark() + ": companion column " + c.name() + " (" + c.capability().policyName()
                            + " search on " + c.owner().column() + ") does not exist in table " + t.table().name()
                            + "; add it with the DDL that 'veil policy check --ddl' prints, then backfill with 'veil migrate'");
                }
            }
            if (policy.strict()) {
                for (TablePolicy t : missingTables()) {
                    problems.add(policy.mark(t) + ": table " + t.name() + " of the policy does not exist");
                }
            }
            if (problems.isEmpty()) {
                return null;
            }
            return new VeilException(VeilState.POLICY_INVALID, String.join("; ", problems) + " in " + database
                    + ". Veil refuses connections while the policy does not fit the database: correct the policy's names, or create"
                    + " what it names" + (policy.strict() && !missingTables().isEmpty() ? " (strict: true refuses while a table is missing)" : ""));
        }
    }

    /**
     * Reads the catalog for every table of {@code policy}: one {@link DatabaseMetaData#getColumns}
     * per table (and per spelling of an unquoted name the database may have folded).
     *
     * @throws SQLException when the catalog cannot be read
     */
    public static Report run(Policy policy, Connection connection) throws SQLException {
        return run(policy, connection, true, null);
    }

    /**
     * {@link #run} without the columns' types, as the driver checks new connections: on PostgreSQL
     * one {@code pg_catalog} query for every spelling of every policy table (the same relations,
     * columns, order and schema choice as {@link DatabaseMetaData#getColumns}, with the current
     * schema in the same answer) instead of three round trips per spelling and pgjdbc's heavier
     * metadata query.
     *
     * @throws SQLException when the catalog cannot be read
     */
    static Report names(Policy policy, Connection connection) throws SQLException {
        return run(policy, connection, false, null);
    }

    /**
     * {@link #names} on PostgreSQL from rows already read: {@code {current schema, schema, relation,
     * column}} for every column of every relation that {@link #PG_COLUMNS} would find for any
     * spelling of a policy table's name, in its order (schema, relation, position). A catalog
     * snapshot reads them in its own first statement ({@link CatalogReader.Postgres#readChecked}),
     * so a check and the snapshot after it take one statement fewer.
     */
    static Report names(Policy policy, List<String[]> pgColumns) throws SQLException {
        return run(policy, null, false, pgColumns);
    }

    private static Report run(Policy policy, Connection connection, boolean types, List<String[]> pgColumns) throws SQLException {
        if (pgColumns == null && !types && SqlDialect.of(connection) == SqlDialect.POSTGRESQL) {
            pgColumns = pgColumns(policy, connection);
        }
        List<TableFit> fits = new ArrayList<>();
        for (TablePolicy t : policy.tables()) {
            List<LiveColumn> live = columns(connection, t.name(), pgColumns);
            List<ColumnPolicy> missing = new ArrayList<>();
            List<CompanionColumns.Companion> missingCompanions = new ArrayList<>();
            if (!live.isEmpty()) {
                for (CompanionColumns.Companion c : CompanionColumns.of(t)) {
                    if (!has(live, c.name())) {
                        missingCompanions.add(c);
                    }
                }
                for (ColumnPolicy c : t.columns().values()) {
                    if (!has(live, c.column().column())) {
                        missing.add(c);
                    }
                }
                missing.sort(BY_LINE);
            }
            fits.add(new TableFit(t, live, missing, missingCompanions));
        }
        return new Report(policy, fits);
    }

    // loops and a comparator class rather than lambdas and streams: this runs on every first connection of a
    // JVM, where each lambda spins a class at first use
    private static final java.util.Comparator<ColumnPolicy> BY_LINE = new java.util.Comparator<>() {
        @Override
        public int compare(ColumnPolicy a, ColumnPolicy b) {
            return Integer.compare(a.mark().line(), b.mark().line());
        }
    };

    private static boolean has(List<LiveColumn> live, Identifier column) {
        for (LiveColumn l : live) {
            if (column.matches(exact(l.name()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean inSchema(List<LiveColumn> found, String schema) {
        for (LiveColumn c : found) {
            if (c.schema() != null && c.schema().equals(schema)) {
                return true;
            }
        }
        return false;
    }

    /** A name as the database reports it is exact: compare it as a quoted identifier would. */
    private static String exact(String liveName) {
        return '"' + liveName.replace("\"", "\"\"") + '"';
    }

    /**
     * What pgjdbc's {@code getColumns(catalog, null, name, null)} reads for each name of {@code ?} (a
     * {@code text[]}), without the types: tables, partitioned tables, views, foreign tables and
     * materialized views of that exact name in every schema of the connection's database, their
     * live columns ordered by schema, name and position, with the current schema and the name.
     */
    private static final String PG_COLUMNS = "SELECT pg_catalog.current_schema(), n.nspname, c.relname, a.attname FROM pg_catalog.pg_class c "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
            + "WHERE c.relkind IN ('r', 'p', 'v', 'f', 'm') AND c.relname = ANY (?::text[]) AND a.attnum > 0 AND NOT a.attisdropped "
            + "ORDER BY n.nspname, c.relname, a.attnum";

    /**
     * {@link #PG_COLUMNS} for every spelling of every policy table in one statement (not one per
     * spelling): rows as {@link #names(Policy, List)} takes them.
     */
    private static List<String[]> pgColumns(Policy policy, Connection connection) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        if (policy.tables().isEmpty()) {
            return rows;
        }
        Set<String> spellings = new LinkedHashSet<>();
        for (TablePolicy t : policy.tables()) {
            spellings.addAll(spellings(t.name()));
        }
        try (PreparedStatement ps = connection.prepareStatement(PG_COLUMNS)) {
            ps.setString(1, CatalogReader.Postgres.textArray(spellings));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
                }
            }
        }
        return rows;
    }

    /** The names a policy table is looked up by, in order: as written, then (unquoted) in lower and upper case. */
    static Set<String> spellings(TableName table) {
        Set<String> spellings = new LinkedHashSet<>();
        Identifier name = table.name();
        spellings.add(name.text());
        if (!name.quoted()) {
            spellings.add(name.text().toLowerCase(Locale.ROOT));
            spellings.add(name.text().toUpperCase(Locale.ROOT));
        }
        return spellings;
    }

    /**
     * The live columns of a policy table, trying the name as written, then lower and upper case:
     * from {@code pgColumns} ({@link #PG_COLUMNS}' rows, without types) when given, else through
     * {@link DatabaseMetaData#getColumns}.
     */
    private static List<LiveColumn> columns(Connection connection, TableName table, List<String[]> pgColumns) throws SQLException {
        boolean direct = pgColumns != null;
        DatabaseMetaData md = direct ? null : connection.getMetaData();
        Set<String> spellings = spellings(table);
        String current = direct ? null : connection.getSchema();
        String catalog = direct ? null : connection.getCatalog();
        for (String spelling : spellings) {
            List<LiveColumn> found = new ArrayList<>();
            if (pgColumns != null) {
                for (String[] row : pgColumns) {
                    if (row[2].equals(spelling)) {
                        current = row[0];
                        found.add(new LiveColumn(row[1], row[3], Types.OTHER, null, 0));
                    }
                }
            } else {
                try (ResultSet rs = md.getColumns(catalog, null, MetadataPatterns.exactly(md, spelling), null)) {
                    while (rs.next()) {
                        found.add(new LiveColumn(rs.getString("TABLE_SCHEM"), rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                                rs.getString("TYPE_NAME"), rs.getLong("COLUMN_SIZE")));
                    }
                }
            }
            String schema = current;
            if (table.schema() != null) {
                found.removeIf(c -> c.schema() == null || !table.schema().matches(exact(c.schema())));
            } else if (inSchema(found, schema)) {
                found.removeIf(new java.util.function.Predicate<LiveColumn>() {
                    @Override
                    public boolean test(LiveColumn c) {
                        return c.schema() == null || !c.schema().equals(schema);
                    }
                });
            } else if (!found.isEmpty()) {
                // the same name in several other schemas: the first one's columns, as name lookup does without a schema
                String first = found.get(0).schema();
                found.removeIf(c -> c.schema() != null && !c.schema().equals(first));
            }
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }
}
