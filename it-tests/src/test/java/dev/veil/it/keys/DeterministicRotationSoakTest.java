package dev.veil.it.keys;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.Veil;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * 32 threads through HikariCP look rows up by a deterministic, UNIQUE column, insert new rows and
 * try duplicates (some inside transactions that stay open for a moment), while the ring is rotated
 * twice: no lookup may miss and no duplicate may be admitted. Runs 8 s per database in the default
 * suite; {@code -Dveil.soak.seconds=180} for a longer manual run.
 */
class DeterministicRotationSoakTest {
    private static final int THREADS = 32;
    private static final int INITIAL_ROWS = 2000;

    @TempDir
    Path dir;

    @Test
    void postgresLookupsNeverMissThroughTwoRotations() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            soak(db);
        }
    }

    @Test
    void mariadbLookupsNeverMissThroughTwoRotations() throws Exception {
        TestDatabase db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        try (db) {
            soak(db);
        }
    }

    private void soak(TestDatabase db) throws Exception {
        long seconds = Long.getLong("veil.soak.seconds", 8);
        String text = "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir), "refresh-after: 1s") + """
                tables:
                  people:
                    email: { mode: deterministic }
                """;
        Path app = People.instance(dir, text);
        Path admin = People.instance(dir, text);
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(200) UNIQUE, note VARCHAR(20))");
        AtomicLongArray committed = new AtomicLongArray(INITIAL_ROWS + 2_000_000);
        AtomicInteger filled = new AtomicInteger();
        AtomicLong nextId = new AtomicLong(INITIAL_ROWS);
        LongAdder lookups = new LongAdder();
        LongAdder misses = new LongAdder();
        LongAdder inserts = new LongAdder();
        LongAdder duplicatesRefused = new LongAdder();
        LongAdder duplicatesAdmitted = new LongAdder();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(ShopSchema.veilUrl(db, app));
        config.setMaximumPoolSize(THREADS);
        try (HikariDataSource pool = new HikariDataSource(config);
             Veil keys = Veil.open(PolicyLoader.load(admin), db.connections())) {
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 's')")) {
                for (long id = 1; id <= INITIAL_ROWS; id++) {
                    ps.setLong(1, id);
                    ps.setString(2, email(id));
                    ps.addBatch();
                    committed.set(filled.getAndIncrement(), id);
                }
                ps.executeBatch();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> workers = new ArrayList<>();
            try {
                for (int t = 0; t < THREADS; t++) {
                    workers.add(threads.submit(() -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        while (System.nanoTime() < deadline) {
                            int roll = random.nextInt(100);
                            try (Connection c = pool.getConnection()) {
                                if (roll < 80) {
                                    long id = committed.get(random.nextInt(filled.get()));
                                    if (id != 0) {
                                        lookups.increment();
                                        if (!finds(c, id)) {
                                            misses.increment();
                                        }
                                    }
                                } else if (roll < 90) {
                                    long id = nextId.incrementAndGet();
                                    insert(c, id, email(id));
                                    inserts.increment();
                                    committed.set(filled.getAndIncrement(), id);
                                    lookups.increment();
                                    if (!finds(c, id)) {
                                        misses.increment();
                                    }
                                } else {
                                    long existing = committed.get(random.nextInt(filled.get()));
                                    if (existing == 0) {
                                        continue;
                                    }
                                    // half of them in a transaction that stays open a moment, maybe across a version's activation
                                    boolean open = roll >= 95;
                                    try {
                                        if (open) {
                                            c.setAutoCommit(false);
                                        }
                                        insert(c, nextId.incrementAndGet(), email(existing));
                                        if (open) {
                                            Thread.sleep(random.nextInt(200));
                                            c.commit();
                                        }
                                        duplicatesAdmitted.increment();
                                    } catch (SQLException e) {
                                        // in a REPEATABLE READ transaction (MariaDB's default) the check may meet a deadlock instead
                                        assertTrue(e.getSQLState().startsWith("23") || open && "40001".equals(e.getSQLState()),
                                                e.getSQLState() + " " + e.getMessage());
                                        duplicatesRefused.increment();
                                    } finally {
                                        if (open) {
                                            c.rollback();
                                            c.setAutoCommit(true);
                                        }
                                    }
                                }
                            }
                        }
                        return null;
                    }));
                }
                long third = TimeUnit.SECONDS.toMillis(seconds) / 3;
                Thread.sleep(third);
                keys.keys().rotate("default");
                Thread.sleep(third);
                keys.keys().rotate("default");
                for (Future<?> f : workers) {
                    f.get(seconds + 60, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
        }
        System.getLogger(getClass().getName()).log(System.Logger.Level.INFO, "soak on {5}, {6} s: {0} lookups, {1} misses, {2} inserts, "
                + "{3} duplicates refused, {4} admitted", lookups.sum(), misses.sum(), inserts.sum(), duplicatesRefused.sum(),
                duplicatesAdmitted.sum(), db.url().split(":")[1], seconds);
        assertEquals(0, misses.sum(), "lookups that missed their row (of " + lookups.sum() + ")");
        assertEquals(0, duplicatesAdmitted.sum(), "duplicates admitted (of " + (duplicatesAdmitted.sum() + duplicatesRefused.sum()) + ")");
        // that the soak did its work, even on a crowded machine (a few hundred operations per second there)
        assertTrue(lookups.sum() > 100 && inserts.sum() > 10 && duplicatesRefused.sum() > 10,
                lookups.sum() + " lookups, " + inserts.sum() + " inserts, " + duplicatesRefused.sum() + " duplicates");
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(DISTINCT substr(email, 1, 12)) FROM people")) {
            rs.next();
            assertTrue(rs.getInt(1) >= 2, "rows under at least two key versions: " + rs.getInt(1));
        }
    }

    private static String email(long id) {
        return "soak" + id + "@example.com";
    }

    private static boolean finds(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ?")) {
            ps.setString(1, email(id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) == id && !rs.next();
            }
        }
    }

    private static void insert(Connection c, long id, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, email, note) VALUES (?, ?, 's')")) {
            ps.setLong(1, id);
            ps.setString(2, email);
            ps.executeUpdate();
        }
    }
}
