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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * migrate, rekey and verify over primary keys other than one integer column, on PostgreSQL and
 * MariaDB: sequence-backed and identity integers, uuid, text keys holding the checkpoint format's
 * own separator and escape characters, and composite keys of mixed types. Batches and chunks are
 * small, so every table is split into several chunks whose boundaries and checkpoints go through
 * the checkpoint table, claimed by two workers.
 */
class KeyShapesJobsTest {
    private static final int ROWS = 130;

    @TempDir
    Path dir;
    TestDatabase db;
    Path policy;

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    /** A table: its name, its key columns (for ORDER BY), its DDL and how to fill it with {@link #ROWS} rows. */
    record Shape(String table, String keys, String ddl, String fill) {
    }

    static List<Shape> postgresShapes() {
        String series = " FROM generate_series(1, " + ROWS + ") g";
        return List.of(
                new Shape("t_serial", "id", "CREATE TABLE t_serial (id SERIAL PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_serial (secret) SELECT 'v' || g" + series),
                new Shape("t_bigserial", "id", "CREATE TABLE t_bigserial (id BIGSERIAL PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_bigserial (secret) SELECT 'v' || g" + series),
                new Shape("t_smallserial", "id", "CREATE TABLE t_smallserial (id SMALLSERIAL PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_smallserial (secret) SELECT 'v' || g" + series),
                new Shape("t_identity", "id", "CREATE TABLE t_identity (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_identity (secret) SELECT 'v' || g" + series),
                new Shape("t_uuid", "id", "CREATE TABLE t_uuid (id UUID PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_uuid SELECT CAST(md5(CAST(g AS text)) AS uuid), 'v' || g" + series),
                new Shape("t_text", "code", "CREATE TABLE t_text (code VARCHAR(60) PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_text SELECT 'k%25' || g || chr(31) || 'x''y é', 'v' || g" + series),
                new Shape("t_bytea", "id", "CREATE TABLE t_bytea (id BYTEA PRIMARY KEY, secret TEXT)",
                        "INSERT INTO t_bytea SELECT decode(md5(CAST(g AS text)), 'hex'), 'v' || g" + series),
                new Shape("t_composite", "tenant, code", "CREATE TABLE t_composite (tenant INT, code TEXT, secret TEXT, PRIMARY KEY (tenant, code))",
                        "INSERT INTO t_composite SELECT g % 4, 'c' || g || chr(31), 'v' || g" + series),
                new Shape("t_mixed", "region, day, n", "CREATE TABLE t_mixed (region CHAR(3), day DATE, n NUMERIC(10,2), secret TEXT, "
                        + "PRIMARY KEY (region, day, n))",
                        "INSERT INTO t_mixed SELECT substr('abc', g % 3 + 1, 1), DATE '2026-01-01' + g % 5, g / 4.0, 'v' || g" + series));
    }

    static List<Shape> mariadbShapes() {
        String series = " FROM seq_1_to_" + ROWS;
        return List.of(
                new Shape("t_serial", "id", "CREATE TABLE t_serial (id SERIAL PRIMARY KEY, secret VARCHAR(200))",
                        "INSERT INTO t_serial (secret) SELECT CONCAT('v', seq)" + series),
                new Shape("t_auto", "id", "CREATE TABLE t_auto (id INT AUTO_INCREMENT PRIMARY KEY, secret VARCHAR(200))",
                        "INSERT INTO t_auto (secret) SELECT CONCAT('v', seq)" + series),
                new Shape("t_uuid", "id", "CREATE TABLE t_uuid (id UUID PRIMARY KEY, secret VARCHAR(200))",
                        "INSERT INTO t_uuid SELECT UUID(), CONCAT('v', seq)" + series),
                new Shape("t_text", "code", "CREATE TABLE t_text (code VARCHAR(60) PRIMARY KEY, secret VARCHAR(200))",
                        "INSERT INTO t_text SELECT CONCAT('k%25', seq, CHAR(31), 'x''y é'), CONCAT('v', seq)" + series),
                new Shape("t_binary", "id", "CREATE TABLE t_binary (id BINARY(16) PRIMARY KEY, secret VARCHAR(200))",
                        "INSERT INTO t_binary SELECT UNHEX(MD5(seq)), CONCAT('v', seq)" + series),
                new Shape("t_composite", "tenant, code", "CREATE TABLE t_composite (tenant INT, code VARCHAR(60), secret VARCHAR(200), "
                        + "PRIMARY KEY (tenant, code))",
                        "INSERT INTO t_composite SELECT seq % 4, CONCAT('c', seq, CHAR(31)), CONCAT('v', seq)" + series),
                new Shape("t_mixed", "region, day, n", "CREATE TABLE t_mixed (region CHAR(3), day DATE, n DECIMAL(10,2), secret VARCHAR(200), "
                        + "PRIMARY KEY (region, day, n))",
                        "INSERT INTO t_mixed SELECT SUBSTR('abc', seq % 3 + 1, 1), DATE '2026-01-01' + INTERVAL (seq % 5) DAY, seq / 4.0, "
                        + "CONCAT('v', seq)" + series));
    }

    void setUp(String dialect) throws Exception {
        db = dialect.equals("postgres") ? TestDatabase.postgres() : TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        StringBuilder tables = new StringBuilder("tables:\n");
        for (Shape s : shapes(dialect)) {
            tables.append("  ").append(s.table()).append(":\n    secret: { mode: randomized, migrating: true }\n");
            db.execute(s.ddl(), s.fill());
        }
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + tables);
    }

    List<Shape> shapes(String dialect) {
        return dialect.equals("postgres") ? postgresShapes() : mariadbShapes();
    }

    List<String> secrets(Connection c, Shape s) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("SELECT secret FROM " + s.table() + " ORDER BY " + s.keys())) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    JobResult run(Veil veil, String table, JobKind kind) throws Exception {
        return new TableJob(veil, db.connections(), table, kind,
                JobOptions.defaults().withWorkers(2).withBatchSize(7).withChunkSize(20), ProgressListener.NONE).run();
    }

    /**
     * A job over a composite key of mixed types stopped by a refused batch resumes from its
     * checkpoint: the last key committed, read back from its text form, bounds the next read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void aCompositeKeyJobResumesFromItsCheckpoint(String dialect) throws Exception {
        db = dialect.equals("postgres") ? TestDatabase.postgres() : TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        String text = dialect.equals("postgres") ? "TEXT" : "VARCHAR(200)";
        db.execute("CREATE TABLE t_resume (tenant INT, code VARCHAR(60), secret " + text + ", PRIMARY KEY (tenant, code))");
        try (Connection c = db.connect(); java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO t_resume VALUES (?, ?, ?)")) {
            for (int i = 1; i <= ROWS; i++) {
                ps.setInt(1, i % 5);
                ps.setString(2, "c%" + i + "\u001f");
                ps.setString(3, "v" + i);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        db.execute("ALTER TABLE t_resume ADD CONSTRAINT refuse_late CHECK (tenant < 3 OR secret NOT LIKE 'vl1:%')");
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir))
                + "tables:\n  t_resume:\n    secret: { mode: randomized, migrating: true }\n");
        JobOptions options = JobOptions.defaults().withWorkers(1).withBatchSize(7).withChunkSize(1000);
        try (Veil veil = Veil.open(PolicyLoader.load(policy), db.connections())) {
            java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> new TableJob(veil, db.connections(), "t_resume", JobKind.MIGRATE, options, ProgressListener.NONE).run());
            assertEquals("VE013", e.getSQLState(), e.getMessage());
            long done;
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                    "SELECT count(*) FROM t_resume WHERE secret LIKE 'vl1:%'")) {
                rs.next();
                done = rs.getLong(1);
            }
            assertTrue(done > 0 && done < ROWS, "stopped part-way: " + done);
            db.execute("ALTER TABLE t_resume DROP CONSTRAINT refuse_late");
            JobResult rest = new TableJob(veil, db.connections(), "t_resume", JobKind.MIGRATE, options, ProgressListener.NONE).run();
            assertTrue(rest.finished());
            assertEquals(ROWS - done, rest.rowsChanged(), "the second run starts after the last committed key");
            assertEquals(ROWS - done, rest.rowsScanned(), "and reads no row twice");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void migratesRotatesRekeysAndVerifiesEveryKeyShape(String dialect) throws Exception {
        setUp(dialect);
        List<Shape> shapes = shapes(dialect);
        Map<String, List<String>> plain = new java.util.HashMap<>();
        try (Connection raw = db.connect()) {
            for (Shape s : shapes) {
                plain.put(s.table(), secrets(raw, s));
                assertEquals(ROWS, plain.get(s.table()).size(), s.table());
            }
        }
        try (Veil veil = Veil.open(PolicyLoader.load(policy), db.connections())) {
            for (Shape s : shapes) {
                JobResult migrate = run(veil, s.table(), JobKind.MIGRATE);
                assertTrue(migrate.finished(), s.table());
                assertEquals(ROWS, migrate.rowsChanged(), s.table() + ": rows migrated");
            }
            veil.keys().rotate("default");
            int current = veil.keys().activeKey("default", false).id();
            for (Shape s : shapes) {
                JobResult rekey = run(veil, s.table(), JobKind.REKEY);
                assertTrue(rekey.finished(), s.table());
                assertEquals(ROWS, rekey.rowsChanged(), s.table() + ": rows rekeyed");
                VerifyReport report = new Verifier(veil, db.connections()).verify(s.table(), ProgressListener.NONE);
                assertTrue(report.ok(), s.table() + ": " + report.failures());
                assertEquals(Map.of(current, (long) ROWS), report.valuesPerKey(), s.table());
            }
        }
        try (Connection raw = db.connect(); Connection app = DriverManager.getConnection(ShopSchema.veilUrl(db, policy))) {
            for (Shape s : shapes) {
                for (String stored : secrets(raw, s)) {
                    assertTrue(stored.startsWith("vl1:"), s.table() + " holds plaintext");
                }
                assertEquals(plain.get(s.table()), secrets(app, s), s.table());
            }
        }
    }
}
