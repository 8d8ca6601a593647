package dev.veil.bench;

import dev.veil.Veil;
import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.JobResult;
import dev.veil.jobs.ProgressListener;
import dev.veil.jobs.TableJob;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;

/**
 * Rekey throughput beside a raw {@code UPDATE} of the same rows, in the same run on the real
 * PostgreSQL: the job moves every encrypted value of a table (two columns) to freshly rotated keys,
 * with 1 and then 2 workers; the baseline rewrites the same two columns of an identical table with
 * one plain UPDATE. Goal: rekey ≥ 0.6× the raw UPDATE's rows/s.
 *
 * <p>Run: {@code benchmarks/run-rekey.sh [rows] [admin-url]}
 */
public final class RekeyBenchmark {
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
        Files.writeString(policy, "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore + "', password-env: " + passwordEnv
                + ", alias: veil-master }\ntables:\n  rekeyed:\n    email: deterministic\n    ssn: { mode: randomized, key: national-id }\n");
        try (TestDatabase db = TestDatabase.postgres()) {
            db.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
            for (String t : new String[] {"rekeyed", "raw_copy"}) {
                db.execute("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY, email TEXT, ssn TEXT, balance NUMERIC)",
                        "INSERT INTO " + t + " SELECT g, 'user' || g || '@example.com', 'ssn-' || g, g FROM generate_series(1, " + rows + ") g");
            }
            try (Veil veil = Veil.open(PolicyLoader.load(policy), db.connections())) {
                JobResult migrate = new TableJob(veil, db.connections(), "rekeyed", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
                // the baseline table gets the same ciphertext-sized values, so both rewrite rows of equal width
                db.execute("UPDATE raw_copy r SET email = k.email, ssn = k.ssn FROM rekeyed k WHERE k.id = r.id", "VACUUM ANALYZE raw_copy",
                        "VACUUM ANALYZE rekeyed");
                System.out.printf(Locale.ROOT, "prepared %d rows (migrate: %.0f rows/s)%n", rows, rows / seconds(migrate));
                StringBuilder table = new StringBuilder("| workers | raw UPDATE rows/s | rekey rows/s | ratio |\n|---:|---:|---:|---:|\n");
                for (int workers : new int[] {1, 2}) {
                    double raw = rawUpdate(db, rows);
                    veil.keys().rotate("default");
                    veil.keys().rotate("national-id");
                    JobResult r = new TableJob(veil, db.connections(), "rekeyed", JobKind.REKEY,
                            JobOptions.defaults().withWorkers(workers).withBatchSize(1000).withChunkSize(10_000), ProgressListener.NONE).run();
                    if (r.rowsChanged() != rows) {
                        throw new IllegalStateException("rekey changed " + r.rowsChanged() + " of " + rows + " rows");
                    }
                    double rekey = rows / seconds(r);
                    db.execute("VACUUM rekeyed");
                    table.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f× |%n", workers, raw, rekey, rekey / raw));
                }
                System.out.println();
                System.out.print(table);
            }
        }
    }

    private static double seconds(JobResult r) {
        return r.elapsed().toNanos() / 1e9;
    }

    /** One UPDATE rewriting both columns of every row (the value is re-assigned, so each row gets a new version). */
    private static double rawUpdate(TestDatabase db, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url()); Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            int n = s.executeUpdate("UPDATE raw_copy SET email = email || '', ssn = ssn || ''");
            double secs = (System.nanoTime() - t0) / 1e9;
            s.execute("VACUUM raw_copy");
            if (n != rows) {
                throw new IllegalStateException("raw update touched " + n + " rows");
            }
            return rows / secs;
        }
    }
}
