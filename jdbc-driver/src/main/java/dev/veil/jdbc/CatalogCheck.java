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
import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** A column of a live table as {@link DatabaseMetaData#getColumns} reports it. */
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
            return live.stream().filter(l -> c.column().column().matches(exact(l.name()))).findFirst().orElse(null);
        }
    }

    /** What the catalog says about every table of a policy. */
    public record Report(Policy policy, List<TableFit> tables) {
        public Report {
            tables = List.copyOf(tables);
        }

        /** Policy tables that do not exist in the database. */
        public List<TablePolicy> missingTables() {
            return tables.stream().filter(t -> !t.exists()).map(TableFit::table).toList();
        }

        /** Encrypted columns missing from tables that exist. */
        public List<ColumnPolicy> missingColumns() {
            return tables.stream().flatMap(t -> t.missingColumns().stream()).toList();
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
        List<TableFit> fits = new ArrayList<>();
        for (TablePolicy t : policy.tables()) {
            List<LiveColumn> live = columns(connection, t.name());
            List<ColumnPolicy> missing = new ArrayList<>();
            List<CompanionColumns.Companion> missingCompanions = new ArrayList<>();
            if (!live.isEmpty()) {
                for (CompanionColumns.Companion c : CompanionColumns.of(t)) {
                    if (live.stream().noneMatch(l -> c.name().matches(exact(l.name())))) {
                        missingCompanions.add(c);
                    }
                }
                for (ColumnPolicy c : t.columns().values()) {
                    if (live.stream().noneMatch(l -> c.column().column().matches(exact(l.name())))) {
                        missing.add(c);
                    }
                }
                missing.sort((a, b) -> Integer.compare(a.mark().line(), b.mark().line()));
            }
            fits.add(new TableFit(t, live, missing, missingCompanions));
        }
        return new Report(policy, fits);
    }

    /** A name as the database reports it is exact: compare it as a quoted identifier would. */
    private static String exact(String liveName) {
        return '"' + liveName.replace("\"", "\"\"") + '"';
    }

    /** The live columns of a policy table, trying the name as written, then lower and upper case. */
    static List<LiveColumn> columns(Connection connection, TableName table) throws SQLException {
        DatabaseMetaData md = connection.getMetaData();
        Set<String> spellings = new LinkedHashSet<>();
        Identifier name = table.name();
        spellings.add(name.text());
        if (!name.quoted()) {
            spellings.add(name.text().toLowerCase(Locale.ROOT));
            spellings.add(name.text().toUpperCase(Locale.ROOT));
        }
        String current = connection.getSchema();
        String catalog = connection.getCatalog();
        for (String spelling : spellings) {
            List<LiveColumn> found = new ArrayList<>();
            try (ResultSet rs = md.getColumns(catalog, null, MetadataPatterns.exactly(md, spelling), null)) {
                while (rs.next()) {
                    found.add(new LiveColumn(rs.getString("TABLE_SCHEM"), rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                            rs.getString("TYPE_NAME"), rs.getLong("COLUMN_SIZE")));
                }
            }
            if (table.schema() != null) {
                found.removeIf(c -> c.schema() == null || !table.schema().matches(exact(c.schema())));
            } else if (found.stream().anyMatch(c -> c.schema() != null && c.schema().equals(current))) {
                found.removeIf(c -> c.schema() == null || !c.schema().equals(current));
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
