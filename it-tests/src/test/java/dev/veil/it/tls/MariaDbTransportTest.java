package dev.veil.it.tls;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.ShopPolicy;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code transport: { require-tls, verify }} against a MariaDB of the test's own with TLS on. */
class MariaDbTransportTest {
    @TempDir
    static Path dir;
    static MariaDbTlsServer server;
    static Path policy;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(MariaDbTlsServer.available(), "needs mariadbd and root to start a MariaDB of its own");
        server = MariaDbTlsServer.start();
        try (Connection c = server.admin(); Statement s = c.createStatement()) {
            s.execute("USE veil_tls");
            for (String ddl : ShopSchema.MARIADB) {
                s.execute(ddl);
            }
        }
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, ShopPolicy.yaml(TestKeys.keysYaml(TestKeys.keystore(dir))) + "transport: { require-tls: true, verify: full }\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static String veil(String url) {
        return "jdbc:veil:" + url.substring("jdbc:".length()) + "&veil.policy=" + policy;
    }

    static String refusal(String url) {
        VeilException e = assertThrows(VeilException.class, () -> DriverManager.getConnection(veil(url)).close());
        assertEquals(VeilState.CONFIGURATION_INVALID, e.state());
        return e.getMessage();
    }

    @Test
    void refusesAPlainConnection() {
        String message = refusal(server.url() + "&sslMode=disable");
        assertTrue(message.contains("transport.verify = full refuses") && message.contains("(sslMode=DISABLE)"), message);
    }

    @Test
    void requireTlsAloneReadsTheSessionStatus() throws Exception {
        Path requireOnly = dir.resolve("require-only.yaml");
        Files.writeString(requireOnly, Files.readString(policy).replace("verify: full", "min-version: TLSv1.2"));
        String url = server.url() + "&veil.policy=" + requireOnly;
        VeilException e = assertThrows(VeilException.class, () -> DriverManager.getConnection("jdbc:veil:" + url.substring(5)
                + "&sslMode=disable").close());
        assertTrue(e.getMessage().contains("transport.require-tls refuses") && e.getMessage().contains("the session status Ssl_version"),
                e.getMessage());
        try (Connection c = DriverManager.getConnection("jdbc:veil:" + url.substring(5) + "&sslMode=trust")) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void refusesTlsThatDoesNotVerifyTheServer() {
        String message = refusal(server.url() + "&sslMode=trust");
        assertTrue(message.contains("transport.verify = full refuses") && message.contains("(sslMode=TRUST)"), message);
    }

    @Test
    void acceptsVerifiedTls() throws Exception {
        try (Connection c = DriverManager.getConnection(veil(server.verifiedUrl()))) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, ssn) VALUES (?, ?)")) {
                ps.setString(1, "Tls");
                ps.setString(2, "123-45-6789");
                ps.executeUpdate();
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT ssn FROM customers WHERE name = 'Tls'")) {
                assertTrue(rs.next());
                assertEquals("123-45-6789", rs.getString(1));
            }
        }
    }

    @Test
    void verifyIdentityIsVerifyFull() throws Exception {
        try (Connection c = DriverManager.getConnection(veil(server.url() + "&sslMode=VERIFY_IDENTITY&serverSslCert="
                + server.certificates().ca()))) {
            assertTrue(c.isValid(5));
        }
    }
}
