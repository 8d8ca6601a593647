package dev.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Test access to the real connection beneath a Veil connection, in the same transaction, to check
 * what it really stores. Applications have no such path: {@code unwrap} hands out only guarded
 * vendor interfaces; this class reaches a package-private method from the test class path.
 */
public final class Beneath {
    private Beneath() {
    }

    public static Connection raw(Connection veil) throws SQLException {
        return veil.unwrap(VeilConnection.class).rawUnwrap(Connection.class);
    }
}
