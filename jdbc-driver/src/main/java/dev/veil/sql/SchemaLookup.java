package dev.veil.sql;

import java.sql.SQLException;
import java.util.List;

/**
 * Column names of live tables, for statements whose columns are implicit ({@code SELECT *},
 * {@code INSERT} without a column list, unqualified columns in joins). The JDBC layer implements it
 * with {@code DatabaseMetaData} and caches the answers for a while ({@code schema.refresh-after}).
 */
@FunctionalInterface
public interface SchemaLookup {

    /**
     * The columns of a table in their ordinal order, as the database names them.
     *
     * @param schema the schema, or {@code null} for the connection's search path
     * @return the columns, or an empty list when no such table is visible
     */
    List<String> columns(String schema, String table) throws SQLException;

    /**
     * DDL is about to run: forget any column lists kept, so the next {@link #columns} reads the
     * database again.
     */
    default void forget() {
    }

    /**
     * What table names mean on this connection now (its search path and its database's catalog
     * snapshot), or {@code null} when names are to be read as written, by the policy alone.
     * Called for every statement that is not a recently seen plain text, so it must be cheap
     * unless the path or the snapshot has to be read again.
     *
     * @throws dev.veil.VeilException when the path or the catalog cannot be read
     */
    default NameResolver resolver() throws dev.veil.VeilException {
        return null;
    }

    /**
     * Whether the catalog snapshot is due to be read again ({@code schema.refresh-after} has passed,
     * or DDL ran through Veil): a recently seen plain text is then planned again, so that a relation
     * that has come to carry encrypted values since (a view redefined elsewhere over a policy
     * table) is not written through as plain. One clock read.
     */
    default boolean catalogDue() {
        return false;
    }
}
