package dev.veil.it.agentmode;

import dev.veil.it.behaviour.EncryptionBehaviourSuite;
import org.junit.jupiter.api.BeforeAll;

import javax.sql.DataSource;

/**
 * The behaviour suite in a JVM started with {@code -javaagent:veil-agent.jar}: the application
 * uses the plain {@code jdbc:postgresql:} URL and plain DataSources, as if Veil were not there.
 */
class AgentModeTest extends EncryptionBehaviourSuite {
    @BeforeAll
    void start() throws Exception {
        setUp(AgentMode.policyPath());
    }

    @Override
    protected String appUrl() {
        return db.url();
    }

    @Override
    protected DataSource appDataSource(DataSource real) {
        return real;
    }
}
