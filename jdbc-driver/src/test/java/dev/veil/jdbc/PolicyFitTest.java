package dev.veil.jdbc;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.keys.ConnectionFactory;
import dev.veil.keys.MasterKeyProviders;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestKeys;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy held against an H2 catalog: what refuses, what is only reported, and how it shows in the metrics. */
class PolicyFitTest {
    static Policy policy(String source, String rest) throws VeilException {
        return PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env, variable: " + TestKeys.ENV_MASTER_KEY + " }\n" + rest, source);
    }

    @Test
    void missingTablesAreCountedOverJmxAndMicrometerAndMissingColumnsRefuse() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        String source = "fit-" + UUID.randomUUID() + ".yaml";
        Policy policy = policy(source, "tables:\n  people:\n    email: deterministic\n  peeple:\n    ssn: randomized\n");
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        ConnectionFactory h2 = () -> DriverManager.getConnection(url);
        ManagementFactory.getPlatformMBeanServer(); // it exists, so the engine registers its MXBean at once
        try (Connection c = h2.open(); Statement s = c.createStatement();
             Veil veil = Veil.open(policy, MasterKeyProviders.create(policy.keys().master()), h2)) {
            s.execute("CREATE TABLE people (id INT, email VARCHAR(200))");
            PolicyFit fit = new PolicyFit(policy, veil.stats().metrics());
            PolicyFit.Database d = fit.admit(c);
            assertEquals(List.of("peeple"), fit.missingTables(d));
            ObjectName name = new ObjectName("dev.veil:type=Veil,policy=" + ObjectName.quote(source));
            assertArrayEquals(new String[] {"peeple"}, (String[]) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "MissingTables"));
            assertEquals(1.0, registry.get("veil.policy.tables.missing").tag("policy", source).gauge().value());

            // the table made through Veil: the check before the next statement finds it
            fit.ddlRan();
            s.execute("CREATE TABLE peeple (id INT, ssn VARCHAR(200))");
            fit.afterDdl(d, c, "SELECT 1");
            assertEquals(List.of(), fit.missingTables(d));
            assertEquals(0.0, registry.get("veil.policy.tables.missing").tag("policy", source).gauge().value());

            // a column gone: this connection is told nothing, the next one is refused
            fit.ddlRan();
            s.execute("ALTER TABLE peeple DROP COLUMN ssn");
            fit.afterDdl(d, c, "SELECT 1");
            VeilException e = assertThrows(VeilException.class, () -> fit.admit(c));
            assertEquals("VE001", e.getSQLState());
            assertTrue(e.getMessage().startsWith(source + ":8:5: column peeple.ssn of the policy does not exist in table PUBLIC.peeple (its columns: ID)"),
                    e.getMessage());
        } finally {
            Metrics.removeRegistry(registry);
        }
    }

    @Test
    void aDdlTextDoesNotTriggerTheCheckItself() throws Exception {
        Policy policy = policy("fit-ddl.yaml", "strict: true\ntables:\n  later:\n    x: randomized\n");
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE later (id INT, x VARCHAR(100))");
            PolicyFit fit = new PolicyFit(policy, new dev.veil.metrics.VeilMetrics());
            PolicyFit.Database d = fit.admit(c);
            fit.ddlRan();
            s.execute("DROP TABLE later");
            // a run of DDL is checked once, before the first statement after it
            fit.afterDdl(d, c, "CREATE TABLE other (id INT)");
            assertEquals(List.of(), fit.missingTables(d));
            fit.afterDdl(d, c, "SELECT 1");
            assertEquals(List.of("later"), fit.missingTables(d));
            assertThrows(VeilException.class, () -> fit.admit(c), "strict: a missing table refuses");
        }
    }

    @Test
    void aPolicyWithoutTablesAdmitsEveryConnection() throws Exception {
        Policy policy = policy("fit-empty.yaml", "strict: true\n");
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID())) {
            PolicyFit fit = new PolicyFit(policy, new dev.veil.metrics.VeilMetrics());
            assertEquals(List.of(), fit.missingTables(fit.admit(c)));
        }
    }
}
