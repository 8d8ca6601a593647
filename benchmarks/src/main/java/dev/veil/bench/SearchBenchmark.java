package dev.veil.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.Veil;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;
import dev.veil.search.StoredTokens;
import dev.veil.crypto.Envelope;
import dev.veil.testkit.TestDatabase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Searches on encrypted columns against the same searches on plaintext columns with ordinary
 * indexes, in the same run (rounds alternate the order; the ratio is taken within each round and
 * reported as its median):
 * <ul>
 * <li>prefix search: {@code last_name LIKE ?} ({@code 'abc%'}) through {@code jdbc:veil:} on an
 * encrypted column with {@code search: [prefix]} vs raw pgjdbc on a text column with a
 * {@code text_pattern_ops} btree index (goal ≥ 0.8×);</li>
 * <li>date range: {@code born BETWEEN ? AND ?} (7 days) with {@code search: [range]} vs a btree
 * on a date column (goal ≥ 0.8×);</li>
 * <li>INSERT of one row with both search indexes vs the plain table with both indexes (goal ≥
 * 0.85×), measured when Veil writes companion columns.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.veil.bench.SearchBenchmark [admin-url]}
 * with {@code VEIL_BENCH_MASTER_PASSWORD} set; {@code -Dveil.bench.rows=N} (default 100000),
 * {@code -Dveil.bench.rounds=N} (default 5), {@code -Dveil.bench.seconds=S} (default 2),
 * {@code -Dveil.bench.threads=T} (default 2).
 */
public final class SearchBenchmark {
    private static final int ROUNDS = Integer.getInteger("veil.bench.rounds", 5);
    private static final double SECONDS = Double.parseDouble(System.getProperty("veil.bench.seconds", "2"));
    private static final int THREADS = Integer.getInteger("veil.bench.threads", 2);
    private static final int ROWS = Integer.getInteger("veil.bench.rows", 100_000);
    private static final LocalDate EPOCH = LocalDate.of(1950, 1, 1);
    private static final int DAYS = 25_000;

    private SearchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.setProperty("veil.it.url", args[0]);
        } else if (System.getenv("VEIL_IT_JDBC_URL") == null && System.getProperty("veil.it.url") == null) {
            System.setProperty("veil.it.url", BenchSettings.DEFAULT_URL);
        }
        Path dir = Files.createTempDirectory("veil-search-bench");
        Path keystore = dir.resolve("master.p12");
        String passwordEnv = "VEIL_BENCH_MASTER_PASSWORD";
        Pkcs12MasterKeyProvider.createKeystore(keystore, System.getenv(passwordEnv).toCharArray(), "veil-master");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore + "', password-env: " + passwordEnv
                + ", alias: veil-master }\ntables:\n  people_enc:\n"
                + "    last_name: { mode: deterministic, storage: binary, search: [prefix] }\n"
                + "    born: { mode: randomized, type: date, storage: binary, search: [range] }\n");
        try (TestDatabase db = TestDatabase.postgres()) {
            db.execute("CREATE TABLE people_enc (id BIGINT PRIMARY KEY, last_name BYTEA, born BYTEA)",
                    "CREATE TABLE people_raw (id BIGINT PRIMARY KEY, last_name TEXT, born DATE)",
                    "CREATE INDEX people_raw_last_name ON people_raw (last_name text_pattern_ops)",
                    "CREATE INDEX people_raw_born ON people_raw (born)");
            String url = "jdbc:veil:" + db.url().substring("jdbc:".length()) + (db.url().contains("?") ? "&" : "?") + "veil.policy=" + policy;
            try (Veil admin = Veil.open(PolicyLoader.load(policy), db.connections())) {
                TablePolicy table = admin.policy().tables().get(0);
                for (String ddl : CompanionColumns.ddl(table)) {
                    db.execute(ddl);
                }
                String gin = System.getProperty("veil.bench.gin");
                if (gin != null) {
                    for (String index : ginIndexes(db)) {
                        db.execute("ALTER INDEX " + index + " SET (" + gin + ")");
                    }
                }
                seed(db, admin, table);
            }
            db.execute("VACUUM ANALYZE people_enc", "VACUUM ANALYZE people_raw");
            HikariConfig veilConfig = new HikariConfig();
            veilConfig.setJdbcUrl(url);
            veilConfig.setMaximumPoolSize(THREADS);
            HikariConfig rawConfig = new HikariConfig();
            rawConfig.setJdbcUrl(db.url());
            rawConfig.setMaximumPoolSize(THREADS);
            try (HikariDataSource veil = new HikariDataSource(veilConfig); HikariDataSource raw = new HikariDataSource(rawConfig)) {
                boolean writes = companionsWritten(veil, raw);
                String prefix = "SELECT id, last_name FROM %s WHERE last_name LIKE ?";
                String range = "SELECT id, born FROM %s WHERE born BETWEEN ? AND ?";
                compare("prefix search LIKE 'abc%'", () -> prefixSearch(veil, prefix.formatted("people_enc")),
                        () -> prefixSearch(raw, prefix.formatted("people_raw")));
                compare("date range BETWEEN (7 days)", () -> rangeSearch(veil, range.formatted("people_enc")),
                        () -> rangeSearch(raw, range.formatted("people_raw")));
                if (writes) {
                    AtomicLong ids = new AtomicLong(10L * ROWS);
                    compare("INSERT one row", () -> insert(veil, "people_enc", ids), () -> insert(raw, "people_raw", ids));
                    System.err.println("GIN pending list after the inserts: " + pending(db));
                    compare("prefix search LIKE 'abc%' after the inserts", () -> prefixSearch(veil, prefix.formatted("people_enc")),
                            () -> prefixSearch(raw, prefix.formatted("people_raw")));
                    compare("date range BETWEEN (7 days) after the inserts", () -> rangeSearch(veil, range.formatted("people_enc")),
                            () -> rangeSearch(raw, range.formatted("people_raw")));
                } else {
                    System.out.println("INSERT not measured: this build does not write companion columns on INSERT");
                }
            }
        }
    }

    /** The GIN indexes of the encrypted table (the companion columns'). */
    private static List<String> ginIndexes(TestDatabase db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'people_enc' AND indexdef LIKE '% USING gin %'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Each GIN index's pending-list pages and tuples (entries not yet in the index's tree, read by every search). */
    private static String pending(TestDatabase db) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple");
            for (String index : ginIndexes(db)) {
                try (ResultSet rs = s.executeQuery("SELECT pending_pages, pending_tuples FROM pgstatginindex('" + index + "')")) {
                    rs.next();
                    sb.append(index).append(": ").append(rs.getLong(1)).append(" pages, ").append(rs.getLong(2)).append(" tuples; ");
                }
            }
        }
        return sb.toString();
    }

    @FunctionalInterface
    private interface Run {
        Measurement run() throws Exception;
    }

    /** Warms both up, then alternates them for {@link #ROUNDS} rounds and prints the per-round ratio's median. */
    private static void compare(String what, Run veil, Run raw) throws Exception {
        veil.run();
        raw.run();
        double[] v = new double[ROUNDS];
        double[] r = new double[ROUNDS];
        double[] ratio = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            Measurement a;
            Measurement b;
            if (i % 2 == 0) {
                a = veil.run();
                b = raw.run();
            } else {
                b = raw.run();
                a = veil.run();
            }
            v[i] = a.perSecond();
            r[i] = b.perSecond();
            ratio[i] = v[i] / r[i];
            System.err.printf(Locale.ROOT, "%s round %d: Veil %,.0f/s, raw %,.0f/s%n", what, i + 1, v[i], r[i]);
        }
        System.out.printf(Locale.ROOT, "| %s | %,.0f/s | %,.0f/s | %.2f× | %s |%n", what, Rounds.median(v), Rounds.median(r),
                Rounds.median(ratio), Rounds.middleHalf(ratio));
    }

    private static String name(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        sb.append((char) ('A' + random.nextInt(26)));
        int n = 4 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    /**
     * The same rows in both tables: the encrypted table's values and tokens made with the engine
     * (what Veil writes on INSERT), sent in batches through a plain connection.
     */
    private static void seed(TestDatabase db, Veil veil, TablePolicy table) throws Exception {
        ColumnPolicy lastName = table.columns().get("last_name");
        ColumnPolicy born = table.columns().get("born");
        ColumnCipher nameCipher = veil.cipher(lastName);
        ColumnCipher bornCipher = veil.cipher(born);
        SplittableRandom random = new SplittableRandom(7);
        try (Connection c = db.connect();
             PreparedStatement enc = c.prepareStatement("INSERT INTO people_enc (id, last_name, born, last_name_veil_prefix, born_veil_range) "
                     + "VALUES (?, ?, ?, ?, ?)");
             PreparedStatement plain = c.prepareStatement("INSERT INTO people_raw (id, last_name, born) VALUES (?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int id = 1; id <= ROWS; id++) {
                String n = name(random);
                LocalDate d = EPOCH.plusDays(random.nextInt(DAYS));
                byte[] nameCt = (byte[]) nameCipher.encrypt(n);
                byte[] bornCt = (byte[]) bornCipher.encrypt(d);
                StoredTokens nt = veil.searchTokens(lastName).forStored(n, Envelope.keyId(nameCt));
                StoredTokens bt = veil.searchTokens(born).forStored(d, Envelope.keyId(bornCt));
                enc.setLong(1, id);
                enc.setBytes(2, nameCt);
                enc.setBytes(3, bornCt);
                enc.setArray(4, c.createArrayOf("bytea", (byte[][]) nt.get(SearchCapability.PREFIX)));
                enc.setArray(5, c.createArrayOf("bytea", (byte[][]) bt.get(SearchCapability.RANGE)));
                enc.addBatch();
                plain.setLong(1, id);
                plain.setString(2, n);
                plain.setObject(3, d);
                plain.addBatch();
                if (id % 1000 == 0) {
                    enc.executeBatch();
                    plain.executeBatch();
                    c.commit();
                }
            }
            enc.executeBatch();
            plain.executeBatch();
            c.commit();
        }
    }

    /** Whether an INSERT through Veil fills the companion columns (checked with one row, then removed). */
    private static boolean companionsWritten(HikariDataSource veil, HikariDataSource raw) throws Exception {
        try (Connection c = veil.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO people_enc (id, last_name, born) VALUES (?, ?, ?)")) {
            ps.setLong(1, -1);
            ps.setString(2, "Probe");
            ps.setObject(3, EPOCH);
            ps.executeUpdate();
        }
        try (Connection c = raw.getConnection()) {
            boolean written;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT last_name_veil_prefix IS NOT NULL FROM people_enc WHERE id = -1")) {
                written = rs.next() && rs.getBoolean(1);
            }
            c.createStatement().execute("DELETE FROM people_enc WHERE id = -1");
            return written;
        }
    }

    private static Measurement prefixSearch(HikariDataSource pool, String sql) throws Exception {
        return TimedRunner.run(THREADS, SECONDS, random -> {
            String p = "" + (char) ('A' + random.nextInt(26)) + (char) ('a' + random.nextInt(26)) + (char) ('a' + random.nextInt(26)) + "%";
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, p);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TimedRunner.sink += rs.getString(2).length();
                    }
                }
            }
            return 1;
        });
    }

    private static Measurement rangeSearch(HikariDataSource pool, String sql) throws Exception {
        return TimedRunner.run(THREADS, SECONDS, random -> {
            LocalDate from = EPOCH.plusDays(random.nextInt(DAYS));
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, from);
                ps.setObject(2, from.plusDays(6));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TimedRunner.sink += rs.getDate(2).getDate();
                    }
                }
            }
            return 1;
        });
    }

    private static Measurement insert(HikariDataSource pool, String table, AtomicLong ids) throws Exception {
        String sql = "INSERT INTO " + table + " (id, last_name, born) VALUES (?, ?, ?)";
        return TimedRunner.run(THREADS, SECONDS, random -> {
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, ids.incrementAndGet());
                ps.setString(2, name(random));
                ps.setObject(3, EPOCH.plusDays(random.nextInt(DAYS)));
                ps.executeUpdate();
            }
            return 1;
        });
    }
}
