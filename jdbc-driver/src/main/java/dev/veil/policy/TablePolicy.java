package dev.veil.policy;

import java.util.Map;
import java.util.Optional;

/**
 * The encrypted columns of one table.
 *
 * @param name the table
 * @param columns encrypted columns by {@link Identifier#key()}
 * @param allowUnparseable whether SQL on this table that Veil cannot parse may pass through
 *        unchanged instead of failing (an explicit opt-out)
 * @param allowOpaque whether server-side code that names this table (DO blocks, PREPARE, function,
 *        procedure, rule and trigger definitions) may run although Veil cannot see what it does with
 *        the encrypted values (an explicit opt-out)
 */
public record TablePolicy(TableName name, Map<String, ColumnPolicy> columns, boolean allowUnparseable,
                          boolean allowOpaque) {

    public TablePolicy {
        columns = Map.copyOf(columns);
    }

    /** A table that allows no opaque server-side code. */
    public TablePolicy(TableName name, Map<String, ColumnPolicy> columns, boolean allowUnparseable) {
        this(name, columns, allowUnparseable, false);
    }

    /** The policy of a column, if it is encrypted. */
    public Optional<ColumnPolicy> column(String columnName) {
        ColumnPolicy c = columns.get(Identifier.parse(columnName).key());
        return c != null && c.column().column().matches(columnName) ? Optional.of(c) : Optional.empty();
    }
}
