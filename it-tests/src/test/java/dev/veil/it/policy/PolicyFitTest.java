package dev.veil.it.policy;

import dev.veil.VeilState;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The policy held against the live catalog on PostgreSQL (and MariaDB where cheap): a misspelt
 * column of an existing table refuses connections, a misspelt table is logged once and shown in
 * JMX (or refuses with {@code strict: true}), DDL through Veil is seen, and each database is
 * announced once as protected.
 */
class PolicyFitTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static Path keystore;
    static final AtomicInteger FILES = new AtomicInteger();

    @BeforeAll
    static void setUp() throws Exception {
        ManagementFactory.getPlatformMBeanServer(); // it exists, so each engine registers its MXBean at once
        db = TestDatabase.postgres();
        keystore = TestKeys.keystore(dir);
        db.execute("CREATE TABLE people (id INT PRIMARY KEY, name TEXT, email TEXT, ssn TEXT)");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    /** A new policy file: a runtime of its own, as a freshly started application has. */
    static Path policy(String rest) throws Exception {
        Path p = dir.resolve("policy-" + FILES.incrementAndGet() + ".yaml");
        Files.writeString(p, "version: 1\n" + TestKeys.keysYaml(keystore) + rest);
        return p;
    }

    static Connection connect(TestDatabase database, Path policy) throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(database, policy));
    }

    static List<String> missingTablesInJmx(Path policy) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("dev.veil:type=Veil,policy=" + ObjectName.quote(policy.toString()) + ",*"), null);
        assertEquals(1, names.size(), names::toString);
        return Arrays.asList((String[]) server.getAttribute(names.iterator().next(), "MissingTables"));
    }

    static String base(TestDatabase database) {
        String url = database.url();
        return url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
    }

    @Test
    void aMisspeltColumnRefusesConnectionsNamingFileLineAndColumn() throws Exception {
        Path p = policy("""
                tables:
                  people:
                    email: deterministic
                    emial: randomized
                """);
        SQLException e = assertThrows(SQLException.class, () -> connect(db, p).close());
        assertEquals(VeilState.POLICY_INVALID.sqlState(), e.getSQLState());
        assertTrue(e.getMessage().startsWith(p + ":7:5: column people.emial of the policy does not exist in table public.people "
                + "(its columns: id, name, email, ssn) in " + base(db) + ". Veil refuses connections"), e.getMessage());
        // a refusal is not remembered: once the column exists, the next connection is admitted
        db.execute("ALTER TABLE people ADD COLUMN emial TEXT");
        try {
            try (Connection c = connect(db, p)) {
                assertTrue(c.isValid(2));
            }
        } finally {
            db.execute("ALTER TABLE people DROP COLUMN emial");
        }
    }

    @Test
    void aMisspeltTableIsLoggedOnceAndShownInJmx() throws Exception {
        Path p = policy("""
                tables:
                  people:
                    email: deterministic
                  peeple:
                    ssn: randomized
                """);
        try (LogCapture log = new LogCapture()) {
            try (Connection a = connect(db, p); Connection b = connect(db, p)) {
                assertTrue(a.isValid(2) && b.isValid(2));
            }
            assertEquals(1, log.count("WARN dev.veil.jdbc.PolicyFit - Veil: table peeple named in " + p + ":7:3 does not exist in "
                    + base(db) + "; its columns are not protected there until it exists"), log::text);
            assertEquals(1, log.count("INFO dev.veil.jdbc.PolicyFit - Veil: connections to " + base(db) + " are protected by policy " + p
                    + " (1 table(s), 1 encrypted column(s); 1 policy table(s) missing there: peeple)"), log::text);
        }
        assertEquals(List.of("peeple"), missingTablesInJmx(p));
    }

    @Test
    void aTableCreatedElsewhereIsSeenAfterRefreshAfter() throws Exception {
        Path p = policy("""
                schema: { refresh-after: 1s }
                tables:
                  invoices:
                    iban: randomized
                """);
        try {
            connect(db, p).close();
            assertEquals(List.of("invoices"), missingTablesInJmx(p));
            db.execute("CREATE TABLE invoices (id INT, iban TEXT)"); // a migration tool on a plain connection
            connect(db, p).close();
            assertEquals(List.of("invoices"), missingTablesInJmx(p), "within refresh-after the last check stands");
            Thread.sleep(1100);
            connect(db, p).close();
            assertEquals(List.of(), missingTablesInJmx(p));
        } finally {
            db.execute("DROP TABLE IF EXISTS invoices");
        }
    }

    @Test
    void strictRefusesWhileAPolicyTableIsMissing() throws Exception {
        Path p = policy("""
                strict: true
                tables:
                  people:
                    email: deterministic
                  orders_archive:
                    note: randomized
                """);
        SQLException e = assertThrows(SQLException.class, () -> connect(db, p).close());
        assertEquals(VeilState.POLICY_INVALID.sqlState(), e.getSQLState());
        assertTrue(e.getMessage().startsWith(p + ":8:3: table orders_archive of the policy does not exist in " + base(db)
                + ". Veil refuses connections"), e.getMessage());
        assertTrue(e.getMessage().contains("strict: true refuses while a table is missing"), e.getMessage());
        db.execute("CREATE TABLE orders_archive (id INT, note TEXT)");
        try (Connection c = connect(db, p)) {
            assertTrue(c.isValid(2));
        } finally {
            db.execute("DROP TABLE orders_archive");
        }
    }

    @Test
    void ddlThroughVeilIsHeldAgainstThePolicy() throws Exception {
        Path p = policy("""
                tables:
                  visits:
                    email: deterministic
                """);
        try (LogCapture log = new LogCapture(); Connection app = connect(db, p); Statement s = app.createStatement()) {
            assertEquals(List.of("visits"), missingTablesInJmx(p));
            assertEquals(1, log.count("WARN dev.veil.jdbc.PolicyFit - Veil: connections to " + base(db) + " are not protected: none of the 1 "
                    + "table(s) of policy " + p + " exist there"), log::text);
            // a migration tool creating the table through Veil, after it connected
            s.execute("CREATE TABLE visits (id INT PRIMARY KEY, email TEXT)");
            try (PreparedStatement ps = app.prepareStatement("INSERT INTO visits (id, email) VALUES (?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, "ada@example.org");
                ps.executeUpdate();
            }
            assertEquals(List.of(), missingTablesInJmx(p));
            assertEquals(1, log.count("INFO dev.veil.jdbc.PolicyFit - Veil: connections to " + base(db) + " are protected by policy " + p
                    + " (1 table(s), 1 encrypted column(s))"), log::text);
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT email FROM visits")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("vl1:"), "stored encrypted once the table exists");
            }
            // the table made again through Veil without the encrypted column: this connection goes on, new ones are refused
            s.execute("DROP TABLE visits");
            s.execute("CREATE TABLE visits (id INT PRIMARY KEY, e_mail TEXT)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM visits")) {
                assertTrue(rs.next());
            }
            assertEquals(1, log.count("ERROR dev.veil.jdbc.PolicyFit - Veil: after DDL the policy no longer fits " + base(db)), log::text);
            SQLException e = assertThrows(SQLException.class, () -> connect(db, p).close());
            assertTrue(e.getMessage().startsWith(p + ":6:5: column visits.email of the policy does not exist in table public.visits"),
                    e.getMessage());
        } finally {
            db.execute("DROP TABLE IF EXISTS visits");
        }
    }

    @Test
    void eachDatabaseIsAnnouncedOnceAsProtected() throws Exception {
        Path p = policy("""
                tables:
                  people:
                    email: deterministic
                    ssn: randomized
                """);
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                try (Connection c = connect(db, p)) {
                    assertTrue(c.isValid(2));
                }
            }
            assertEquals(1, log.count("INFO dev.veil.jdbc.PolicyFit - Veil: connections to " + base(db) + " are protected by policy " + p
                    + " (1 table(s), 2 encrypted column(s))"), log::text);
            assertEquals(0, log.count(TestKeys.PASSWORD_ENV + "="), "no secrets: " + log.text());
        }
    }

    @Test
    void aMisspeltColumnRefusesConnectionsOnMariaDb() throws Exception {
        try (TestDatabase maria = TestDatabase.mariadbOrNull()) {
            assumeTrue(maria != null, "VEIL_IT_MARIADB_URL is not set");
            maria.execute("CREATE TABLE people (id INT PRIMARY KEY, name TEXT, email TEXT)");
            Path p = policy("""
                    tables:
                      people:
                        emial: deterministic
                    """);
            SQLException e = assertThrows(SQLException.class, () -> connect(maria, p).close());
            assertEquals(VeilState.POLICY_INVALID.sqlState(), e.getSQLState());
            assertTrue(e.getMessage().startsWith(p + ":6:5: column people.emial of the policy does not exist in table people"), e.getMessage());
        }
    }
}
