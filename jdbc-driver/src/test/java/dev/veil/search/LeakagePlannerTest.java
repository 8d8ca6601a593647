package dev.veil.search;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeakagePlannerTest {
    static ColumnPolicy column(String yaml) throws Exception {
        return PolicyLoader.parse("""
                version: 1
                keys:
                  master: { provider: env, variable: VEIL_DEV_KEY }
                tables:
                  people:
                """ + yaml, "policy.yaml").column(null, "people", "c").orElseThrow();
    }

    @Test
    void plansTheLongestLengthInsideTheCoincidenceBand() {
        assertEquals(-1, LeakagePlanner.recommendedBits(100), "100 rows: 8 bits leave 0.39 per token, below 2");
        assertEquals(8, LeakagePlanner.recommendedBits(1_200));
        assertEquals(16, LeakagePlanner.recommendedBits(1_000_000), "15.3 coincidences, below sqrt = 1000");
        assertEquals(24, LeakagePlanner.recommendedBits(100_000_000));
        for (long rows : new long[] {1_000, 50_000, 3_000_000, 1L << 40}) {
            int bits = LeakagePlanner.recommendedBits(rows);
            double c = LeakagePlanner.coincidences(rows, bits);
            assertTrue(c >= 2 && c < Math.sqrt(rows), rows + " rows: " + bits + " bits, " + c);
            assertTrue(LeakagePlanner.coincidences(rows, bits + 8) < 2, "the next longer length leaves the band");
        }
    }

    @Test
    void budgetsSayWhatTheDatabaseLearnsAndFlagLengthsOutsideTheBand() throws Exception {
        ColumnPolicy c = column("    c: { mode: randomized, search: { prefix: { bits: 8 }, ci: {} } }\n");
        List<LeakagePlanner.Budget> b = LeakagePlanner.budgets(c, 100);
        assertEquals(SearchCapability.PREFIX, b.get(0).capability());
        assertTrue(b.get(0).outsideBand(100), "0.39 coincidences: an 8-bit token still singles out values in 100 rows");
        assertFalse(b.get(0).outsideBand(1_200));
        assertFalse(b.get(1).outsideBand(100), "exact tokens are never outside the band: they are exact");
        assertTrue(b.get(0).learns().startsWith("which rows share their first 1..8 characters"));
        assertTrue(LeakagePlanner.combinationWarnings(c).get(0).startsWith("the column is randomized, but ci with exact tokens"));
        ColumnPolicy both = column("    c: { mode: deterministic, search: [prefix, substring] }\n");
        assertTrue(LeakagePlanner.combinationWarnings(both).get(0).startsWith("prefix and substring together"));
        assertEquals("4.69", LeakagePlanner.format(LeakagePlanner.coincidences(1_200, 8)));
        assertEquals("3.5e-36", LeakagePlanner.format(LeakagePlanner.coincidences(1_200, 128)));
    }
}
