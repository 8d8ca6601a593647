package dev.veil.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.veil.Veil;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.StorageFormat;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The TPC-C-shaped workload's world: three databases with the same tables (plaintext columns for
 * RAW, widened or {@code bytea} encrypted columns for HAND and VEIL), a fresh keystore and policy
 * in a temporary directory, one HikariCP pool per mode (auto-commit off, one connection per
 * terminal; HAND's and RAW's over pgjdbc), and the engine whose ciphers HAND's application
 * encrypts with (over the same policy, its data keys in HAND's database).
 */
final class TpccFixture implements AutoCloseable {
    private static final String ALIAS = "veil-master";

    private final Map<Mode, TestDatabase> databases = new EnumMap<>(Mode.class);
    private final Map<Mode, HikariDataSource> pools = new EnumMap<>(Mode.class);
    private final Path dir;
    private final StorageFormat storage;
    private final boolean keep;
    private final boolean autovacuum;
    private Veil handEngine;
    private TpccCiphers handCiphers;

    private TpccFixture(Path dir, StorageFormat storage, boolean autovacuum, boolean keep) {
        this.dir = dir;
        this.storage = storage;
        this.autovacuum = autovacuum;
        this.keep = keep;
    }

    /**
     * Creates the databases, pools and HAND's ciphers.
     *
     * @param passwordEnv the environment variable holding the keystore password (the policy names it)
     * @param autovacuum whether the server's autovacuum may vacuum the workload's tables; without it
     *                   {@link #beforeRun} vacuums a mode's database before each of its runs
     */
    static TpccFixture create(String adminUrl, String passwordEnv, StorageFormat storage, int terminals, boolean durableCommit, boolean autovacuum,
                              boolean keep) throws Exception {
        String password = System.getenv(passwordEnv);
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(passwordEnv + " is not set; run benchmarks/run-tpcc.sh, which sets a benchmark-only password");
        }
        System.setProperty("veil.it.url", adminUrl);
        TpccFixture f = new TpccFixture(Files.createTempDirectory("veil-tpcc-"), storage, autovacuum, keep);
        try {
            f.open(password.toCharArray(), passwordEnv, terminals, durableCommit);
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    private void open(char[] password, String passwordEnv, int terminals, boolean durableCommit) throws Exception {
        for (Mode m : Mode.values()) {
            TestDatabase db = TestDatabase.postgres();
            databases.put(m, db);
            if (!db.isPostgres()) {
                throw new IllegalArgumentException("the TPC-C-shaped workload runs on PostgreSQL");
            }
            if (!durableCommit) {
                db.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
            }
            db.execute(TpccSchema.ddl(m == Mode.RAW ? null : storage).toArray(String[]::new));
            if (!autovacuum) {
                // per table: the shared server's configuration stays as it is
                db.execute("DO $$ DECLARE t regclass; BEGIN FOR t IN SELECT oid FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                        + " LOOP EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)', t); END LOOP; END $$");
            }
        }
        Path keystore = dir.resolve("master.p12");
        Pkcs12MasterKeyProvider.createKeystore(keystore, password, ALIAS);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore.toString().replace("'", "''")
                + "', password-env: " + passwordEnv + ", alias: " + ALIAS + " }\n" + TpccSchema.policyTables(storage));
        handEngine = Veil.open(PolicyLoader.load(policy), databases.get(Mode.HAND).connections());
        handCiphers = TpccCiphers.of(handEngine);
        pools.put(Mode.RAW, BenchFixture.pool("tpcc-raw", databases.get(Mode.RAW).url(), null, terminals, false));
        pools.put(Mode.HAND, BenchFixture.pool("tpcc-hand", databases.get(Mode.HAND).url(), null, terminals, false));
        pools.put(Mode.VEIL, BenchFixture.pool("tpcc-veil", ShopSchema.veilUrl(databases.get(Mode.VEIL), policy), "dev.veil.jdbc.VeilDriver",
                terminals, false));
    }

    HikariDataSource pool(Mode m) {
        return pools.get(m);
    }

    /** The ciphers a mode's application encrypts with itself: HAND's, else {@link TpccCiphers#NONE}. */
    TpccCiphers ciphers(Mode m) {
        return m == Mode.HAND ? handCiphers : TpccCiphers.NONE;
    }

    /** Vacuums and analyzes every database after loading. */
    void vacuum() throws SQLException {
        for (TestDatabase db : databases.values()) {
            db.execute("VACUUM ANALYZE");
        }
    }

    /**
     * Before a mode's run (its warm-up and measured round): without autovacuum on the workload's
     * tables, vacuums and analyzes that mode's database, so that every run starts from tables
     * vacuumed after the previous run's writes and no vacuum of one mode's tables, started by the
     * server at a moment of its choosing, competes with another mode's measured round.
     */
    void beforeRun(Mode m) throws SQLException {
        if (!autovacuum) {
            databases.get(m).execute("VACUUM ANALYZE");
        }
    }

    /** Writes dirty pages out before a measured run (see {@link BenchFixture#checkpoint()}). */
    void checkpoint() throws SQLException {
        databases.get(Mode.RAW).execute("CHECKPOINT");
    }

    /**
     * The guard against measuring a pass-through: read through plain pgjdbc, every value of every
     * encrypted column in HAND's and VEIL's databases is an envelope and none in RAW's is; and the
     * last names HAND's application decrypts and those read through Veil equal RAW's (all loaded
     * from one seed).
     *
     * @return one line per check
     */
    String verify() throws SQLException {
        StringBuilder report = new StringBuilder();
        for (Mode m : Mode.values()) {
            try (Connection c = databases.get(m).connect(); Statement s = c.createStatement()) {
                for (TpccSchema.Encrypted e : TpccSchema.ENCRYPTED) {
                    String envelope = storage == StorageFormat.BINARY && m != Mode.RAW ? "get_byte(" + e.column() + ", 0) = 247"
                            : e.column() + "::text LIKE 'vl1:%'";
                    try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE " + envelope + ") FROM " + e.table())) {
                        rs.next();
                        long rows = rs.getLong(1);
                        long sealed = rs.getLong(2);
                        boolean ok = rows > 0 && (m != Mode.RAW ? sealed == rows : sealed == 0);
                        report.append(String.format("  %-4s %s.%-10s %8d rows, %8d hold an envelope: %s%n", m, e.table(), e.column(), rows, sealed,
                                ok ? "ok" : "FAILED"));
                        if (!ok) {
                            throw new IllegalStateException(m + " " + e.table() + "." + e.column() + (m != Mode.RAW ? " holds plaintext" : " holds envelopes")
                                    + "\n" + report);
                        }
                    }
                }
            }
        }
        String sql = "SELECT c_last FROM customer WHERE c_w_id = 1 AND c_d_id = 1 AND c_id <= 50 ORDER BY c_id";
        List<String> raw = lastNames(Mode.RAW, sql);
        if (raw.isEmpty() || !raw.equals(lastNames(Mode.HAND, sql)) || !raw.equals(lastNames(Mode.VEIL, sql))) {
            throw new IllegalStateException("last names decrypted by HAND or read through Veil differ from RAW's");
        }
        report.append(String.format("  %d last names decrypted by HAND and read through Veil equal RAW's%n", raw.size()));
        return report.toString();
    }

    private List<String> lastNames(Mode m, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pools.get(m).getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(HandCrypto.get(rs, 1, ciphers(m).cLast()));
            }
            c.commit();
        }
        return out;
    }

    String serverVersion() throws SQLException {
        try (Connection c = databases.get(Mode.RAW).connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() throws Exception {
        pools.values().forEach(HikariDataSource::close);
        if (handEngine != null) {
            handEngine.close();
        }
        if (keep) {
            System.err.println("kept databases " + databases.values().stream().map(TestDatabase::name).toList() + " and the keystore in " + dir);
            return;
        }
        for (TestDatabase db : databases.values()) {
            db.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            });
        }
    }
}
