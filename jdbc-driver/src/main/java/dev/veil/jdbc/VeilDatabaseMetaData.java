package dev.veil.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;

/** Database metadata whose connection and result sets are Veil's. */
final class VeilDatabaseMetaData extends DelegatingDatabaseMetaData {
    private final VeilConnection connection;

    VeilDatabaseMetaData(VeilConnection connection, DatabaseMetaData raw) {
        super(raw);
        this.connection = connection;
    }

    @Override
    protected ResultSet wrapResultSet(ResultSet raw) {
        return raw == null ? null : new VeilResultSet(connection, null, raw, null);
    }

    @Override
    protected Connection wrapConnection(Connection raw) {
        return connection;
    }
}
