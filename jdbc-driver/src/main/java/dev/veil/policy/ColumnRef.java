package dev.veil.policy;

/**
 * A column of a table: the identity an encrypted value is bound to.
 *
 * @param table the table
 * @param column the column name
 */
public record ColumnRef(TableName table, Identifier column) {
    @Override
    public String toString() {
        return table + "." + column;
    }
}
