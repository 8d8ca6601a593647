package dev.veil.it.agentmode;

import dev.veil.testkit.TestDatabase;

import java.sql.SQLException;

/**
 * The behaviour suite in agent mode on the same MariaDB server through MySQL Connector/J: the
 * application uses plain {@code jdbc:mysql:} URLs and MySQL's DataSource (skipped when
 * VEIL_IT_MARIADB_URL is not set).
 */
class MySqlDriverAgentModeTest extends AgentModeTest {
    @Override
    protected TestDatabase database() throws SQLException {
        return TestDatabase.mariadbThroughMySqlDriverOrNull();
    }
}
