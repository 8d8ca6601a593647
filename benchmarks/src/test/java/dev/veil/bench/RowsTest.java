package dev.veil.bench;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowsTest {
    private static final int IDS = 500_000;

    @Test
    void everyIdHasItsOwnEmail() {
        Set<String> seen = new HashSet<>();
        for (long id = 0; id < IDS; id++) {
            assertTrue(seen.add(Rows.email(id)), () -> "two ids share an e-mail; first repeat at " + seen.size());
        }
    }

    @Test
    void emailsArriveInNoParticularOrder() {
        // Sorted input would let an index append at its right edge; a permutation ascends about half the time.
        int ascending = 0;
        for (long id = 1; id < IDS; id++) {
            if (Rows.email(id).compareTo(Rows.email(id - 1)) > 0) {
                ascending++;
            }
        }
        double share = ascending / (double) (IDS - 1);
        assertTrue(share > 0.4 && share < 0.6, () -> "share of ascending neighbours: " + share);
    }

    @Test
    void emailsLookLikeAddresses() {
        String e = Rows.email(12345);
        assertTrue(e.matches("user[0-9a-z]{8}@example\\.com"), e);
        assertEquals(e, Rows.email(12345));
        assertThrows(IllegalArgumentException.class, () -> Rows.email(-1));
    }
}
