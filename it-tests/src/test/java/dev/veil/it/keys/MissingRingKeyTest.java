package dev.veil.it.keys;

import dev.veil.VeilState;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data class kept from a service: ring national-id is wrapped by its own master key
 * (nid-master), which the reporting service's keystore lacks. Per policy, that service gets an
 * error, NULL, or a masked value for the national-id column, and everything else as usual.
 */
class MissingRingKeyTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static Path reportingKeystore;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute(People.DDL);
        Path full = dir.resolve("full.p12");
        Path writer = People.instance(dir, policy(full, "    national-id: { master-key: 'pkcs12:nid-master' }\n"));
        assertEquals(0, Cli.run("keys", "init", "--policy", writer.toString()).code());
        Cli nid = Cli.run("keys", "init", "--alias", "nid-master", "--policy", writer.toString(), "--url", db.url());
        assertEquals(0, nid.code(), nid::toString);
        People.insert(db, writer, 1, "Ada");
        People.insert(db, writer, 2, "Grace");

        Cli list = Cli.run("keys", "list", "--policy", writer.toString(), "--url", db.url());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("national-id ") && l.contains("pkcs12:nid-master")), list::toString);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("payment ") && l.contains("pkcs12:veil-master")), list::toString);

        // the reporting service's keystore: the same file without the national-id master key
        reportingKeystore = dir.resolve("reporting.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(full)) {
            ks.load(in, TestKeys.password());
        }
        ks.deleteEntry("nid-master");
        try (OutputStream out = Files.newOutputStream(reportingKeystore)) {
            ks.store(out, TestKeys.password());
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    static String policy(Path keystore, String rings) {
        return "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore + "', password-env: " + TestKeys.PASSWORD_ENV
                + ", alias: veil-master }\n  rings:\n" + rings + People.TABLES;
    }

    static Path reporting(String onMissingKey) throws Exception {
        return People.instance(dir, policy(reportingKeystore, "    national-id: { on-missing-key: " + onMissingKey + " }\n"));
    }

    @Test
    void errorPolicyFailsOnTheColumnButOtherColumnsRead() throws Exception {
        Path p = reporting("error");
        SQLException e = assertThrows(SQLException.class, () -> People.read(db, p));
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE.sqlState(), e.getSQLState());
        assertTrue(e.getMessage().contains("nid-master"), e.getMessage());
        try (Connection c = People.connect(db, p); ResultSet rs = c.createStatement().executeQuery("SELECT email, card FROM people ORDER BY id")) {
            assertTrue(rs.next());
            assertEquals("ada@example.com", rs.getString(1));
            assertEquals("4111-1", new String(rs.getBytes(2)));
        }
    }

    @Test
    void nullPolicyReadsNullForTheColumnOnly() throws Exception {
        assertEquals(Map.of(1, "ada@example.com|null|4111-1", 2, "grace@example.com|null|4111-2"), People.read(db, reporting("null")));
    }

    @Test
    void maskPolicyReadsAMaskAndCountsItInJmx() throws Exception {
        Path p = reporting("mask");
        ManagementFactory.getPlatformMBeanServer(); // it exists, so the engine registers its MXBean at once
        assertEquals(Map.of(1, "ada@example.com|****|4111-1", 2, "grace@example.com|****|4111-2"), People.read(db, p));

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("dev.veil:type=Veil,policy=" + ObjectName.quote(p.toString()) + ",*"), null);
        assertEquals(1, names.size(), names::toString);
        ObjectName n = names.iterator().next();
        assertEquals(2L, server.getAttribute(n, "MissingKeyReads"));
        assertTrue((Long) server.getAttribute(n, "Decryptions") >= 4L);
        assertTrue((Long) server.getAttribute(n, "KeyUnwraps") >= 2L);
    }

    @Test
    void theWritingServiceWithBothMasterKeysReadsEverything() throws Exception {
        Path full = People.instance(dir, policy(dir.resolve("full.p12"), "    national-id: { master-key: 'pkcs12:nid-master' }\n"));
        assertEquals(Map.of(1, People.expected(1, "Ada"), 2, People.expected(2, "Grace")), People.read(db, full));
    }

    @Test
    void aServiceLackingTheKeyCannotWriteThatColumn() throws Exception {
        Path p = reporting("null");
        SQLException e = assertThrows(SQLException.class, () -> People.insert(db, p, 3, "Edsger"));
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE.sqlState(), e.getSQLState());
    }
}
