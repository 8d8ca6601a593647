package dev.veil.keys;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a plain (not Veil-wrapped) connection to the database that holds the key table. */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;
}
