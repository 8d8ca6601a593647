package dev.veil.it.keys;

import dev.veil.testkit.TestDatabase;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link DeterministicRotationContract} on MariaDB ({@code VEIL_IT_MARIADB_URL}). */
class MariaDbDeterministicRotationTest extends DeterministicRotationContract {
    @Override
    TestDatabase database() throws SQLException {
        TestDatabase db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        return db;
    }

    @Override
    boolean postgres() {
        return false;
    }
}
