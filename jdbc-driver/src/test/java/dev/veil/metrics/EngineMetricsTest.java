package dev.veil.metrics;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestKeys;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.DriverManager;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An engine's counters, over JMX and Micrometer, registered while it is open. */
class EngineMetricsTest {

    @Test
    void countsEncryptionsDecryptionsFailuresAndKeyUseOverJmxAndMicrometer() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        String source = "metrics-" + UUID.randomUUID() + ".yaml";
        Policy policy = PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env, variable: " + TestKeys.ENV_MASTER_KEY
                + " }\n  rotate-after: never\n  rings:\n    default: { rotate-after: 30d }\ntables:\n  t:\n    c: randomized\n    d: { mode: randomized, key: other }\n", source);
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        ConnectionFactory h2 = () -> DriverManager.getConnection(url);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.veil:type=Veil,policy=" + ObjectName.quote(source));
        try (Veil veil = Veil.open(policy, dev.veil.keys.MasterKeyProviders.create(policy.keys().master()), h2)) {
            assertTrue(Double.isNaN(registry.get("veil.key.expiry").tag("policy", source).tag("ring", "default").gauge().value()),
                    "no key read yet");
            long before = java.time.Instant.now().plus(java.time.Duration.ofDays(30)).getEpochSecond();
            ColumnCipher c = veil.cipher(null, "t", "c").orElseThrow();
            Object stored = c.encrypt("x");
            c.encrypt("y");
            assertEquals("x", c.decrypt(stored));
            assertThrows(VeilException.class, () -> c.decrypt("vl1:9xEAAAAB" + "A".repeat(40)));
            assertThrows(VeilException.class, () -> veil.analyzer().plan("SELECT * FROM t WHERE c LIKE ?", null));

            assertEquals(2L, server.getAttribute(name, "Encryptions"));
            assertEquals(1L, server.getAttribute(name, "Decryptions"));
            assertEquals(1L, server.getAttribute(name, "StatementsRefused"));
            assertTrue((Long) server.getAttribute(name, "KeyCacheHits") >= 1);
            @SuppressWarnings("unchecked")
            Map<String, Long> failures = (Map<String, Long>) toMap(server.getAttribute(name, "Failures"));
            assertEquals(1, failures.size(), failures::toString);

            assertEquals(2.0, registry.get("veil.encryptions").tag("policy", source).functionCounter().count());
            assertEquals(1.0, registry.get("veil.statements.refused").tag("policy", source).functionCounter().count());
            assertEquals(1.0, registry.get("veil.key.cache.size").tag("policy", source).gauge().value());
            double expiry = registry.get("veil.key.expiry").tag("policy", source).tag("ring", "default").gauge().value();
            assertTrue(expiry >= before && expiry <= java.time.Instant.now().plus(java.time.Duration.ofDays(30)).getEpochSecond(), "" + expiry);
            veil.cipher(null, "t", "d").orElseThrow().encrypt("z");
            assertEquals(Double.POSITIVE_INFINITY, registry.get("veil.key.expiry").tag("policy", source).tag("ring", "other").gauge().value());
        } finally {
            Metrics.removeRegistry(registry);
        }
        assertFalse(server.isRegistered(name), "unregistered on close");
        assertTrue(registry.find("veil.encryptions").tag("policy", source).meters().isEmpty(), "meters removed on close");
    }

    private static Map<?, ?> toMap(Object tabular) {
        Map<Object, Object> m = new java.util.HashMap<>();
        for (Object row : ((javax.management.openmbean.TabularData) tabular).values()) {
            javax.management.openmbean.CompositeData d = (javax.management.openmbean.CompositeData) row;
            m.put(d.get("key"), d.get("value"));
        }
        return m;
    }
}
