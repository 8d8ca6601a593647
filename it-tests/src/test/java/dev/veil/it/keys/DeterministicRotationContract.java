package dev.veil.it.keys;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.JobResult;
import dev.veil.jobs.ProgressListener;
import dev.veil.jobs.TableJob;
import dev.veil.keys.KeyAdmin;
import dev.veil.keys.KeyRecord;
import dev.veil.keys.KeyState;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic columns through a key rotation: lookups ({@code =}, {@code IN}, {@code = ANY},
 * literals), a join across a domain, GROUP BY and a UNIQUE constraint, checked before a rotation,
 * right after it (also through a second application instance whose key view is stale), during a
 * rekey with four writers inserting duplicates on purpose, and after the rekey and retirement.
 */
abstract class DeterministicRotationContract {
    static final int ROWS = 300;
    /** keys.refresh-after of the policy. */
    static final long REFRESH_MILLIS = 2000;
    /** How long a new version waits before it is written: twice refresh-after. */
    static final long ACTIVATION_MILLIS = 2 * REFRESH_MILLIS;

    @TempDir
    Path dir;
    TestDatabase db;
    /** Application instance A (fresh view) and B (loads its view before the rotation). */
    Path policyA;
    Path policyB;
    Path adminPolicy;

    abstract TestDatabase database() throws SQLException;

    abstract boolean postgres();

    @BeforeEach
    void setUp() throws Exception {
        db = database();
        String text = "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir), "refresh-after: 2s") + """
                tables:
                  people:
                    email: { mode: deterministic, domain: mail }
                  contacts:
                    email: { mode: deterministic, domain: mail }
                  members:
                    email: { mode: deterministic, domain: mail }
                """;
        policyA = People.instance(dir, text);
        policyB = People.instance(dir, text);
        adminPolicy = People.instance(dir, text);
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(200) UNIQUE, note VARCHAR(20))",
                "CREATE TABLE contacts (id BIGINT PRIMARY KEY, email VARCHAR(200))",
                "CREATE TABLE members (tenant INT NOT NULL, email VARCHAR(200) NOT NULL, UNIQUE (tenant, email))");
        try (Connection c = connect(policyA)) {
            c.setAutoCommit(false);
            try (PreparedStatement people = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'n')");
                 PreparedStatement contacts = c.prepareStatement("INSERT INTO contacts (id, email) VALUES (?, ?)")) {
                for (int id = 1; id <= ROWS; id++) {
                    people.setLong(1, id);
                    people.setString(2, email(id));
                    people.addBatch();
                    if (id % 3 == 0) {
                        contacts.setLong(1, id);
                        contacts.setString(2, email(id));
                        contacts.addBatch();
                    }
                }
                people.executeBatch();
                contacts.executeBatch();
            }
            c.commit();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    static String email(long id) {
        return "user" + id + "@example.com";
    }

    Connection connect(Path policy) throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
    }

    /** Every lookup form finds its rows; joins and GROUP BY are exact, or refused while several versions live. */
    void checkReads(Path policy, Boolean severalVersions, long maxId) throws Exception {
        try (Connection c = connect(policy)) {
            for (long id : new long[] {1, 2, 150, maxId}) {
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ?")) {
                    ps.setString(1, email(id));
                    assertEquals(List.of(id), ids(ps.executeQuery()), "lookup of row " + id);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email IN (?, ?) AND note = ? ORDER BY id")) {
                ps.setString(1, email(2));
                ps.setString(2, email(maxId));
                ps.setString(3, "n");
                assertEquals(List.of(2L, maxId), ids(ps.executeQuery()), "IN with a plain parameter after it");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM people WHERE email <> ?")) {
                ps.setString(1, email(1));
                assertEquals(List.of(maxId - 1), ids(ps.executeQuery()), "<>");
            }
            try (Statement s = c.createStatement()) {
                assertEquals(List.of(7L), ids(s.executeQuery("SELECT id FROM people WHERE email = '" + email(7) + "'")), "literal =");
                assertEquals(List.of(8L, maxId), ids(s.executeQuery("SELECT id FROM people WHERE email IN ('" + email(8) + "', '"
                        + email(maxId) + "') ORDER BY id")), "literal IN");
            }
            if (postgres()) {
                // IS [NOT] DISTINCT FROM match every version, and a NULL exactly the NULL rows (there are none)
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email IS NOT DISTINCT FROM ?")) {
                    ps.setString(1, email(maxId));
                    assertEquals(List.of(maxId), ids(ps.executeQuery()), "IS NOT DISTINCT FROM");
                    ps.setNull(1, java.sql.Types.VARCHAR);
                    assertEquals(List.of(), ids(ps.executeQuery()), "IS NOT DISTINCT FROM NULL");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM people WHERE email IS DISTINCT FROM ?")) {
                    ps.setString(1, email(2));
                    assertEquals(List.of(maxId - 1), ids(ps.executeQuery()), "IS DISTINCT FROM");
                    ps.setNull(1, java.sql.Types.VARCHAR);
                    assertEquals(List.of(maxId), ids(ps.executeQuery()), "IS DISTINCT FROM NULL");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ANY(?) ORDER BY id")) {
                    ps.setArray(1, c.createArrayOf("text", new Object[] {email(3), email(maxId)}));
                    assertEquals(List.of(3L, maxId), ids(ps.executeQuery()), "= ANY(?)");
                }
            }
            String join = "SELECT count(*) FROM people p JOIN contacts c ON c.email = p.email";
            String group = "SELECT email, count(*) FROM contacts GROUP BY email";
            if (severalVersions == null) {
                // a process whose view may or may not have been re-read yet: exact or refused, never wrong
                try {
                    assertEquals(List.of(ROWS / 3L), ids(c.createStatement().executeQuery(join)), "join across the domain");
                } catch (VeilException e) {
                    assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
                }
            } else if (severalVersions) {
                // shapes that cannot match several versions are refused, not answered from one of them
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE ? = email")) {
                    assertEquals(VeilState.UNSUPPORTED_SQL, assertThrows(VeilException.class, () -> ps.setString(1, email(1))).state());
                }
                VeilException j = assertThrows(VeilException.class, () -> c.createStatement().executeQuery(join));
                assertEquals(VeilState.UNSUPPORTED_SQL, j.state());
                assertTrue(j.getMessage().contains("veil rekey"), j.getMessage());
                try (PreparedStatement ps = c.prepareStatement(group)) {
                    assertEquals(VeilState.UNSUPPORTED_SQL, assertThrows(VeilException.class, ps::executeQuery).state());
                }
            } else {
                assertEquals(List.of(ROWS / 3L), ids(c.createStatement().executeQuery(join)), "join across the domain");
                try (ResultSet rs = c.createStatement().executeQuery(group)) {
                    int groups = 0;
                    while (rs.next()) {
                        groups++;
                        assertEquals(1, rs.getInt(2));
                    }
                    assertEquals(ROWS / 3, groups);
                }
            }
        }
    }

    /** Inserting the e-mail of an existing row fails with a unique violation, whichever version holds it. */
    void assertDuplicateRefused(Path policy, long existing) throws SQLException {
        try (Connection c = connect(policy); PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'd')")) {
            ps.setLong(1, 1_000_000 + ThreadLocalRandom.current().nextInt(1_000_000));
            ps.setString(2, email(existing));
            SQLException e = assertThrows(SQLException.class, ps::executeUpdate, "duplicate of row " + existing);
            assertTrue(e.getSQLState().startsWith("23"), e.getSQLState() + " " + e.getMessage());
            if (e.getMessage().contains("data-key version")) {
                assertEquals("23505", e.getSQLState());
                assertTrue(e.getMessage().contains("people.email") && !e.getMessage().contains(email(existing)), e.getMessage());
            }
        }
    }

    void insert(Path policy, long id) throws SQLException {
        try (Connection c = connect(policy); PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'n')")) {
            ps.setLong(1, id);
            ps.setString(2, email(id));
            ps.executeUpdate();
        }
    }

    static List<Long> ids(ResultSet rs) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    @Test
    void lookupsJoinsGroupingAndUniqueThroughARotationAndRekey() throws Exception {
        // before: one version
        checkReads(policyA, false, ROWS);
        checkReads(policyB, false, ROWS); // B's view is loaded now, before the rotation
        assertDuplicateRefused(policyA, 5);

        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections());
             Connection early = connect(policyA);
             PreparedStatement literal = early.prepareStatement("SELECT id FROM people WHERE email = '" + email(11) + "'")) {
            assertEquals(List.of(11L), ids(literal.executeQuery()));
            KeyRecord v1 = admin.keys().store().ring("default").get(0);
            KeyRecord v2 = admin.keys().rotate("default");

            // right after: A and B may not have re-read their views yet; nothing is written under v2 before they have
            checkReads(policyB, null, ROWS);
            checkReads(policyA, null, ROWS);
            assertDuplicateRefused(policyA, 6);
            assertDuplicateRefused(policyB, 7);
            insert(policyB, ROWS + 1);
            checkReads(policyA, null, ROWS + 1);

            // once v2 is written: rows under v1 and v2, B's view refreshed
            Thread.sleep(ACTIVATION_MILLIS + 200);
            insert(policyA, ROWS + 2);
            insert(policyB, ROWS + 3);
            checkReads(policyA, true, ROWS + 3);
            checkReads(policyB, true, ROWS + 3);
            VeilException stale = assertThrows(VeilException.class, literal::executeQuery,
                    "a literal encrypted when the statement was prepared cannot match the version created since");
            assertTrue(stale.getMessage().contains("prepare it again"), stale.getMessage());
            assertDuplicateRefused(policyA, 8);
            assertDuplicateRefused(policyB, ROWS + 2);
            assertDuplicateRefused(policyA, ROWS + 1);

            KeyAdmin keys = new KeyAdmin(PolicyLoader.load(adminPolicy), admin.keys(), db.connections());
            VeilException busy = assertThrows(VeilException.class, () -> keys.retire(keys.find(v1.keyId())));
            assertEquals(VeilState.KEY_IN_USE, busy.state());

            // during a rekey: four writers insert duplicates of random rows, all must fail
            AtomicBoolean rekeyDone = new AtomicBoolean();
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    Path p = w % 2 == 0 ? policyA : policyB;
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        long next = 2_000_000L * (writer + 1);
                        try (Connection c = connect(p); PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'd')")) {
                            do {
                                ps.setLong(1, next++);
                                ps.setString(2, email(1 + ThreadLocalRandom.current().nextInt(ROWS + 3)));
                                try {
                                    ps.executeUpdate();
                                    accepted.incrementAndGet();
                                } catch (SQLException e) {
                                    assertTrue(e.getSQLState().startsWith("23"), e.getSQLState() + " " + e.getMessage());
                                    refused.incrementAndGet();
                                }
                            } while (!rekeyDone.get());
                        }
                        return null;
                    }));
                }
                Future<JobResult> rekey = pool.submit(() -> {
                    try {
                        return new TableJob(admin, db.connections(), "people", JobKind.REKEY,
                                JobOptions.defaults().withWorkers(2).withBatchSize(20), ProgressListener.NONE).run();
                    } finally {
                        rekeyDone.set(true);
                    }
                });
                JobResult r = rekey.get(120, TimeUnit.SECONDS);
                assertTrue(r.finished());
                for (Future<?> f : writers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(0, accepted.get(), "duplicates admitted during the rekey");
                assertTrue(refused.get() > 0);
            } finally {
                pool.shutdownNow();
            }
            new TableJob(admin, db.connections(), "contacts", JobKind.REKEY, JobOptions.defaults(), ProgressListener.NONE).run();
            checkReads(policyA, true, ROWS + 3);

            // after the rekey: v1 holds nothing, so it may be retired; then one version again
            Map<Integer, Long> usage = keys.usage();
            assertEquals(0L, usage.getOrDefault(v1.keyId(), 0L), usage.toString());
            assertEquals(ROWS + 3L + ROWS / 3, usage.get(v2.keyId()), usage.toString());
            keys.retire(keys.find(v1.keyId()));
            assertEquals(KeyState.RETIRED, keys.find(v1.keyId()).state());
            Thread.sleep(REFRESH_MILLIS + 200);
            checkReads(policyA, false, ROWS + 3);
            checkReads(policyB, false, ROWS + 3);
            assertDuplicateRefused(policyA, 9);
            assertDuplicateRefused(policyB, ROWS + 1);
        }
    }

    /**
     * A transaction that inserted a value under the old version before its process knew of the
     * new one, still open when the new version becomes the write key, while another process
     * inserts the same value under the new version: one of the two must fail.
     */
    @Test
    void aTransactionWrittenBeforeTheRotationAndOpenAcrossTheActivationAdmitsNoDuplicate() throws Exception {
        try (Connection early = connect(policyA)) {
            early.setAutoCommit(false);
            insertInto(early, 8_000_001, "race-before@example.com");
            raceAcrossTheActivation(early, "race-before@example.com", false, Connection::commit);
        }
    }

    /**
     * The same, when the open transaction wrote while its process already knew of the pending
     * version (so under the old one, with the new one about to be written).
     */
    @Test
    void aTransactionWrittenWhileTheVersionIsPendingAndOpenAcrossTheActivationAdmitsNoDuplicate() throws Exception {
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            // a process started now sees the pending version at once
            Path fresh = People.instance(dir, Files.readString(policyA));
            try (Connection pending = connect(fresh)) {
                pending.setAutoCommit(false);
                insertInto(pending, 8_000_002, "race-pending@example.com");
                raceAcrossTheActivation(pending, "race-pending@example.com", true, Connection::commit);
            }
        }
    }

    /**
     * A {@code COMMIT} sent as SQL text would skip the check {@code commit()} runs, so while a
     * check is due it is refused (VE006) instead of committing a possible duplicate.
     */
    @Test
    void aCommitSentAsSqlTextWhileACheckIsDueIsRefusedAndAdmitsNoDuplicate() throws Exception {
        try (Connection early = connect(policyA)) {
            early.setAutoCommit(false);
            insertInto(early, 8_000_003, "race-text@example.com");
            raceAcrossTheActivation(early, "race-text@example.com", false, c -> {
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                }
            });
        }
    }

    /** How the open transaction is committed. */
    private interface Commit {
        void commit(Connection c) throws SQLException;
    }

    /**
     * Waits until the newest version is the write key (rotating first unless {@code rotated}),
     * inserts {@code email} through instance B, commits {@code open}, and checks that exactly one
     * of the two was refused, with a unique violation, and that one row holds {@code email}.
     */
    private void raceAcrossTheActivation(Connection open, String email, boolean rotated, Commit how) throws Exception {
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            if (!rotated) {
                admin.keys().rotate("default");
            }
            java.time.Instant writable = admin.keys().pendingUntil("default");
            assertTrue(writable != null, "the new version is pending");
            Thread.sleep(Math.max(0, writable.toEpochMilli() - System.currentTimeMillis()) + 300);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<SQLException> late = other.submit(() -> {
                    try (Connection c = connect(policyB)) {
                        insertInto(c, 8_000_100, email);
                        return null;
                    } catch (SQLException e) {
                        return e;
                    }
                });
                try {
                    late.get(1, TimeUnit.SECONDS); // it may wait for the open transaction: give it time to start
                } catch (java.util.concurrent.TimeoutException waiting) {
                    // it waits
                }
                SQLException atCommit = null;
                try {
                    how.commit(open);
                } catch (SQLException e) {
                    atCommit = e;
                    open.rollback();
                }
                SQLException atInsert = late.get(30, TimeUnit.SECONDS);
                try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ?")) {
                    ps.setString(1, email);
                    assertEquals(1, ids(ps.executeQuery()).size(), "rows holding the value (commit: " + atCommit + ", insert: " + atInsert + ")");
                }
                assertTrue((atCommit == null) != (atInsert == null), "exactly one refused: " + atCommit + " / " + atInsert);
                SQLException refused = atCommit != null ? atCommit : atInsert;
                assertTrue(refused.getSQLState().startsWith("23") || refused == atCommit && "VE006".equals(refused.getSQLState()),
                        refused.getSQLState() + " " + refused.getMessage());
                assertTrue(!refused.getMessage().contains(email), refused.getMessage());
            } finally {
                other.shutdownNow();
            }
        }
    }

    private static void insertInto(Connection c, long id, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'r')")) {
            ps.setLong(1, id);
            ps.setString(2, email);
            ps.executeUpdate();
        }
    }

    @Test
    void upsertOnAUniqueDeterministicColumnIsRefusedWhileSeveralVersionsLive() throws Exception {
        String upsert = postgres()
                ? "INSERT INTO people (id, email, note) VALUES (?, ?, 'u') ON CONFLICT (email) DO NOTHING"
                : "INSERT INTO people (id, email, note) VALUES (?, ?, 'u') ON DUPLICATE KEY UPDATE note = 'u'";
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            Thread.sleep(ACTIVATION_MILLIS + 200);
            try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement(upsert)) {
                ps.setLong(1, 5_000_000);
                ps.setString(2, email(1));
                VeilException e = assertThrows(VeilException.class, ps::executeUpdate);
                assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
                assertTrue(e.getMessage().contains("people.email"), e.getMessage());
            }
        }
    }

    @Test
    void aColumnUniqueOnlyWithOtherColumnsIsNotWrittenWhileSeveralVersionsLive() throws Exception {
        String insert = "INSERT INTO members (tenant, email) VALUES (?, ?)";
        try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setInt(1, 1);
            ps.setString(2, email(1));
            ps.executeUpdate();
        }
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            Thread.sleep(ACTIVATION_MILLIS + 200);
            try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setInt(1, 1);
                ps.setString(2, email(1)); // the same (tenant, email) under the new version: the index cannot see it
                VeilException e = assertThrows(VeilException.class, ps::executeUpdate);
                assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
                assertTrue(e.getMessage().contains("members.email") && !e.getMessage().contains(email(1)), e.getMessage());
            }
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*) FROM members")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void batchedDuplicateOfAnOlderVersionIsRefusedWithoutWritingTheBatch() throws Exception {
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            Thread.sleep(ACTIVATION_MILLIS + 200);
            try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'b')")) {
                for (long id = 7_000_000; id < 7_000_010; id++) {
                    ps.setLong(1, id);
                    ps.setString(2, id == 7_000_005 ? email(42) : "batch" + id + "@example.com");
                    ps.addBatch();
                }
                SQLException e = assertThrows(SQLException.class, ps::executeBatch);
                assertEquals("23505", e.getSQLState());
                assertTrue(e.getMessage().contains("people.email") && !e.getMessage().contains(email(42)), e.getMessage());
            }
            try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*) FROM people WHERE note = 'b'")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    @Test
    void updatesDuringARotationKeepTheirOwnValueAndCannotTakeAnotherRowsValue() throws Exception {
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            Thread.sleep(ACTIVATION_MILLIS + 200);
            try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement("UPDATE people SET email = ?, note = ? WHERE id = ?")) {
                // an ORM writes every column: row 10 keeps its e-mail, now under the new version
                ps.setString(1, email(10));
                ps.setString(2, "same");
                ps.setLong(3, 10);
                assertEquals(1, ps.executeUpdate());
                // row 12 may not take row 13's e-mail, which is still under the old version
                ps.setString(1, email(13));
                ps.setString(2, "taken");
                ps.setLong(3, 12);
                SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
                assertEquals("23505", e.getSQLState());
                assertTrue(e.getMessage().contains("people.email") && !e.getMessage().contains(email(13)), e.getMessage());
                assertTrue(c.getAutoCommit(), "auto-commit is restored");

                // inside the application's transaction: the refused UPDATE is rolled back to a savepoint, the rest commits
                c.setAutoCommit(false);
                ps.setString(1, email(14));
                ps.setString(2, "tx");
                ps.setLong(3, 14);
                assertEquals(1, ps.executeUpdate());
                ps.setString(1, email(15));
                ps.setLong(3, 16);
                assertEquals("23505", assertThrows(SQLException.class, ps::executeUpdate).getSQLState());
                c.commit();
                c.setAutoCommit(true);
            }
            try (Connection c = connect(policyA); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT id, email, note FROM people WHERE id IN (10, 12, 14, 16) ORDER BY id")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
                assertEquals(List.of("10 " + email(10) + " same", "12 " + email(12) + " n", "14 " + email(14) + " tx",
                        "16 " + email(16) + " n"), rows);
            }
        }
    }

    @Test
    void plainStatementUpdatesDuringARotationKeepTheirOwnValueAndCannotTakeAnotherRowsValue() throws Exception {
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            Thread.sleep(ACTIVATION_MILLIS + 200);
            try (Connection c = connect(policyA); Statement s = c.createStatement()) {
                // row 30 keeps its e-mail (a literal), now written under the new version
                assertEquals(1, s.executeUpdate("UPDATE people SET email = '" + email(30) + "', note = 'same' WHERE id = 30"));
                // row 32 may not take row 33's e-mail, still under the old version
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeUpdate("UPDATE people SET email = '" + email(33) + "', note = 'taken' WHERE id = 32"));
                assertEquals("23505", e.getSQLState());
                assertTrue(e.getMessage().contains("people.email") && !e.getMessage().contains(email(33)), e.getMessage());
                assertTrue(c.getAutoCommit(), "auto-commit is restored");
                // a statement batch writing the column cannot be locked value by value: refused while two versions live
                VeilException batch = assertThrows(VeilException.class,
                        () -> s.addBatch("INSERT INTO people (id, email, note) VALUES (9100000, 'batch@example.com', 'b')"));
                assertEquals(VeilState.UNSUPPORTED_SQL, batch.state());
            }
            try (Connection c = connect(policyA); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT id, email, note FROM people WHERE id IN (30, 32) ORDER BY id")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
                assertEquals(List.of("30 " + email(30) + " same", "32 " + email(32) + " n"), rows);
            }
        }
    }

    @Test
    void rekeyStopsOnAValueTwoVersionsHoldAndLosesNothing() throws Exception {
        try (Veil admin = Veil.open(PolicyLoader.load(adminPolicy), db.connections())) {
            admin.keys().rotate("default");
            Thread.sleep(ACTIVATION_MILLIS + 200);
            // a duplicate the checks could not have stopped: written straight to the table under the new version
            Object[] forms = new Object[4];
            dev.veil.policy.ColumnPolicy column = admin.policy().column(null, "people", "email").orElseThrow();
            assertEquals(2, admin.cipher(column).encryptForLookup(email(20), forms));
            try (Connection raw = db.connect(); PreparedStatement ps = raw.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 'dup')")) {
                ps.setLong(1, 9_000_000);
                ps.setString(2, (String) forms[0]);
                ps.executeUpdate();
            }
            SQLException e = assertThrows(SQLException.class, () -> new TableJob(admin, db.connections(), "people", JobKind.REKEY,
                    JobOptions.defaults().withBatchSize(50), ProgressListener.NONE).run());
            Throwable t = e;
            while (t != null && !(t.getMessage() != null && t.getMessage().contains("same value of a unique column"))) {
                t = t.getCause();
            }
            assertTrue(t != null && t.getMessage().contains("nothing was changed") && !t.getMessage().contains(email(20)), String.valueOf(e));
            try (Connection c = connect(policyA); PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ? ORDER BY id")) {
                ps.setString(1, email(20));
                assertEquals(List.of(20L, 9_000_000L), ids(ps.executeQuery()), "both rows are still there and readable");
            }
        }
    }
}
