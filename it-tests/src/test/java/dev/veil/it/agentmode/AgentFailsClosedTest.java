package dev.veil.it.agentmode;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.ShopPolicy;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In an agent JVM: a connection Veil must protect but cannot is refused, never handed out unprotected. */
class AgentFailsClosedTest {
    @Test
    void refusesConnectionsItCannotProtect() throws Exception {
        Path policy = AgentMode.policyPath();
        Files.createDirectories(policy.getParent());
        String admin = System.getenv("VEIL_IT_JDBC_URL");

        // an invalid policy cannot say which connections it covers: every connection is refused
        Files.writeString(policy, "version: 1\nkeys: {}\n");
        VeilException invalid = assertThrows(VeilException.class, () -> DriverManager.getConnection(admin));
        assertEquals(VeilState.POLICY_INVALID, invalid.state());
        assertTrue(invalid.getMessage().contains(policy + ":2:7"), invalid.getMessage());

        // a valid policy whose master key cannot be opened: matching connections are refused, others work
        Files.deleteIfExists(policy.getParent().resolve("master.p12"));
        Path keystore = TestKeys.keystore(policy.getParent());
        Files.writeString(policy, ShopPolicy.yaml(TestKeys.keysYaml(keystore).replace(TestKeys.PASSWORD_ENV, TestKeys.WRONG_PASSWORD_ENV))
                + "match: { databases: ['veil_it_*'] }\n");
        try (TestDatabase db = TestDatabase.postgres()) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(db.url()).close());
            assertTrue(e instanceof VeilException, e.toString());
            assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, ((VeilException) e).state(), e.getMessage());
            try (Connection other = DriverManager.getConnection(admin)) {
                assertTrue(other.isValid(5));
            }
        }
    }
}
