package dev.veil.bench;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TpccRandomTest {
    @Test
    void lastNamesAreThreeSyllables() {
        assertEquals("BARBARBAR", TpccRandom.lastName(0));
        assertEquals("OUGHTABLEPRI", TpccRandom.lastName(123));
        assertEquals("EINGEINGEING", TpccRandom.lastName(999));
        assertThrows(IllegalArgumentException.class, () -> TpccRandom.lastName(1000));
    }

    @Test
    void nonUniformIdsStayInRangeAndFavourSome() {
        TpccRandom r = new TpccRandom(new SplittableRandom(1));
        int[] hits = new int[3001];
        for (int i = 0; i < 300_000; i++) {
            int c = r.customerId(3000);
            assertTrue(c >= 1 && c <= 3000, () -> "customer id " + c);
            hits[c]++;
        }
        int max = 0;
        for (int h : hits) {
            max = Math.max(max, h);
        }
        assertTrue(max > 3 * 100, () -> "NURand should make some ids far more frequent than the uniform 100, most: " + hits.length);
    }

    @Test
    void namesLookedUpWereLoaded() {
        TpccRandom r = new TpccRandom(new SplittableRandom(2));
        Set<String> loaded = new HashSet<>();
        for (int c = 1; c <= 300; c++) {
            loaded.add(r.lastNameToLoad(c));
        }
        for (int i = 0; i < 10_000; i++) {
            String name = r.lastNameToFind(300);
            assertTrue(loaded.contains(name), name);
        }
    }

    @Test
    void theMixHasTheStandardWeights() {
        Map<TpccTransactions.Type, Integer> share = new EnumMap<>(TpccTransactions.Type.class);
        for (int draw = 0; draw < 100; draw++) {
            share.merge(TpccTransactions.Type.of(draw), 1, Integer::sum);
        }
        assertEquals(Map.of(TpccTransactions.Type.NEW_ORDER, 45, TpccTransactions.Type.PAYMENT, 43, TpccTransactions.Type.ORDER_STATUS, 4,
                TpccTransactions.Type.DELIVERY, 4, TpccTransactions.Type.STOCK_LEVEL, 4), share);
        assertThrows(IllegalArgumentException.class, () -> TpccTransactions.Type.of(100));
    }

    @Test
    void encryptedColumnsAreWidenedForTheirLongestCiphertext() {
        // vl1: + base64url of the envelope: 34 + n bytes randomized, 22 + n deterministic
        assertEquals("varchar(55)", TpccSchema.ENCRYPTED.get(0).type(dev.veil.policy.StorageFormat.TEXT));
        assertEquals("varchar(716)", TpccSchema.ENCRYPTED.get(4).type(dev.veil.policy.StorageFormat.TEXT));
        assertEquals("bytea", TpccSchema.ENCRYPTED.get(4).type(dev.veil.policy.StorageFormat.BINARY));
    }
}
