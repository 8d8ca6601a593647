package dev.veil.bench;

import dev.veil.Veil;
import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.JobResult;
import dev.veil.jobs.ProgressListener;
import dev.veil.jobs.TableJob;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.StorageFormat;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rekey throughput beside a raw {@code UPDATE} of the same rows, in the same run on the real
 * PostgreSQL: the job moves every encrypted value of a table (two columns) to freshly rotated keys,
 * with 1 and 2 workers and two batch sizes. Two baselines rewrite the same two columns of an
 * identical table through raw pgjdbc: one plain UPDATE of the whole table (one statement, one
 * transaction, every row locked until it commits), and an online rewrite in the job's own shape
 * (keyset batches of {@value #BASE_BATCH} rows read and written back with one
 * {@code UPDATE … FROM unnest(arrays)} each, a commit per batch, the same number of workers) but
 * without decryption, encryption, compare-and-set or checkpoints. Goal: rekey ≥ 0.6× the raw
 * UPDATE's rows/s.
 *
 * <p>Every round runs each measurement once, back to back, after one unmeasured rekey. Ratios are
 * taken within a round and reported as their median over rounds ({@link Rounds#median}); rows/s
 * are medians too. Throughput on a small shared machine drifts by ±15% from minute to minute, and
 * pairing cancels the drift.
 *
 * <p>Run: {@code benchmarks/run-rekey.sh [rows] [admin-url]}; {@code -Dveil.bench.rounds=N}
 * (default 5), {@code -Dveil.bench.batches=1000,5000} and {@code -Dveil.bench.storage=binary|text}
 * (default binary: BYTEA columns written through Veil, as README recommends for new columns; text:
 * TEXT columns migrated in place) through {@code VEIL_BENCH_JAVA_OPTS}.
 */
public final class RekeyBenchmark {
    private static final int ROUNDS = Integer.getInteger("veil.bench.rounds", 5);
    private static final int BASE_BATCH = 1000;
    private static final int[] BATCHES = java.util.Arrays.stream(System.getProperty("veil.bench.batches", "1000,5000").split(","))
            .map(String::trim).mapToInt(Integer::parseInt).toArray();
    private static final int[] WORKERS = {1, 2};
    /** How the encrypted columns store ciphertext: binary (BYTEA) or text (as a column migrated in place). */
    private static final StorageFormat STORAGE = BenchSettings.storage(System.getProperty("veil.bench.storage", "binary"));
    private static final String SQL_TYPE = BenchFixture.sqlType(STORAGE);
    /** The empty value of the stored type: the raw UPDATE appends it, so every row gets a new version of equal width. */
    private static final String EMPTY = STORAGE == StorageFormat.TEXT ? "''" : "''::bytea";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        if (args.length > 1) {
            System.setProperty("veil.it.url", args[1]);
        } else if (System.getenv("VEIL_IT_JDBC_URL") == null && System.getProperty("veil.it.url") == null) {
            System.setProperty("veil.it.url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        }
        Path dir = Files.createTempDirectory("veil-rekey-bench");
        Path keystore = dir.resolve("master.p12");
        String passwordEnv = "VEIL_BENCH_MASTER_PASSWORD";
        Pkcs12MasterKeyProvider.createKeystore(keystore, System.getenv(passwordEnv).toCharArray(), "veil-master");
        Path policy = dir.resolve("policy.yaml");
        // refresh-after: a rotated ring of a deterministic column is written (and rekeyed to) that long after the rotation
        Files.writeString(policy, "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore + "', password-env: " + passwordEnv
                + ", alias: veil-master }\n  refresh-after: 1s\ntables:\n  rekeyed:\n    email: { mode: deterministic, storage: " + STORAGE.policyName()
                + " }\n    ssn: { mode: randomized, key: national-id, storage: " + STORAGE.policyName() + " }\n");
        try (TestDatabase db = TestDatabase.postgres()) {
            db.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
            for (String t : new String[] {"rekeyed", "raw_copy"}) {
                db.execute("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY, email " + SQL_TYPE + ", ssn " + SQL_TYPE + ", balance NUMERIC)");
            }
            try (Veil veil = Veil.open(PolicyLoader.load(policy), db.connections())) {
                long t0 = System.nanoTime();
                encryptRows(db, veil, policy, rows);
                // the baseline table gets the same ciphertext, so both rewrite rows of equal width
                db.execute("INSERT INTO raw_copy SELECT * FROM rekeyed", "VACUUM ANALYZE raw_copy", "VACUUM ANALYZE rekeyed");
                System.out.printf(Locale.ROOT, "prepared %d rows stored as %s (%s: %.0f rows/s)%n", rows, SQL_TYPE,
                        STORAGE == StorageFormat.TEXT ? "migrate" : "insert through jdbc:veil:", rows / ((System.nanoTime() - t0) / 1e9));
                // one unmeasured rekey first, so the measured ones do not pay for class loading and JIT compilation
                rekey(veil, db, rows, 1, BASE_BATCH);
                double[] raw = new double[ROUNDS];
                double[][] batched = new double[WORKERS.length][ROUNDS];
                double[][][] rekey = new double[BATCHES.length][WORKERS.length][ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
                    raw[round] = rawUpdate(db, rows);
                    for (int w = 0; w < WORKERS.length; w++) {
                        batched[w][round] = rawBatchedRewrite(db, rows, WORKERS[w]);
                        for (int b = 0; b < BATCHES.length; b++) {
                            rekey[b][w][round] = rekey(veil, db, rows, WORKERS[w], BATCHES[b]);
                        }
                    }
                    System.err.printf(Locale.ROOT, "round %d: raw UPDATE %,.0f rows/s%n", round + 1, raw[round]);
                }
                StringBuilder table = new StringBuilder("| batch | workers | raw UPDATE rows/s | raw batched rewrite rows/s | rekey rows/s "
                        + "| rekey / raw UPDATE | middle half of rounds | rekey / raw batched rewrite |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (int b = 0; b < BATCHES.length; b++) {
                    for (int w = 0; w < WORKERS.length; w++) {
                        double[] toRaw = divide(rekey[b][w], raw);
                        table.append(String.format(Locale.ROOT, "| %,d | %d | %,.0f | %,.0f | %,.0f | %.2f× | %s | %.2f× |%n",
                                BATCHES[b], WORKERS[w], Rounds.median(raw), Rounds.median(batched[w]), Rounds.median(rekey[b][w]),
                                Rounds.median(toRaw), Rounds.middleHalf(toRaw), Rounds.median(divide(rekey[b][w], batched[w]))));
                    }
                }
                System.out.println();
                System.out.printf(Locale.ROOT, "%d rows stored as %s, %d rounds; the raw batched rewrite uses %,d-row batches%n", rows, SQL_TYPE,
                        ROUNDS, BASE_BATCH);
                System.out.print(table);
            }
        }
    }

    /** Element-wise {@code a[i] / b[i]}: the ratio within each round. */
    private static double[] divide(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }

    /** Rotates both rings and moves every row to the new keys; returns rows/s. */
    private static double rekey(Veil veil, TestDatabase db, int rows, int workers, int batch) throws Exception {
        veil.keys().rotate("default");
        veil.keys().rotate("national-id");
        // the new deterministic version is written once every process can have seen it; not part of the measurement
        java.time.Instant writable = veil.keys().pendingUntil("default");
        if (writable != null) {
            Thread.sleep(Math.max(0, java.time.Duration.between(java.time.Instant.now(), writable).toMillis() + 1));
        }
        checkpoint(db);
        JobResult r = new TableJob(veil, db.connections(), "rekeyed", JobKind.REKEY,
                JobOptions.defaults().withWorkers(workers).withBatchSize(batch).withChunkSize(Math.max(10_000, 10 * batch)), ProgressListener.NONE).run();
        if (r.rowsChanged() != rows) {
            throw new IllegalStateException("rekey changed " + r.rowsChanged() + " of " + rows + " rows");
        }
        db.execute("VACUUM rekeyed");
        return rows / seconds(r);
    }

    /**
     * Writes out the previous measurement's dirty pages first, so no measurement pays for the one
     * before it and each starts with the same full-page-image cost.
     */
    private static void checkpoint(TestDatabase db) throws SQLException {
        db.execute("CHECKPOINT");
    }

    private static double seconds(JobResult r) {
        return r.elapsed().toNanos() / 1e9;
    }

    /**
     * The online rewrite without Veil: workers take 10,000-row key ranges, read 1,000 rows at a time
     * by keyset and write the same values back in one array-bound UPDATE per batch, committing each.
     */
    private static double rawBatchedRewrite(TestDatabase db, int rows, int workers) throws Exception {
        int batch = BASE_BATCH;
        int chunk = 10 * batch;
        AtomicInteger next = new AtomicInteger();
        AtomicLong written = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        checkpoint(db);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            done.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(db.url());
                     PreparedStatement read = c.prepareStatement("SELECT id, email, ssn FROM raw_copy WHERE id > ? AND id <= ? ORDER BY id FETCH FIRST "
                             + batch + " ROWS ONLY");
                     PreparedStatement write = c.prepareStatement("UPDATE raw_copy AS t SET email = v.e, ssn = v.s "
                             + "FROM unnest(CAST(? AS bigint[]), CAST(? AS " + SQL_TYPE + "[]), CAST(? AS " + SQL_TYPE + "[])) AS v(id, e, s) "
                             + "WHERE t.id = v.id AND t.id >= ? AND t.id <= ?")) {
                    c.setAutoCommit(false);
                    for (int k = next.getAndIncrement(); (long) k * chunk < rows; k = next.getAndIncrement()) {
                        long after = (long) k * chunk;
                        long upTo = after + chunk;
                        while (true) {
                            read.setLong(1, after);
                            read.setLong(2, upTo);
                            List<Object> ids = new ArrayList<>();
                            List<Object> emails = new ArrayList<>();
                            List<Object> ssns = new ArrayList<>();
                            try (ResultSet rs = read.executeQuery()) {
                                while (rs.next()) {
                                    ids.add(rs.getLong(1));
                                    emails.add(stored(rs, 2));
                                    ssns.add(stored(rs, 3));
                                }
                            }
                            if (ids.isEmpty()) {
                                break;
                            }
                            write.setArray(1, c.createArrayOf("bigint", ids.toArray()));
                            // as the job does: Java arrays, which pgjdbc sends in binary
                            write.setObject(2, asArray(emails));
                            write.setObject(3, asArray(ssns));
                            write.setLong(4, (Long) ids.get(0));
                            write.setLong(5, (Long) ids.get(ids.size() - 1));
                            written.addAndGet(write.executeUpdate());
                            c.commit();
                            after = (Long) ids.get(ids.size() - 1);
                            if (ids.size() < batch) {
                                break;
                            }
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (written.get() != rows) {
            throw new IllegalStateException("raw batched rewrite touched " + written.get() + " rows");
        }
        db.execute("VACUUM raw_copy");
        return rows / secs;
    }

    /**
     * Fills {@code rekeyed} with encrypted rows: text storage as a column migrated in place
     * (plaintext inserted, then the migrate job), binary storage as an application writing through
     * {@code jdbc:veil:} in batches.
     */
    private static void encryptRows(TestDatabase db, Veil veil, Path policy, int rows) throws Exception {
        if (STORAGE == StorageFormat.TEXT) {
            db.execute("INSERT INTO rekeyed SELECT g, 'user' || g || '@example.com', 'ssn-' || g, g FROM generate_series(1, " + rows + ") g");
            new TableJob(veil, db.connections(), "rekeyed", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
            return;
        }
        try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
             PreparedStatement ps = c.prepareStatement("INSERT INTO rekeyed (id, email, ssn, balance) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int id = 1; id <= rows; id++) {
                ps.setLong(1, id);
                ps.setString(2, "user" + id + "@example.com");
                ps.setString(3, "ssn-" + id);
                ps.setLong(4, id);
                ps.addBatch();
                if (id % BASE_BATCH == 0 || id == rows) {
                    ps.executeBatch();
                    c.commit();
                }
            }
        }
    }

    /** A stored value as the job reads it: text, or the bytes of a BYTEA column. */
    private static Object stored(ResultSet rs, int column) throws SQLException {
        return STORAGE == StorageFormat.TEXT ? rs.getString(column) : rs.getBytes(column);
    }

    /** Values as a Java array, which pgjdbc sends in binary (as the job binds them). */
    private static Object asArray(List<Object> values) {
        return STORAGE == StorageFormat.TEXT ? values.toArray(new String[0]) : values.toArray(new byte[0][]);
    }


    /** One UPDATE rewriting both columns of every row (the value is re-assigned, so each row gets a new version). */
    private static double rawUpdate(TestDatabase db, int rows) throws Exception {
        checkpoint(db);
        try (Connection c = DriverManager.getConnection(db.url()); Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            int n = s.executeUpdate("UPDATE raw_copy SET email = email || " + EMPTY + ", ssn = ssn || " + EMPTY);
            double secs = (System.nanoTime() - t0) / 1e9;
            s.execute("VACUUM raw_copy");
            if (n != rows) {
                throw new IllegalStateException("raw update touched " + n + " rows");
            }
            return rows / secs;
        }
    }
}
