package dev.veil.it.behaviour;

import dev.veil.testkit.TestDatabase;

import java.sql.SQLException;

/** The behaviour suite in driver mode on MariaDB through MySQL Connector/J (skipped when VEIL_IT_MARIADB_URL is not set). */
class MySqlDriverModeTest extends DriverModeTest {
    @Override
    protected TestDatabase database() throws SQLException {
        return TestDatabase.mariadbThroughMySqlDriverOrNull();
    }
}
