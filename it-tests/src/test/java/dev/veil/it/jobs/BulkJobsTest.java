package dev.veil.it.jobs;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** migrate, rekey and verify against PostgreSQL, under concurrent writes and kill -9. */
class BulkJobsTest {
    @TempDir
    Path dir;
    TestDatabase db;
    Path policy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        policy = dir.resolve("policy.yaml");
        // a rotated ring of a deterministic column is written (and rekeyed to) refresh-after after the rotation
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir), "refresh-after: 1s") + """
                tables:
                  people:
                    email: { mode: deterministic, migrating: true }
                    ssn: { mode: randomized, key: national-id, migrating: true }
                  nokey:
                    secret: randomized
                  blobs:
                    doc: { mode: randomized, type: bytes, storage: binary, migrating: true }
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    void people(int rows) throws Exception {
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email TEXT, ssn TEXT, note TEXT)",
                "INSERT INTO people SELECT g, 'user' || g || '@example.com', 'ssn-' || g, 'n' FROM generate_series(1, " + rows + ") g");
    }

    Veil veil() throws Exception {
        return Veil.open(PolicyLoader.load(policy), db.connections());
    }

    String veilUrl() {
        return ShopSchema.veilUrl(db, policy);
    }

    /** Every row must decrypt (through Veil) to {@code expected(id)}; the raw table must hold only ciphertext. */
    void assertAllEncrypted(java.util.function.LongFunction<String[]> expected, int rows) throws Exception {
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*) FROM people WHERE email NOT LIKE 'vl1:%' OR ssn NOT LIKE 'vl1:%'")) {
            rs.next();
            assertEquals(0, rs.getLong(1), "rows still holding plaintext");
        }
        int seen = 0;
        try (Connection c = DriverManager.getConnection(veilUrl()); ResultSet rs = c.createStatement().executeQuery("SELECT id, email, ssn FROM people")) {
            while (rs.next()) {
                seen++;
                String[] want = expected.apply(rs.getLong(1));
                assertEquals(want[0], rs.getString(2), "email of " + rs.getLong(1));
                assertEquals(want[1], rs.getString(3), "ssn of " + rs.getLong(1));
            }
        }
        assertEquals(rows, seen);
    }

    @Test
    void migratesWhileFourThreadsKeepWritingAndLosesNoWrite() throws Exception {
        int rows = 200_000;
        people(rows);
        Map<Long, String[]> lastWritten = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            results.add(writers.submit(() -> {
                Random random = new Random(writer);
                int writes = 0;
                try (Connection c = DriverManager.getConnection(veilUrl());
                     PreparedStatement ps = c.prepareStatement("UPDATE people SET email = ?, ssn = ? WHERE id = ?")) {
                    while (!stop.get()) {
                        long id = 1 + random.nextInt(rows / 4) * 4L + writer; // each writer owns its own rows
                        String email = "w" + writer + "-" + writes + "@example.org";
                        String ssn = "s" + writer + "-" + writes;
                        ps.setString(1, email);
                        ps.setString(2, ssn);
                        ps.setLong(3, id);
                        ps.executeUpdate();
                        lastWritten.put(id, new String[] {email, ssn});
                        writes++;
                    }
                }
                return writes;
            }));
        }
        JobResult result;
        try (Veil veil = veil()) {
            Thread.sleep(300);
            result = new TableJob(veil, db.connections(), "people", JobKind.MIGRATE,
                    JobOptions.defaults().withWorkers(2).withBatchSize(500), ProgressListener.NONE).run();
        } finally {
            Thread.sleep(300);
            stop.set(true);
            writers.shutdown();
            assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));
        }
        int writes = 0;
        for (Future<Integer> f : results) {
            writes += f.get();
        }
        assertTrue(result.finished());
        assertTrue(writes > 100, "the writers really ran concurrently: " + writes);
        assertAllEncrypted(id -> lastWritten.getOrDefault(id, new String[] {"user" + id + "@example.com", "ssn-" + id}), rows);
        System.out.printf("migrated %d rows in %s with %d concurrent writes, %d conflicts re-read%n", rows, result.elapsed(), writes, result.conflicts());
    }

    @Test
    void resumesAfterBeingKilledFiveTimesAndEncryptsNothingTwice() throws Exception {
        int rows = 20_000;
        people(rows);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Random random = new Random(42);
        int kills = 0;
        long encrypted = 0;
        for (int attempt = 0; attempt < 20 && kills < 5; attempt++) {
            Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), JobProcess.class.getName(),
                    policy.toString(), db.url(), "people", "MIGRATE").redirectErrorStream(true).redirectOutput(dir.resolve("job" + attempt + ".log").toFile()).start();
            // kill at a random point after this run has committed some work of its own
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && encryptedRows() <= encrypted && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(random.nextInt(400));
            if (!p.isAlive()) {
                break; // it finished before we could kill it again
            }
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            kills++;
            long now = encryptedRows();
            assertTrue(now >= encrypted, "progress is never lost: " + now + " < " + encrypted);
            encrypted = now;
        }
        assertTrue(kills >= 5, "the job was killed " + kills + " times");
        assertTrue(encrypted > 0 && encrypted < rows, "killed part-way: " + encrypted + " rows encrypted");
        try (Veil veil = veil()) {
            JobResult finish = new TableJob(veil, db.connections(), "people", JobKind.MIGRATE,
                    JobOptions.defaults().withBatchSize(200).withChunkSize(4000).withLease(Duration.ofSeconds(1)), ProgressListener.NONE).run();
            assertTrue(finish.finished());
            JobResult again = new TableJob(veil, db.connections(), "people", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
            assertTrue(again.alreadyFinished(), "a finished job says so");
        }
        // decrypting once gives the plaintext: nothing was encrypted twice
        assertAllEncrypted(id -> new String[] {"user" + id + "@example.com", "ssn-" + id}, rows);
    }

    /**
     * A batch the database refuses (here a CHECK constraint) fails the job: that batch and its
     * checkpoint roll back together, the batches before it stay committed, the batch already read
     * ahead is not written, and the next run continues from the last checkpoint at once (the failed
     * run hands its chunk back rather than holding it until its lease runs out).
     */
    @Test
    void aRefusedBatchStopsTheJobAtItsCheckpointAndTheNextRunFinishes() throws Exception {
        people(3000);
        db.execute("ALTER TABLE people ADD CONSTRAINT refuse_late_rows CHECK (id <= 1500 OR email NOT LIKE 'vl1:%')");
        try (Veil veil = veil()) {
            JobOptions options = JobOptions.defaults().withWorkers(1).withBatchSize(250).withLease(Duration.ofMinutes(10));
            SQLException e = assertThrows(SQLException.class,
                    () -> new TableJob(veil, db.connections(), "people", JobKind.MIGRATE, options, ProgressListener.NONE).run());
            assertEquals("VE013", e.getSQLState(), e.getMessage());
            assertEquals("23514", ((SQLException) e.getCause()).getSQLState(), "the database's refusal is the cause");
            assertEquals(1500, encryptedRows(), "batches 1-6 committed; the 7th rolled back; the 8th, read ahead, never written");
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                    "SELECT count(*) FROM people WHERE id > 1500 AND email NOT LIKE 'vl1:%' AND ssn NOT LIKE 'vl1:%'")) {
                rs.next();
                assertEquals(1500, rs.getLong(1), "no row of the refused batch was half written");
            }
            db.execute("ALTER TABLE people DROP CONSTRAINT refuse_late_rows");
            JobResult rest = new TableJob(veil, db.connections(), "people", JobKind.MIGRATE, options, ProgressListener.NONE).run();
            assertTrue(rest.finished());
            assertEquals(1500, rest.rowsChanged(), "the second run starts at the checkpoint");
            assertTrue(rest.elapsed().compareTo(Duration.ofMinutes(1)) < 0, "the failed run released its chunk, so its lease was not waited out");
        }
        assertAllEncrypted(id -> new String[] {"user" + id + "@example.com", "ssn-" + id}, 3000);
    }

    long encryptedRows() throws Exception {
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*) FROM people WHERE email LIKE 'vl1:%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void rekeyAfterRotationLeavesNothingOnTheOldKey() throws Exception {
        people(3000);
        try (Veil veil = veil()) {
            new TableJob(veil, db.connections(), "people", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
            int oldDefault = veil.keys().activeKey("default", false).id();
            int oldNational = veil.keys().activeKey("national-id", false).id();
            veil.keys().rotate("default");
            veil.keys().rotate("national-id");
            VerifyReport before = new Verifier(veil, db.connections()).verify("people", ProgressListener.NONE);
            assertEquals(Map.of(oldDefault, 3000L, oldNational, 3000L), before.valuesPerKey());

            JobResult rekey = new TableJob(veil, db.connections(), "people", JobKind.REKEY, JobOptions.defaults().withWorkers(2), ProgressListener.NONE).run();
            assertTrue(rekey.finished());
            assertEquals(3000, rekey.rowsChanged());
            VerifyReport after = new Verifier(veil, db.connections()).verify("people", ProgressListener.NONE);
            assertEquals(Map.of(veil.keys().activeKey("default", false).id(), 3000L, veil.keys().activeKey("national-id", false).id(), 3000L),
                    after.valuesPerKey());
            assertTrue(after.ok());

            // a second rotation makes rekey a new job, not an already finished one
            veil.keys().rotate("national-id");
            JobResult second = new TableJob(veil, db.connections(), "people", JobKind.REKEY, JobOptions.defaults(), ProgressListener.NONE).run();
            assertFalse(second.alreadyFinished());
            assertEquals(3000, second.rowsChanged(), "only the ssn column's ring rotated, but every row has an ssn");
            assertEquals(2, new Verifier(veil, db.connections()).verify("people", ProgressListener.NONE).valuesPerKey().size());
        }
        assertAllEncrypted(id -> new String[] {"user" + id + "@example.com", "ssn-" + id}, 3000);
    }

    /**
     * Two application transactions hold rows the job has already read: one changes only a column
     * the job does not touch, one writes a new e-mail through Veil. The job's batch update waits on
     * their locks; once they commit, neither row is written from what the job read (the row's
     * version changed), both are re-read and finished from what they hold now, and nothing the
     * application wrote is lost.
     */
    @Test
    void writesCommittedWhileTheJobWaitsOnTheirLocksWin() throws Exception {
        people(1000);
        try (Connection plain = db.connect(); Connection app = DriverManager.getConnection(veilUrl()); Veil veil = veil()) {
            plain.setAutoCommit(false);
            app.setAutoCommit(false);
            plain.createStatement().executeUpdate("UPDATE people SET note = 'edited' WHERE id = 500");
            try (PreparedStatement ps = app.prepareStatement("UPDATE people SET email = ? WHERE id = 600")) {
                ps.setString(1, "changed@example.org");
                ps.executeUpdate();
            }
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                Future<JobResult> job = runner.submit(() -> new TableJob(veil, db.connections(), "people", JobKind.MIGRATE,
                        JobOptions.defaults().withWorkers(1).withBatchSize(1000), ProgressListener.NONE).run());
                LockWaits.await(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE %people%'", job);
                plain.commit();
                app.commit();
                JobResult result = job.get(60, TimeUnit.SECONDS);
                assertTrue(result.finished());
                assertEquals(1000, result.rowsChanged());
                assertTrue(result.conflicts() >= 2, "both rows were re-read: " + result.conflicts());
            } finally {
                runner.shutdownNow();
            }
        }
        assertAllEncrypted(id -> new String[] {id == 600 ? "changed@example.org" : "user" + id + "@example.com", "ssn-" + id}, 1000);
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT note FROM people WHERE id = 500")) {
            assertTrue(rs.next());
            assertEquals("edited", rs.getString(1));
        }
    }

    /** Binary storage (bytea) goes through the same bulk compare-and-set, its arrays bound as byte[][]. */
    @Test
    void migratesAndRekeysBinaryStoredColumns() throws Exception {
        db.execute("CREATE TABLE blobs (id BIGINT PRIMARY KEY, doc BYTEA)",
                "INSERT INTO blobs SELECT g, convert_to('doc-' || g, 'UTF8') FROM generate_series(1, 2500) g");
        try (Veil veil = veil()) {
            JobResult migrate = new TableJob(veil, db.connections(), "blobs", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
            assertEquals(2500, migrate.rowsChanged());
            int old = veil.keys().activeKey("default", false).id();
            veil.keys().rotate("default");
            JobResult rekey = new TableJob(veil, db.connections(), "blobs", JobKind.REKEY, JobOptions.defaults(), ProgressListener.NONE).run();
            assertEquals(2500, rekey.rowsChanged());
            VerifyReport after = new Verifier(veil, db.connections()).verify("blobs", ProgressListener.NONE);
            assertEquals(Map.of(veil.keys().activeKey("default", false).id(), 2500L), after.valuesPerKey());
            assertNotEquals(old, veil.keys().activeKey("default", false).id());
        }
        int seen = 0;
        try (Connection c = DriverManager.getConnection(veilUrl()); ResultSet rs = c.createStatement().executeQuery("SELECT id, doc FROM blobs")) {
            while (rs.next()) {
                seen++;
                assertArrayEquals(("doc-" + rs.getLong(1)).getBytes(java.nio.charset.StandardCharsets.UTF_8), rs.getBytes(2));
            }
        }
        assertEquals(2500, seen);
    }

    @Test
    void verifyNamesTheTamperedRowByPrimaryKeyOnly() throws Exception {
        people(500);
        try (Veil veil = veil()) {
            new TableJob(veil, db.connections(), "people", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT ssn FROM people WHERE id = 217")) {
                rs.next();
                String ssn = rs.getString(1);
                char last = ssn.charAt(ssn.length() - 6);
                String tampered = ssn.substring(0, ssn.length() - 6) + (last == 'A' ? 'B' : 'A') + ssn.substring(ssn.length() - 5);
                try (PreparedStatement ps = raw.prepareStatement("UPDATE people SET ssn = ? WHERE id = 217")) {
                    ps.setString(1, tampered);
                    ps.executeUpdate();
                }
            }
            db.execute("UPDATE people SET email = (SELECT email FROM people WHERE id = 1) WHERE id = 300");
            VerifyReport report = new Verifier(veil, db.connections()).verify("people", ProgressListener.NONE);
            assertEquals(500, report.rows());
            assertEquals(1, report.failureCount(), "a copied deterministic value under the same column is still authentic: " + report.failures());
            assertEquals(new VerifyReport.Failure("217", "ssn", VeilState.DECRYPTION_FAILED), report.failures().get(0));
            assertFalse(report.toString().contains("ssn-217"));
        }
    }

    @Test
    void tablesWithoutAPrimaryKeyAreRefused() throws Exception {
        db.execute("CREATE TABLE nokey (secret TEXT)", "INSERT INTO nokey VALUES ('x')");
        try (Veil veil = veil()) {
            VeilException e = org.junit.jupiter.api.Assertions.assertThrows(VeilException.class,
                    () -> new TableJob(veil, db.connections(), "nokey", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run());
            assertTrue(e.getMessage().contains("has no primary key"), e.getMessage());
        }
    }

    @Test
    void throttleBoundsTheRate() throws Exception {
        people(1200);
        try (Veil veil = veil()) {
            long start = System.nanoTime();
            new TableJob(veil, db.connections(), "people", JobKind.MIGRATE,
                    JobOptions.defaults().withBatchSize(100).withMaxRowsPerSecond(1000), ProgressListener.NONE).run();
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 1.0, "1200 rows at 1000 rows/s took " + seconds + " s");
        }
    }

    @SuppressWarnings("unused")
    private static boolean isCiphertext(String s) {
        return ColumnCipher.isCiphertext(s);
    }
}
