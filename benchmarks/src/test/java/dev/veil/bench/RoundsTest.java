package dev.veil.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundsTest {
    /** A measurement of {@code perSecond} units a second over one second, with 2 ms of client CPU. */
    private static Measurement at(double perSecond) {
        return new Measurement((long) perSecond, 1_000_000_000L, 2_000_000L, 1_000L);
    }

    @Test
    void ratiosArePairedWithinRoundsAndSummarisedByTheirMedian() {
        Rounds r = new Rounds();
        // the machine slows down by half in round 2: paired ratios do not care, best-of-modes would
        double[][] rawVeil = {{1000, 900}, {500, 470}, {1000, 950}, {1000, 800}, {1000, 920}};
        for (double[] round : rawVeil) {
            r.next();
            r.add(Mode.RAW, at(round[0]));
            r.add(Mode.VEIL, at(round[1]));
        }
        assertArrayEquals(new double[] {0.90, 0.94, 0.95, 0.80, 0.92}, r.ratios(Mode.VEIL), 1e-9);
        assertEquals(0.92, r.ratio(Mode.VEIL), 1e-9);
        assertEquals(1000, r.perSecond(Mode.RAW), 1e-9);
        assertEquals(2.0, r.cpuMicrosPerUnit(Mode.RAW), 1e-9);
    }

    @Test
    void aModeThatDidNotRunHasNoRatio() {
        Rounds r = new Rounds();
        r.next();
        r.add(Mode.RAW, at(1000));
        r.add(Mode.VEIL, at(990));
        assertTrue(Double.isNaN(r.ratio(Mode.HAND)));
        assertTrue(Double.isNaN(r.perSecond(Mode.HAND)));
        assertEquals(0, r.ratios(Mode.HAND).length);
    }

    @Test
    void quantilesInterpolateBetweenRanks() {
        double[] v = {4, 1, 3, 2};
        assertEquals(2.5, Rounds.median(v), 1e-12);
        assertEquals(1.75, Rounds.quantile(v, 0.25), 1e-12);
        assertEquals(3.25, Rounds.quantile(v, 0.75), 1e-12);
        assertEquals(7, Rounds.median(new double[] {7}), 1e-12);
        assertTrue(Double.isNaN(Rounds.median(new double[0])));
        assertArrayEquals(new double[] {4, 1, 3, 2}, v, "the input is left as it was");
        assertEquals("1.75–3.25", Rounds.middleHalf(v));
        assertEquals("—", Rounds.middleHalf(new double[0]));
    }
}
