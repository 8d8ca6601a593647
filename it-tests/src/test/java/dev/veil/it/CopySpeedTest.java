package dev.veil.it;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How fast the guarded COPY loads rows with two encrypted columns (one deterministic, one
 * randomized) against pgjdbc's own COPY of the same rows into the same table, and against batched
 * INSERTs through Veil. A measurement, not a test: tagged {@code measurement}, it runs only with
 * {@code -Pmeasure}.
 */
@Tag("measurement")
class CopySpeedTest {
    private static final int ROWS = 50_000;
    private static final int ROUNDS = 5;

    @TempDir
    static Path dir;

    @Test
    void guardedCopyAgainstPlainCopyAndBatchedInserts() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            ShopSchema.create(db);
            String url = ShopSchema.veilUrl(db, ShopSchema.policy(dir));
            StringBuilder data = new StringBuilder();
            for (int i = 0; i < ROWS; i++) {
                data.append("Name ").append(i).append('\t').append("user").append(i).append("@example.com\t")
                        .append(100_000_000 + i).append('\n');
            }
            String rows = data.toString();
            String copySql = "COPY customers (name, email, ssn) FROM STDIN";
            try (Connection veil = DriverManager.getConnection(url); Connection raw = RawConnections.open(db.url())) {
                CopyManager guarded = veil.unwrap(PGConnection.class).getCopyAPI();
                CopyManager plain = new CopyManager((org.postgresql.core.BaseConnection) raw);
                for (int round = 0; round < ROUNDS; round++) {
                    long plainNanos = timed(db, () -> assertEquals(ROWS, plain.copyIn(copySql, new StringReader(rows))));
                    long guardedNanos = timed(db, () -> assertEquals(ROWS, guarded.copyIn(copySql, new StringReader(rows))));
                    long insertNanos = timed(db, () -> {
                        veil.setAutoCommit(false);
                        try (var ps = veil.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
                            for (int i = 0; i < ROWS; i++) {
                                ps.setString(1, "Name " + i);
                                ps.setString(2, "user" + i + "@example.com");
                                ps.setString(3, Integer.toString(100_000_000 + i));
                                ps.addBatch();
                                if (i % 1000 == 999) {
                                    ps.executeBatch();
                                }
                            }
                            ps.executeBatch();
                        }
                        veil.commit();
                        veil.setAutoCommit(true);
                    });
                    System.out.printf("round %d, %d rows: plain COPY %.0f rows/s, guarded COPY %.0f rows/s (%.2fx), "
                                    + "Veil batched INSERT %.0f rows/s%n", round + 1, ROWS, rate(plainNanos), rate(guardedNanos),
                            (double) plainNanos / guardedNanos, rate(insertNanos));
                }
            }
        }
    }

    @FunctionalInterface
    interface Load {
        void run() throws Exception;
    }

    private static long timed(TestDatabase db, Load load) throws Exception {
        db.execute("TRUNCATE customers CASCADE", "CHECKPOINT");
        long start = System.nanoTime();
        load.run();
        return System.nanoTime() - start;
    }

    private static double rate(long nanos) {
        return ROWS / (nanos / 1e9);
    }
}
