package dev.veil.it.jobs;

import dev.veil.Veil;
import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.JobResult;
import dev.veil.jobs.ProgressListener;
import dev.veil.jobs.TableJob;
import dev.veil.jobs.Verifier;
import dev.veil.jobs.VerifyReport;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * migrate, rekey and verify on MariaDB, where rows are written with one compare-and-set UPDATE per
 * row (in JDBC batches) on the values read, rather than PostgreSQL's bulk UPDATE on the row version.
 */
class MariaDbJobsTest {
    @TempDir
    Path dir;
    TestDatabase db;
    Path policy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                tables:
                  people:
                    email: { mode: deterministic, migrating: true }
                    ssn: { mode: randomized, key: national-id, migrating: true }
                """);
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(200), ssn VARCHAR(200), note VARCHAR(20))");
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO people VALUES (?, ?, ?, 'n')")) {
            for (int id = 1; id <= 3000; id++) {
                ps.setLong(1, id);
                ps.setString(2, "user" + id + "@example.com");
                ps.setString(3, "ssn-" + id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void migratesAroundALockedRowThenRekeysAndVerifies() throws Exception {
        try (Connection app = DriverManager.getConnection(ShopSchema.veilUrl(db, policy)); Veil veil = Veil.open(PolicyLoader.load(policy), db.connections())) {
            app.setAutoCommit(false);
            try (PreparedStatement ps = app.prepareStatement("UPDATE people SET email = ? WHERE id = 1600")) {
                ps.setString(1, "changed@example.org");
                ps.executeUpdate();
            }
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<JobResult> job = runner.submit(() -> new TableJob(veil, db.connections(), "people", JobKind.MIGRATE,
                        JobOptions.defaults().withWorkers(2).withBatchSize(400), ProgressListener.NONE).run());
                // INNODB_TRX does not always list the waiting transaction; the process list does. An UPDATE
                // by primary key runs for 300 ms only while it waits on the locked row.
                LockWaits.await(db, "SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() "
                        + "AND INFO LIKE 'UPDATE `people`%' AND TIME_MS > 300", job);
                app.commit();
                JobResult migrate = job.get(60, TimeUnit.SECONDS);
                assertTrue(migrate.finished());
                assertEquals(3000, migrate.rowsChanged());
                assertTrue(migrate.conflicts() >= 1, "the locked row was re-read: " + migrate.conflicts());
            } finally {
                runner.shutdownNow();
            }

            int oldSsnKey = veil.keys().activeKey("national-id", false).id();
            veil.keys().rotate("national-id");
            JobResult rekey = new TableJob(veil, db.connections(), "people", JobKind.REKEY,
                    JobOptions.defaults().withWorkers(2).withBatchSize(400), ProgressListener.NONE).run();
            assertEquals(3000, rekey.rowsChanged());
            VerifyReport report = new Verifier(veil, db.connections()).verify("people", ProgressListener.NONE);
            assertTrue(report.ok());
            int newSsnKey = veil.keys().activeKey("national-id", false).id();
            assertEquals(Map.of(veil.keys().activeKey("default", false).id(), 3000L, newSsnKey, 3000L), report.valuesPerKey());
            assertTrue(newSsnKey != oldSsnKey);
        }
        try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
             ResultSet rs = c.createStatement().executeQuery("SELECT id, email, ssn FROM people")) {
            int seen = 0;
            while (rs.next()) {
                seen++;
                long id = rs.getLong(1);
                assertEquals(id == 1600 ? "changed@example.org" : "user" + id + "@example.com", rs.getString(2));
                assertEquals("ssn-" + id, rs.getString(3));
            }
            assertEquals(3000, seen);
        }
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM people WHERE email NOT LIKE 'vl1:%' OR ssn NOT LIKE 'vl1:%'")) {
            rs.next();
            assertEquals(0, rs.getLong(1));
        }
    }

    @Test
    void jobsTouchOnlyTheCurrentDatabasesTableWhenAnotherDatabaseHasOneOfTheSameName() throws Exception {
        String other = "veil_other_" + Long.toHexString(System.nanoTime());
        db.execute("CREATE DATABASE " + other,
                "CREATE TABLE " + other + ".people (id BIGINT PRIMARY KEY, email VARCHAR(200), ssn VARCHAR(200), note VARCHAR(20))",
                "INSERT INTO " + other + ".people VALUES (1, 'other@example.com', 'ssn-other', 'n')");
        try (Veil veil = Veil.open(PolicyLoader.load(policy), db.connections())) {
            JobResult migrate = new TableJob(veil, db.connections(), "people", JobKind.MIGRATE,
                    JobOptions.defaults().withWorkers(2).withBatchSize(400), ProgressListener.NONE).run();
            assertEquals(3000, migrate.rowsChanged());
            VerifyReport report = new Verifier(veil, db.connections()).verify("people", ProgressListener.NONE);
            assertTrue(report.ok());
            int emailKey = veil.keys().activeKey("default", false).id();
            int ssnKey = veil.keys().activeKey("national-id", false).id();
            assertEquals(Map.of(emailKey, 3000L, ssnKey, 3000L), report.valuesPerKey());
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                    "SELECT email, ssn FROM " + other + ".people")) {
                assertTrue(rs.next());
                assertEquals("other@example.com", rs.getString(1), "the other database's table is not this policy's");
                assertEquals("ssn-other", rs.getString(2));
            }
        } finally {
            db.execute("DROP DATABASE " + other);
        }
    }
}
