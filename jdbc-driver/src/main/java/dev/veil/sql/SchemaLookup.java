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
}
