package dev.veil.it;

import dev.veil.testkit.TestDatabase;

/** The key-store contract on PostgreSQL. */
class PostgresKeyStoreTest extends KeyStoreContract {
    @Override
    TestDatabase database() throws Exception {
        return TestDatabase.postgres();
    }
}
