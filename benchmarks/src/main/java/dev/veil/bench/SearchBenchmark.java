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
import java.sql.SQLException;
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
 * 0.85×), measured when Veil writes companion columns;</li>
 * <li>both searches again after the inserts, without a VACUUM in between (the server's autovacuum is off for both tables): the state of a table
 * that is written as well as searched, where a GIN index's pending list holds recent entries.</li>
 * </ul>
 * Each is measured a third way, HAND: an application doing the same by hand with the primitives
 * Veil uses (its own tokens and ciphers over raw pgjdbc), the floor for any encrypted search.
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
                // the guard an operator adds (docs/search.md): the database checks every INSERT for its tokens
                db.execute(CompanionColumns.guardDdl(table).toArray(new String[0]));
                db.execute(CompanionColumns.validateDdl(table).toArray(new String[0]));
            }
            db.execute("VACUUM ANALYZE people_enc", "VACUUM ANALYZE people_raw");
            // no vacuum the server starts on one table (and that empties its GIN pending lists) runs during another's rounds
            db.execute("ALTER TABLE people_enc SET (autovacuum_enabled = off)", "ALTER TABLE people_raw SET (autovacuum_enabled = off)");
            HikariConfig veilConfig = new HikariConfig();
            veilConfig.setJdbcUrl(url);
            veilConfig.setMaximumPoolSize(THREADS);
            HikariConfig rawConfig = new HikariConfig();
            rawConfig.setJdbcUrl(db.url());
            rawConfig.setMaximumPoolSize(THREADS);
            try (HikariDataSource veil = new HikariDataSource(veilConfig); HikariDataSource raw = new HikariDataSource(rawConfig);
                 Veil engine = Veil.open(PolicyLoader.load(policy), db.connections())) {
                Hand hand = new Hand(raw, engine, engine.policy().tables().get(0));
                if (Boolean.getBoolean("veil.bench.explain")) {
                    hand.explain();
                }
                boolean writes = companionsWritten(veil, raw);
                String prefix = "SELECT id, last_name FROM %s WHERE last_name LIKE ?";
                String range = "SELECT id, born FROM %s WHERE born BETWEEN ? AND ?";
                Run veilPrefix = () -> prefixSearch(veil, prefix.formatted("people_enc"));
                Run rawPrefix = () -> prefixSearch(raw, prefix.formatted("people_raw"));
                Run veilRange = () -> rangeSearch(veil, range.formatted("people_enc"));
                Run rawRange = () -> rangeSearch(raw, range.formatted("people_raw"));
                compare("prefix search LIKE 'abc%'", veilPrefix, hand::prefixSearch, rawPrefix);
                compare("date range BETWEEN (7 days)", veilRange, hand::rangeSearch, rawRange);
                if (writes) {
                    AtomicLong ids = new AtomicLong(10L * ROWS);
                    compare("INSERT one row", () -> insert(veil, "people_enc", ids), () -> hand.insert(ids), () -> insert(raw, "people_raw", ids));
                    System.err.println("GIN pending list after the inserts: " + pending(db));
                    compare("prefix search LIKE 'abc%' after the inserts", veilPrefix, hand::prefixSearch, rawPrefix);
                    compare("date range BETWEEN (7 days) after the inserts", veilRange, hand::rangeSearch, rawRange);
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

    /**
     * Warms the three up, then runs them for {@link #ROUNDS} rounds (the order rotating each round)
     * and prints each one's median and the medians of the per-round ratios VEIL/RAW and HAND/RAW.
     */
    private static void compare(String what, Run veil, Run hand, Run raw) throws Exception {
        Run[] runs = {veil, hand, raw};
        for (Run r : runs) {
            r.run();
        }
        double[][] perSecond = new double[3][ROUNDS];
        double[] veilRatio = new double[ROUNDS];
        double[] handRatio = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            for (int j = 0; j < 3; j++) {
                int m = (i + j) % 3;
                perSecond[m][i] = runs[m].run().perSecond();
            }
            veilRatio[i] = perSecond[0][i] / perSecond[2][i];
            handRatio[i] = perSecond[1][i] / perSecond[2][i];
            System.err.printf(Locale.ROOT, "%s round %d: Veil %,.0f/s, hand %,.0f/s, raw %,.0f/s%n", what, i + 1,
                    perSecond[0][i], perSecond[1][i], perSecond[2][i]);
        }
        System.out.printf(Locale.ROOT, "| %s | %,.0f/s | %,.0f/s | %,.0f/s | %.2f× | %s | %.2f× |%n", what, Rounds.median(perSecond[0]),
                Rounds.median(perSecond[1]), Rounds.median(perSecond[2]), Rounds.median(veilRatio), Rounds.middleHalf(veilRatio),
                Rounds.median(handRatio));
    }

    /**
     * The floor: an application searching by hand with the primitives Veil uses. Over raw pgjdbc
     * it computes the query's tokens itself ({@link dev.veil.search.SearchTokens}, HMAC-SHA256
     * under the column's derived key), sends the condition on the companion column that Veil
     * sends, and decrypts what it reads with the column's {@link ColumnCipher}; it writes a row
     * with its envelopes and tokens.
     */
    private static final class Hand {
        private final HikariDataSource pool;
        private final dev.veil.search.SearchTokens nameTokens;
        private final dev.veil.search.SearchTokens bornTokens;
        private final ColumnCipher nameCipher;
        private final ColumnCipher bornCipher;

        Hand(HikariDataSource pool, Veil engine, TablePolicy table) {
            this.pool = pool;
            ColumnPolicy lastName = table.columns().get("last_name");
            ColumnPolicy born = table.columns().get("born");
            this.nameTokens = engine.searchTokens(lastName);
            this.bornTokens = engine.searchTokens(born);
            this.nameCipher = engine.cipher(lastName);
            this.bornCipher = engine.cipher(born);
        }

        Measurement prefixSearch() throws Exception {
            return TimedRunner.run(THREADS, SECONDS, random -> {
                String p = "" + (char) ('A' + random.nextInt(26)) + (char) ('a' + random.nextInt(26)) + (char) ('a' + random.nextInt(26));
                try (Connection c = pool.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT id, last_name FROM people_enc WHERE last_name_veil_prefix && ?::bytea[]")) {
                    ps.setArray(1, c.createArrayOf("bytea", tokens(nameTokens.prefixQuery(p))));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            TimedRunner.sink += ((String) nameCipher.decrypt(rs.getBytes(2))).length();
                        }
                    }
                }
                return 1;
            });
        }

        Measurement rangeSearch() throws Exception {
            return TimedRunner.run(THREADS, SECONDS, random -> {
                LocalDate from = EPOCH.plusDays(random.nextInt(DAYS));
                try (Connection c = pool.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT id, born FROM people_enc WHERE born_veil_range && ?::bytea[]")) {
                    ps.setArray(1, c.createArrayOf("bytea", tokens(bornTokens.rangeQuery(from, true, from.plusDays(6), true))));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            // as java.sql.Date, the type RAW and VEIL read with getDate: an application reading dates through JDBC pays that conversion
                            TimedRunner.sink += java.sql.Date.valueOf((LocalDate) bornCipher.decrypt(rs.getBytes(2))).getDate();
                        }
                    }
                }
                return 1;
            });
        }

        Measurement insert(AtomicLong ids) throws Exception {
            return TimedRunner.run(THREADS, SECONDS, random -> {
                String n = name(random);
                LocalDate d = EPOCH.plusDays(random.nextInt(DAYS));
                try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO people_enc (id, last_name, born, last_name_veil_prefix, born_veil_range) VALUES (?, ?, ?, ?, ?)")) {
                    byte[] nameCt = (byte[]) nameCipher.encrypt(n);
                    byte[] bornCt = (byte[]) bornCipher.encrypt(d);
                    ps.setLong(1, ids.incrementAndGet());
                    ps.setBytes(2, nameCt);
                    ps.setBytes(3, bornCt);
                    ps.setArray(4, c.createArrayOf("bytea", (byte[][]) nameTokens.forStored(n, Envelope.keyId(nameCt)).get(SearchCapability.PREFIX)));
                    ps.setArray(5, c.createArrayOf("bytea", (byte[][]) bornTokens.forStored(d, Envelope.keyId(bornCt)).get(SearchCapability.RANGE)));
                    ps.executeUpdate();
                }
                return 1;
            });
        }

        /**
         * Prints {@code EXPLAIN (ANALYZE, BUFFERS)} of the plaintext range and of the token condition
         * (what Veil sends) for a few 7-day ranges, each run twice so the second shows a warm cache.
         */
        void explain() throws Exception {
            try (Connection c = pool.getConnection()) {
                for (int day : new int[] {1_000, 9_000, 17_000}) {
                    LocalDate from = EPOCH.plusDays(day);
                    for (int run = 0; run < 2; run++) {
                        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) SELECT id, born FROM people_raw WHERE born BETWEEN ? AND ?")) {
                            ps.setObject(1, from);
                            ps.setObject(2, from.plusDays(6));
                            print("raw " + from, ps);
                        }
                        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) SELECT id, born FROM people_enc WHERE born_veil_range && ?::bytea[]")) {
                            byte[][] t = tokens(bornTokens.rangeQuery(from, true, from.plusDays(6), true));
                            ps.setArray(1, c.createArrayOf("bytea", t));
                            print("tokens (" + t.length + ") " + from, ps);
                        }
                    }
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT relname, pg_relation_size(oid) / 8192, "
                        + "pg_total_relation_size(oid) / 8192 FROM pg_class WHERE relname LIKE 'people_%' ORDER BY 1")) {
                    while (rs.next()) {
                        System.err.println("pages " + rs.getString(1) + ": " + rs.getLong(2) + " (with TOAST and indexes " + rs.getLong(3) + ")");
                    }
                }
            }
        }

        private static void print(String what, PreparedStatement ps) throws SQLException {
            StringBuilder sb = new StringBuilder("EXPLAIN ").append(what).append('\n');
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append("  ").append(rs.getString(1)).append('\n');
                }
            }
            System.err.print(sb);
        }

        private static byte[][] tokens(List<dev.veil.search.VersionTokens> perVersion) {
            List<byte[]> all = new ArrayList<>();
            perVersion.forEach(v -> all.addAll(v.tokens()));
            return all.toArray(new byte[0][]);
        }
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
