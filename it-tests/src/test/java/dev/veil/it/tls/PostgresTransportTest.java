package dev.veil.it.tls;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.jdbc.VeilDataSource;
import dev.veil.testkit.ShopPolicy;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
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

/**
 * {@code transport: { require-tls, verify, min-version }} against a PostgreSQL of the test's own
 * with {@code ssl = on}: what the server reports for the live session, and what pgjdbc was set to
 * verify, decide; the server itself lets plain and TLS connections in.
 */
class PostgresTransportTest {
    @TempDir
    static Path dir;
    static PostgresTlsServer server;
    static Path keystore;

    @BeforeAll
    static void start() throws Exception {
        server = PostgresTlsServer.start();
        keystore = TestKeys.keystore(dir);
        try (Connection c = server.admin(); Statement s = c.createStatement()) {
            for (String ddl : ShopSchema.POSTGRES) {
                s.execute(ddl);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A policy file of its own (so a runtime of its own) with the given transport section. */
    static Path policy(String name, String transport) throws Exception {
        Path p = dir.resolve(name + ".yaml");
        Files.writeString(p, ShopPolicy.yaml(TestKeys.keysYaml(keystore)) + "transport: " + transport + "\n");
        return p;
    }

    static String veil(String url, Path policy) {
        return "jdbc:veil:" + url.substring("jdbc:".length()) + "&veil.policy=" + policy;
    }

    static VeilException refused(String url) {
        VeilException e = assertThrows(VeilException.class, () -> DriverManager.getConnection(url).close());
        assertEquals(VeilState.CONFIGURATION_INVALID, e.state());
        return e;
    }

    @Test
    void refusesAPlainConnection() throws Exception {
        Path p = policy("plain", "{ require-tls: true }");
        String message = refused(veil(server.url() + "&sslmode=disable", p)).getMessage();
        assertTrue(message.contains(p + ":") && message.contains("transport.require-tls refuses the connection"), message);
        assertTrue(message.contains("the session is not encrypted (pg_stat_ssl for pg_backend_pid() reports no TLS)"), message);
    }

    @Test
    void refusesTlsThatDoesNotVerifyTheServerUnderVerifyFull() throws Exception {
        Path p = policy("unverified", "{ require-tls: true, verify: full }");
        String message = refused(veil(server.url() + "&sslmode=require", p)).getMessage();
        assertTrue(message.contains("transport.verify = full refuses the connection"), message);
        assertTrue(message.contains("(sslmode=require)") && message.contains("sslmode=verify-full"), message);
        String ca = refused(veil(server.url() + "&sslmode=verify-ca&sslrootcert=" + server.certificates().ca(), p)).getMessage();
        assertTrue(ca.contains("(sslmode=verify-ca)"), ca);
    }

    @Test
    void acceptsVerifiedTlsAndEncryptsAsUsual() throws Exception {
        Path p = policy("verified", "{ require-tls: true, verify: full, min-version: TLSv1.2 }");
        try (Connection c = DriverManager.getConnection(veil(server.verifiedUrl(), p))) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, ssn) VALUES (?, ?)")) {
                ps.setString(1, "Tls");
                ps.setString(2, "123-45-6789");
                ps.executeUpdate();
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT ssn FROM customers WHERE name = 'Tls'")) {
                assertTrue(rs.next());
                assertEquals("123-45-6789", rs.getString(1));
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next() && rs.getBoolean(1));
            }
        }
    }

    @Test
    void verificationSetInThePropertiesCountsAsInTheUrl() throws Exception {
        Path p = policy("properties", "{ require-tls: true, verify: full }");
        java.util.Properties info = new java.util.Properties();
        info.setProperty("sslmode", "verify-full");
        info.setProperty("sslrootcert", server.certificates().ca().toString());
        try (Connection c = DriverManager.getConnection(veil(server.url(), p), info)) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void requireTlsAloneAcceptsTlsWithoutVerification() throws Exception {
        Path p = policy("require-only", "{ require-tls: true }");
        try (Connection c = DriverManager.getConnection(veil(server.url() + "&sslmode=require", p))) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void refusesASessionBelowTheMinimumVersion() throws Exception {
        Path p = policy("tls13", "{ require-tls: true, verify: full, min-version: TLSv1.3 }");
        try (Connection c = DriverManager.getConnection(veil(server.verifiedUrl(), p))) {
            assertTrue(c.isValid(5)); // this server speaks TLSv1.3 unless told otherwise
        }
        try (Connection c = server.admin(); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET ssl_max_protocol_version = 'TLSv1.2'");
            s.execute("SELECT pg_reload_conf()");
        }
        try {
            String message = refused(veil(server.verifiedUrl(), p)).getMessage();
            assertTrue(message.contains("transport.min-version = TLSv1.3 refuses the connection") && message.contains("runs TLSv1.2"), message);
        } finally {
            try (Connection c = server.admin(); Statement s = c.createStatement()) {
                s.execute("ALTER SYSTEM RESET ssl_max_protocol_version");
                s.execute("SELECT pg_reload_conf()");
            }
        }
    }

    /** A pool hands its physical connections out again and again: the server is asked once per physical connection. */
    @Test
    void asksOncePerPhysicalConnectionOfAPool() throws Exception {
        Path p = policy("pool", "{ require-tls: true, verify: full }");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.verifiedUrl());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        awaitBackgroundKeyReads();
        long before = Files.readString(server.log()).split("pg_stat_ssl", -1).length;
        try (HikariDataSource pool = new HikariDataSource(config)) {
            VeilDataSource veil = new VeilDataSource(pool, p.toString());
            for (int i = 0; i < 20; i++) {
                try (Connection c = veil.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                    assertTrue(rs.next());
                }
            }
        }
        awaitBackgroundKeyReads();
        long asked = Files.readString(server.log()).split("pg_stat_ssl", -1).length - before;
        assertTrue(asked >= 1 && asked <= 2, "pg_stat_ssl asked " + asked + " times for 20 borrows from a pool of 2");
    }

    /**
     * Waits for the key reads that driver connections of the other tests started in the background:
     * their key-table connections are new physical connections to this server, checked (and so
     * logged) like any other, and are not this pool's.
     */
    private static void awaitBackgroundKeyReads() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("veil-keys-preload")) {
                t.join(10_000);
            }
        }
    }
}
