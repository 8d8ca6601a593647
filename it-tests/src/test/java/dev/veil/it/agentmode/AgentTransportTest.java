package dev.veil.it.agentmode;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.it.tls.PostgresTlsServer;
import dev.veil.jdbc.VeilConnections;
import dev.veil.testkit.ShopPolicy;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In an agent JVM: the policy's {@code transport} section holds for connections the agent wraps, judged on the settings given to {@code Driver#connect}. */
class AgentTransportTest {
    @Test
    void refusesUnverifiedTlsAndAcceptsVerifiedTls() throws Exception {
        Path policy = AgentMode.policyPath();
        Files.createDirectories(policy.getParent());
        Path own = Files.createTempDirectory(policy.getParent(), "transport-");
        Path keystore = TestKeys.keystore(own);
        Files.writeString(policy, ShopPolicy.yaml(TestKeys.keysYaml(keystore)) + "transport: { require-tls: true, verify: full }\n");
        try (PostgresTlsServer server = PostgresTlsServer.start()) {
            VeilException e = assertThrows(VeilException.class, () -> DriverManager.getConnection(server.url() + "&sslmode=require").close());
            assertEquals(VeilState.CONFIGURATION_INVALID, e.state());
            assertTrue(e.getMessage().contains("transport.verify = full refuses") && e.getMessage().contains("(sslmode=require)"), e.getMessage());

            try (Connection c = DriverManager.getConnection(server.verifiedUrl())) {
                assertTrue(VeilConnections.isVeil(c));
                assertTrue(c.isValid(5));
            }
            Properties info = new Properties();
            info.setProperty("sslmode", "verify-full");
            info.setProperty("sslrootcert", server.certificates().ca().toString());
            try (Connection c = DriverManager.getConnection(server.url(), info)) {
                assertTrue(VeilConnections.isVeil(c));
            }
        }
    }
}
