package dev.veil.it.keys;

import dev.veil.testkit.TestDatabase;

import java.sql.SQLException;

/** {@link DeterministicRotationContract} on PostgreSQL. */
class PostgresDeterministicRotationTest extends DeterministicRotationContract {
    @Override
    TestDatabase database() throws SQLException {
        return TestDatabase.postgres();
    }

    @Override
    boolean postgres() {
        return true;
    }
}
