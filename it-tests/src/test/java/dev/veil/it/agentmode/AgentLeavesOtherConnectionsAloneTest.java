package dev.veil.it.agentmode;

import dev.veil.it.behaviour.EncryptionBehaviourSuite;
import dev.veil.jdbc.VeilConnections;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In an agent JVM: connections the policy does not match are untouched; a {@code jdbc:veil:} app is not encrypted twice. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentLeavesOtherConnectionsAloneTest {
    TestDatabase db;
    String otherDatabase;
    String adminUrl;

    @BeforeAll
    void start() throws Exception {
        EncryptionBehaviourSuite.writePolicy(AgentMode.policyPath(), EncryptionBehaviourSuite.MATCH_TEST_DATABASES);
        db = TestDatabase.postgres();
        ShopSchema.create(db);
        otherDatabase = "other_" + db.name();
        adminUrl = System.getenv("VEIL_IT_JDBC_URL") != null ? System.getenv("VEIL_IT_JDBC_URL") : System.getProperty("veil.it.url");
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + otherDatabase);
        }
    }

    @AfterAll
    void stop() throws Exception {
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + otherDatabase + " WITH (FORCE)");
        }
        db.close();
    }

    @Test
    void aDatabaseThePolicyDoesNotMatchIsUntouched() throws Exception {
        String url = db.url().replace("/" + db.name(), "/" + otherDatabase);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertFalse(VeilConnections.isVeil(c));
            assertTrue(c.getClass().getName().startsWith("org.postgresql."), c.getClass().getName());
            s.execute("CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT, email TEXT)");
            s.execute("INSERT INTO customers (name, email) VALUES ('Eve', 'eve@example.com')");
            // LIKE on an encrypted column would be refused by Veil: here the policy does not apply
            try (ResultSet rs = s.executeQuery("SELECT email FROM customers WHERE email LIKE 'eve@%'")) {
                assertTrue(rs.next());
                assertEquals("eve@example.com", rs.getString(1));
            }
        }
    }

    @Test
    void anAppAlreadyOnJdbcVeilIsNotEncryptedTwice() throws Exception {
        String veilUrl = ShopSchema.veilUrl(db, AgentMode.policyPath());
        try (Connection c = DriverManager.getConnection(veilUrl)) {
            assertTrue(VeilConnections.isVeil(c));
            try (var ps = c.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
                ps.setString(1, "Fay");
                ps.setString(2, "fay@example.com");
                ps.setString(3, "111-22-3333");
                ps.executeUpdate();
            }
        }
        // read back through one layer (the agent's): encrypted twice, it would still be ciphertext
        try (Connection c = DriverManager.getConnection(db.url()); var ps = c.prepareStatement("SELECT ssn FROM customers WHERE email = ?")) {
            assertTrue(VeilConnections.isVeil(c));
            ps.setString(1, "fay@example.com");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("111-22-3333", rs.getString(1));
            }
        }
    }
}
