package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks the {@link SchemaLookup} for a table's columns at most once per analysis, and remembers
 * what the database answered, so the plan can be checked against it later. One per analysis, on
 * one thread.
 */
final class LiveColumns {
    private final SchemaLookup lookup;
    private final Map<String, List<String>> cache = new HashMap<>();
    private final List<TableColumns> seen = new ArrayList<>();

    /** A table's column list as an analysis saw it. */
    record TableColumns(String schema, String table, List<String> columns) {
    }

    LiveColumns(SchemaLookup lookup) {
        this.lookup = lookup;
    }

    /** The lookup this analysis asks, or {@code null} when there is no database to ask. */
    SchemaLookup lookup() {
        return lookup;
    }

    /** The column lists read from the database so far, and those {@link #include included}. */
    List<TableColumns> seen() {
        return seen.isEmpty() ? List.of() : List.copyOf(seen);
    }

    /** Counts the column lists a cached template was made from as read by this analysis. */
    void include(List<TableColumns> earlier) {
        seen.addAll(earlier);
    }

    /** The table's columns in ordinal order, or an empty list when unknown. */
    List<String> of(String schema, String table) {
        String key = schema + "\u0000" + table;
        List<String> columns = cache.get(key);
        if (columns == null) {
            try {
                columns = lookup == null ? List.of() : lookup.columns(schema, table);
            } catch (SQLException e) {
                throw new LookupFailure(new VeilException(VeilState.UNSUPPORTED_SQL,
                        "cannot look up the columns of table " + table + " to analyse a statement on encrypted columns", e));
            }
            columns = columns == null ? List.of() : List.copyOf(columns);
            cache.put(key, columns);
            if (lookup != null) {
                seen.add(new TableColumns(schema, table, columns));
            }
        }
        return columns;
    }

    /** Carries a lookup failure out of the analysis; such failures are not cached. */
    static final class LookupFailure extends RuntimeException {
        final VeilException exception;

        LookupFailure(VeilException exception) {
            super(exception.getMessage(), exception, false, false);
            this.exception = exception;
        }
    }
}
