package dev.veil.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.Veil;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A lookup by a deterministic, unique column ({@code SELECT … WHERE email = ?} through
 * {@code jdbc:veil:} and HikariCP) on a table whose ring has one live data-key version beside an
 * identical table whose ring has two (rotated, half the rows under each version), in the same run:
 * every round measures both back to back, and the ratio is taken within the round and reported as
 * its median over rounds ({@link Rounds#median}). Goal: two versions cost at most 10% more.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.veil.bench.LookupBenchmark [admin-url]}
 * with {@code VEIL_BENCH_MASTER_PASSWORD} set; {@code -Dveil.bench.rounds=N} (default 7),
 * {@code -Dveil.bench.seconds=S} per measurement (default 2), {@code -Dveil.bench.threads=T}
 * (default 4), {@code -Dveil.bench.rows=N} per table (default 20000).
 */
public final class LookupBenchmark {
    private static final int ROUNDS = Integer.getInteger("veil.bench.rounds", 7);
    private static final double SECONDS = Double.parseDouble(System.getProperty("veil.bench.seconds", "2"));
    private static final int THREADS = Integer.getInteger("veil.bench.threads", 4);
    private static final int ROWS = Integer.getInteger("veil.bench.rows", 20_000);

    private LookupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.setProperty("veil.it.url", args[0]);
        } else if (System.getenv("VEIL_IT_JDBC_URL") == null && System.getProperty("veil.it.url") == null) {
            System.setProperty("veil.it.url", BenchSettings.DEFAULT_URL);
        }
        Path dir = Files.createTempDirectory("veil-lookup-bench");
        Path keystore = dir.resolve("master.p12");
        String passwordEnv = "VEIL_BENCH_MASTER_PASSWORD";
        Pkcs12MasterKeyProvider.createKeystore(keystore, System.getenv(passwordEnv).toCharArray(), "veil-master");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore + "', password-env: " + passwordEnv
                + ", alias: veil-master }\n  refresh-after: 1s\ntables:\n"
                + "  one_version:\n    email: { mode: deterministic, key: one, storage: binary }\n"
                + "  two_versions:\n    email: { mode: deterministic, key: two, storage: binary }\n");
        try (TestDatabase db = TestDatabase.postgres()) {
            for (String t : new String[] {"one_version", "two_versions"}) {
                db.execute("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY, email BYTEA UNIQUE, note TEXT)");
            }
            String url = "jdbc:veil:" + db.url().substring("jdbc:".length()) + (db.url().contains("?") ? "&" : "?") + "veil.policy=" + policy;
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(THREADS);
            try (HikariDataSource pool = new HikariDataSource(config); Veil admin = Veil.open(PolicyLoader.load(policy), db.connections())) {
                insert(pool, 1, ROWS / 2);
                admin.keys().rotate("two");
                Instant writable = admin.keys().pendingUntil("two");
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), writable).toMillis() + 1200));
                insert(pool, ROWS / 2 + 1, ROWS);
                db.execute("VACUUM ANALYZE one_version", "VACUUM ANALYZE two_versions");
                try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                        "SELECT count(DISTINCT substr(email, 1, 6)) FROM two_versions")) {
                    rs.next();
                    if (rs.getInt(1) != 2) {
                        throw new IllegalStateException("two_versions should hold values under two key versions, not " + rs.getInt(1));
                    }
                }
                lookups(pool, "one_version", SECONDS); // warm-up
                lookups(pool, "two_versions", SECONDS);
                double[] one = new double[ROUNDS];
                double[] two = new double[ROUNDS];
                double[] ratio = new double[ROUNDS];
                double[] cpuOne = new double[ROUNDS];
                double[] cpuTwo = new double[ROUNDS];
                double[] cpuRatio = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    Measurement a;
                    Measurement b;
                    if (r % 2 == 0) {
                        a = lookups(pool, "one_version", SECONDS);
                        b = lookups(pool, "two_versions", SECONDS);
                    } else {
                        b = lookups(pool, "two_versions", SECONDS);
                        a = lookups(pool, "one_version", SECONDS);
                    }
                    one[r] = a.perSecond();
                    two[r] = b.perSecond();
                    ratio[r] = one[r] / two[r];
                    cpuOne[r] = a.cpuMicrosPerUnit();
                    cpuTwo[r] = b.cpuMicrosPerUnit();
                    cpuRatio[r] = cpuTwo[r] / cpuOne[r];
                    System.err.printf(Locale.ROOT, "round %d: one version %,.0f/s (%.1f µs client CPU each), two versions %,.0f/s (%.1f µs)%n",
                            r + 1, one[r], cpuOne[r], two[r], cpuTwo[r]);
                }
                System.out.printf(Locale.ROOT, "%nlookup by a deterministic unique column, %d rows per table, %d threads, %d rounds of %.1f s%n",
                        ROWS, THREADS, ROUNDS, SECONDS);
                System.out.println("| live versions | lookups/s | time per lookup vs one version (median of per-round ratios) | middle half "
                        + "| client CPU per lookup | vs one version |");
                System.out.println("|---:|---:|---:|---:|---:|---:|");
                System.out.printf(Locale.ROOT, "| 1 | %,.0f | 1.00× | — | %.1f µs | 1.00× |%n", Rounds.median(one), Rounds.median(cpuOne));
                System.out.printf(Locale.ROOT, "| 2 | %,.0f | %.3f× | %s | %.1f µs | %.3f× |%n", Rounds.median(two), Rounds.median(ratio),
                        Rounds.middleHalf(ratio), Rounds.median(cpuTwo), Rounds.median(cpuRatio));
            }
        }
    }

    private static void insert(HikariDataSource pool, int from, int to) throws Exception {
        try (Connection c = pool.getConnection()) {
            for (String t : new String[] {"one_version", "two_versions"}) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t + " (id, email, note) VALUES (?, ?, 'n')")) {
                    for (int id = from; id <= to; id++) {
                        ps.setLong(1, id);
                        ps.setString(2, email(id));
                        ps.addBatch();
                        if (id % 1000 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
            }
        }
    }

    private static String email(long id) {
        return "user" + id + "@example.com";
    }

    /** Lookups of random rows for {@code seconds}; fails on a miss. */
    private static Measurement lookups(HikariDataSource pool, String table, double seconds) throws Exception {
        String sql = "SELECT id, note FROM " + table + " WHERE email = ?";
        Measurement m = TimedRunner.run(THREADS, seconds, random -> {
            long id = 1 + random.nextInt(ROWS);
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, email(id));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) != id) {
                        throw new IllegalStateException("lookup of row " + id + " in " + table + " missed");
                    }
                    TimedRunner.sink += rs.getString(2).length();
                }
            }
            return 1;
        });
        return m;
    }
}
