package dev.veil.it.keys;

import dev.veil.Veil;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;

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

    /**
     * MariaDB's driver reports the indexes of same-named tables in every database unless asked for
     * one: another database's {@code people.email} index must not make this one's look like an
     * index over two columns (which refuses writes during a rotation), nor stand in for it.
     */
    @Test
    void aSameNamedTableInAnotherDatabaseLeavesUniquenessAlone() throws Exception {
        try (TestDatabase other = TestDatabase.mariadbOrNull()) {
            other.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(200) UNIQUE)");
            try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
                admin.keys().rotate("default");
                Thread.sleep(REFRESH_MILLIS + 200);
                assertDuplicateRefused(policyB, 42);
            }
        }
    }
}
