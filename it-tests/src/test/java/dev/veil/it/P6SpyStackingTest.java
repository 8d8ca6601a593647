package dev.veil.it;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jdbc:veil:p6spy:postgresql://…}: Veil strips only its own prefix, so p6spy sits beneath
 * it and logs the SQL the database receives — which holds only ciphertext.
 */
class P6SpyStackingTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static Path log;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        ShopSchema.create(db);
        log = dir.resolve("spy.log");
        // p6spy reads its configuration from system properties the first time it loads
        System.setProperty("p6spy.config.appender", "com.p6spy.engine.spy.appender.FileLogger");
        System.setProperty("p6spy.config.logfile", log.toString());
        System.setProperty("p6spy.config.append", "true");
        System.setProperty("p6spy.config.logMessageFormat", "com.p6spy.engine.spy.appender.SingleLineFormat");
        System.setProperty("p6spy.config.excludecategories", "info,debug,result,resultset");
        Class.forName("com.p6spy.engine.spy.P6SpyDriver");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    @Test
    void p6spyBeneathVeilLogsOnlyCiphertext() throws Exception {
        Path policy = ShopSchema.policy(dir);
        String url = ShopSchema.veilUrl(db, policy).replace("jdbc:veil:postgresql:", "jdbc:veil:p6spy:postgresql:");
        assertTrue(url.startsWith("jdbc:veil:p6spy:postgresql://"), url);
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
                ps.setString(1, "Spied");
                ps.setString(2, "spied.person@example.com");
                ps.setString(3, "SSN-424242");
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE customers SET ssn = 'SSN-737373' WHERE email = 'spied.person@example.com'");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ssn FROM customers WHERE email = ?")) {
                ps.setString(1, "spied.person@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("SSN-737373", rs.getString(1), "the application still sees plaintext");
                }
            }
        }
        String logged = Files.readString(log);
        assertTrue(logged.contains("INSERT INTO customers"), "p6spy saw the statements: " + logged);
        assertTrue(logged.contains("vl1:"), "p6spy saw ciphertext");
        for (String secret : new String[] {"spied.person", "SSN-424242", "SSN-737373"}) {
            assertFalse(logged.contains(secret), "p6spy must not see plaintext " + secret + ":\n" + logged);
        }
    }
}
