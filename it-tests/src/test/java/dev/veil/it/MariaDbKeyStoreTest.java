package dev.veil.it;

import dev.veil.testkit.TestDatabase;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The key-store contract on MariaDB, when VEIL_IT_MARIADB_URL names a server (.ci/run sets it). */
class MariaDbKeyStoreTest extends KeyStoreContract {
    @Override
    TestDatabase database() throws Exception {
        TestDatabase db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        return db;
    }
}
