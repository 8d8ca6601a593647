package dev.veil.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.Veil;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.StorageFormat;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark's world: its own database, a fresh keystore and policy in a temporary directory,
 * the tables, one HikariCP pool per mode, and the engine the HAND mode encrypts with.
 *
 * <p>Each mode has tables of its own, so no mode reads rows another mode wrote in another form:
 * {@code raw_accounts}/{@code raw_batch} hold plaintext; {@code hand_*} and {@code veil_*} are in the
 * policy (email deterministic, ssn randomized) and hold ciphertext; {@code plain_accounts} is in no
 * policy and serves the RAW vs VEIL comparison for SQL that touches no encrypted column.
 */
final class BenchFixture implements AutoCloseable {
    /** The environment variable the launcher sets; the policy names it as the keystore password's source. */
    static final String PASSWORD_ENV = "VEIL_BENCH_MASTER_PASSWORD";
    static final String PLAIN = "plain_accounts";
    private static final String ALIAS = "veil-master";

    private final TestDatabase db;
    private final Path dir;
    private final boolean keep;
    private final Map<Mode, HikariDataSource> pools = new EnumMap<>(Mode.class);
    private final StorageFormat storage;
    private Veil handEngine;

    private BenchFixture(TestDatabase db, Path dir, StorageFormat storage, boolean keep) {
        this.db = db;
        this.dir = dir;
        this.storage = storage;
        this.keep = keep;
    }

    static BenchFixture create(BenchSettings settings) throws Exception {
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(PASSWORD_ENV + " is not set; run benchmarks/run-e2e.sh, which sets a benchmark-only password");
        }
        TestDatabase db;
        if (settings.adminUrl().startsWith("jdbc:mariadb:")) {
            System.setProperty("veil.it.mariadb.url", settings.adminUrl());
            db = TestDatabase.mariadbOrNull();
        } else {
            System.setProperty("veil.it.url", settings.adminUrl());
            db = TestDatabase.postgres();
        }
        BenchFixture f = new BenchFixture(db, Files.createTempDirectory("veil-e2e-"), settings.storage(), settings.keep());
        try {
            f.open(password.toCharArray(), settings.maxThreads(), settings.durableCommit());
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    private void open(char[] password, int poolSize, boolean durableCommit) throws Exception {
        if (!durableCommit && db.isPostgres()) {
            // (MariaDB's equivalent, innodb_flush_log_at_trx_commit, is global: the server's setting stands)
            // Before any pool opens: the setting applies to sessions started afterwards.
            db.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
        }
        Path keystore = dir.resolve("master.p12");
        Pkcs12MasterKeyProvider.createKeystore(keystore, password, ALIAS);
        StringBuilder policy = new StringBuilder("version: 1\nkeys:\n  master: { provider: pkcs12, path: '")
                .append(keystore.toString().replace("'", "''")).append("', password-env: ").append(PASSWORD_ENV)
                .append(", alias: ").append(ALIAS).append(" }\ntables:\n");
        for (Mode m : new Mode[] {Mode.HAND, Mode.VEIL}) {
            for (String t : new String[] {accountsTable(m), batchTable(m)}) {
                policy.append("  ").append(t).append(":\n")
                        .append("    email: { mode: deterministic, storage: ").append(storage.policyName()).append(" }\n")
                        .append("    ssn: { mode: randomized, storage: ").append(storage.policyName()).append(" }\n");
            }
        }
        Path policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, policy);

        for (Mode m : Mode.values()) {
            String type = m == Mode.RAW ? plainType() : columnType(storage);
            for (String t : new String[] {accountsTable(m), batchTable(m)}) {
                db.execute(AccountsClient.DDL.formatted(t, type), AccountsClient.EMAIL_INDEX.formatted(t));
            }
        }
        db.execute(AccountsClient.DDL.formatted(PLAIN, plainType()), AccountsClient.EMAIL_INDEX.formatted(PLAIN));

        handEngine = Veil.open(PolicyLoader.load(policyFile), db.connections());
        pools.put(Mode.RAW, pool("raw", db.url(), null, poolSize));
        pools.put(Mode.HAND, pool("hand", db.url(), null, poolSize));
        pools.put(Mode.VEIL, pool("veil", ShopSchema.veilUrl(db, policyFile), "dev.veil.jdbc.VeilDriver", poolSize));
    }

    /** The SQL type of an indexed column holding plaintext (MariaDB indexes no TEXT without a prefix length). */
    private String plainType() {
        return db.isPostgres() ? "TEXT" : "VARCHAR(512)";
    }

    /** The SQL type of an encrypted column holding ciphertext in this form, in this database. */
    String columnType(StorageFormat storage) {
        return db.isPostgres() ? sqlType(storage) : storage == StorageFormat.BINARY ? "VARBINARY(512)" : "VARCHAR(512)";
    }

    /** The PostgreSQL type of an encrypted column holding ciphertext in this form. */
    static String sqlType(StorageFormat storage) {
        return storage == StorageFormat.BINARY ? "BYTEA" : "TEXT";
    }

    private static HikariDataSource pool(String name, String url, String driverClass, int size) {
        return pool(name, url, driverClass, size, true);
    }

    /** A fixed-size HikariCP pool; {@code driverClass} {@code null} lets DriverManager choose (pgjdbc). */
    static HikariDataSource pool(String name, String url, String driverClass, int size, boolean autoCommit) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("bench-" + name);
        c.setJdbcUrl(url);
        if (driverClass != null) {
            c.setDriverClassName(driverClass);
        }
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.setAutoCommit(autoCommit);
        return new HikariDataSource(c);
    }

    static String accountsTable(Mode m) {
        return m.name().toLowerCase() + "_accounts";
    }

    static String batchTable(Mode m) {
        return m.name().toLowerCase() + "_batch";
    }

    /** The accounts table of a mode, as that mode's application reaches it. */
    AccountsClient accounts(Mode m) {
        return client(m, accountsTable(m));
    }

    AccountsClient batch(Mode m) {
        return client(m, batchTable(m));
    }

    /** The table with no encrypted column, through RAW's or VEIL's pool. */
    AccountsClient plain(Mode m) {
        return new AccountsClient(pools.get(m), PLAIN, null, null);
    }

    private AccountsClient client(Mode m, String table) {
        if (m != Mode.HAND) {
            return new AccountsClient(pools.get(m), table, null, null);
        }
        ColumnCipher email = handEngine.cipher(null, table, "email").orElseThrow();
        ColumnCipher ssn = handEngine.cipher(null, table, "ssn").orElseThrow();
        return new AccountsClient(pools.get(m), table, email, ssn);
    }

    /** Removes rows above {@code keepUpTo} (a workload's inserts) and vacuums, so every phase starts from the same table. */
    void reset(String table, long keepUpTo) throws SQLException {
        db.execute("DELETE FROM " + table + " WHERE id > " + keepUpTo, (db.isPostgres() ? "VACUUM ANALYZE " : "ANALYZE TABLE ") + table);
    }

    void truncate(String table) throws SQLException {
        db.execute("TRUNCATE " + table);
    }

    /**
     * Writes every dirty page out before a measured run. Without it, the previous mode's rows are
     * still being written back (and its WAL flushed) while the next mode runs, and every mode's
     * first change to a page after the server's own periodic checkpoint costs a full-page image:
     * both would fall on whichever mode happens to run at that moment.
     */
    void checkpoint() throws SQLException {
        if (db.isPostgres()) {
            db.execute("CHECKPOINT"); // MariaDB has no per-session equivalent; its background flushing stands
        }
    }

    void vacuum() throws SQLException {
        if (db.isPostgres()) {
            db.execute("VACUUM ANALYZE");
        } else {
            for (Mode m : Mode.values()) {
                db.execute("ANALYZE TABLE " + accountsTable(m), "ANALYZE TABLE " + batchTable(m));
            }
            db.execute("ANALYZE TABLE " + PLAIN);
        }
    }

    /**
     * The guard against measuring a pass-through: read through a plain pgjdbc connection, every
     * row of the encrypted tables holds an envelope in email and ssn ({@code vl1:} text, or binary
     * starting with the magic byte), and the other tables hold none.
     *
     * @return one line per table checked
     */
    String verifyStorage() throws SQLException {
        StringBuilder report = new StringBuilder();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (Mode m : Mode.values()) {
                for (String t : new String[] {accountsTable(m), batchTable(m)}) {
                    check(s, t, m != Mode.RAW, m == Mode.RAW ? StorageFormat.TEXT : storage, db.isPostgres(), report);
                }
            }
            check(s, PLAIN, false, StorageFormat.TEXT, db.isPostgres(), report);
        }
        return report.toString();
    }

    private static void check(Statement s, String table, boolean encrypted, StorageFormat form, boolean postgres, StringBuilder report)
            throws SQLException {
        String email = envelope("email", form, postgres);
        String ssn = envelope("ssn", form, postgres);
        try (ResultSet rs = s.executeQuery("SELECT count(*), sum(CASE WHEN " + email + " AND " + ssn + " THEN 1 ELSE 0 END), "
                + "sum(CASE WHEN " + email + " OR " + ssn + " THEN 1 ELSE 0 END) FROM " + table)) {
            rs.next();
            long rows = rs.getLong(1);
            long both = rs.getLong(2);
            long any = rs.getLong(3);
            boolean ok = encrypted ? both == rows : any == 0;
            report.append(String.format("  %-15s %7d rows, %7d with ciphertext in email and ssn: %s%n", table, rows, both,
                    !ok ? "FAILED" : rows == 0 ? "(not used in this run)" : "ok"));
            if (!ok) {
                throw new IllegalStateException(table + (encrypted ? " holds plaintext: Veil did not encrypt" : " holds ciphertext it should not") + "\n" + report);
            }
        }
    }

    /** SQL that is true when the column holds one of Veil's envelopes in the given form. */
    private static String envelope(String column, StorageFormat form, boolean postgres) {
        if (form == StorageFormat.BINARY) {
            return postgres ? "get_byte(" + column + ", 0) = 247" : "ascii(" + column + ") = 247";
        }
        return column + " LIKE 'vl1:%'";
    }

    boolean isPostgres() {
        return db.isPostgres();
    }

    String serverVersion() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(db.isPostgres() ? "SHOW server_version" : "SELECT VERSION()")) {
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
            System.err.println("kept database " + db.name() + " and its keystore and policy in " + dir);
            return;
        }
        db.close();
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
