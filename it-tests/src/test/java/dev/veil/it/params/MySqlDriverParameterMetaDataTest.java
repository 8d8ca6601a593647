package dev.veil.it.params;

import dev.veil.testkit.TestDatabase;

import java.sql.SQLException;

/**
 * The same parameter metadata through MySQL Connector/J (against the MariaDB server): the counts
 * are the application's, a parameter bound for an encrypted column reports the column's type, and
 * a plain one answers as Connector/J answers it.
 */
class MySqlDriverParameterMetaDataTest extends MariaDbParameterMetaDataTest {
    @Override
    TestDatabase open() throws SQLException {
        return TestDatabase.mariadbThroughMySqlDriverOrNull();
    }
}
