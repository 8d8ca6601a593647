package dev.veil.bench;

import dev.veil.policy.StorageFormat;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every TPC-C transaction runs through raw pgjdbc, as the hand-encrypting application and through
 * Veil on a tiny database, and what HAND and Veil stored is ciphertext: the workload measures what
 * it claims to. Needs a PostgreSQL
 * ({@code VEIL_IT_JDBC_URL}, which CI sets); skipped without one.
 */
class TpccSmokeTest {
    @Test
    void everyTransactionRunsAndHandAndVeilStoreCiphertext() throws Exception {
        String url = System.getenv("VEIL_IT_JDBC_URL");
        assumeTrue(url != null && !url.isBlank(), "VEIL_IT_JDBC_URL is not set");
        TpccScale scale = new TpccScale(200, 30);
        for (StorageFormat storage : List.of(StorageFormat.TEXT, StorageFormat.BINARY)) {
            // with text storage, autovacuum off on the workload's tables (the default) and a vacuum before each run
            boolean autovacuum = storage == StorageFormat.BINARY;
            try (TpccFixture f = TpccFixture.create(url, "VEIL_TEST_MASTER_PASSWORD", storage, 1, false, autovacuum, false)) {
                for (Mode m : List.of(Mode.RAW, Mode.HAND, Mode.VEIL)) {
                    assertEquals(autovacuum ? 0 : 9, tablesWithoutAutovacuum(f, m), m + " " + storage);
                    new TpccLoader(f.pool(m), scale, f.ciphers(m)).load();
                    f.beforeRun(m);
                    // HAND runs with both forms of its by-last-name lookup (--hand-lookup narrow and wide)
                    for (boolean wide : m == Mode.HAND ? List.of(false, true) : List.of(false)) {
                        TpccLatencies latencies = new TpccLatencies();
                        latencies.recording(true);
                        TpccTransactions tx = new TpccTransactions(f.pool(m), scale, latencies, f.ciphers(m), wide);
                        TpccRandom r = new TpccRandom(new SplittableRandom(7));
                        for (TpccTransactions.Type t : TpccTransactions.Type.values()) {
                            for (int i = 0; i < 5; i++) {
                                tx.run(t, r);
                            }
                            assertEquals(5, latencies.micros(t).length, m + " " + t + (wide ? " wide" : ""));
                        }
                    }
                }
                String report = f.verify();
                assertTrue(report.contains("VEIL customer.c_data") && report.contains("HAND history.h_data") && !report.contains("FAILED"), report);
            }
        }
    }

    /** How many of the mode's tables the server's autovacuum leaves alone ({@code autovacuum_enabled = off}). */
    private static int tablesWithoutAutovacuum(TpccFixture f, Mode m) throws SQLException {
        try (Connection c = f.pool(m).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                     + " AND reloptions @> '{autovacuum_enabled=off}'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
