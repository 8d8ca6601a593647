package dev.veil.it.agentmode;

import dev.veil.testkit.TestDatabase;

import java.sql.SQLException;

/**
 * The behaviour suite in agent mode on MariaDB through MariaDB Connector/J: the application uses
 * plain {@code jdbc:mariadb:} URLs and MariaDB's DataSource (skipped when VEIL_IT_MARIADB_URL is not set).
 */
class MariaDbAgentModeTest extends AgentModeTest {
    @Override
    protected TestDatabase database() throws SQLException {
        return TestDatabase.mariadbOrNull();
    }
}
