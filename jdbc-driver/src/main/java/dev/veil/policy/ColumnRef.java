package dev.veil.policy;

/**
 * A column of a table: the identity an encrypted value is bound to.
 *
 * @param table the table
 * @param column the column name
 */
public record ColumnRef(TableName table, Identifier column) {
    // equals and hashCode written out, as the record's own: a cache key asked for every statement prepared

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnRef r && java.util.Objects.equals(column, r.column) && java.util.Objects.equals(table, r.table);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(table) * 31 + java.util.Objects.hashCode(column);
    }

    @Override
    public String toString() {
        return table + "." + column;
    }
}
