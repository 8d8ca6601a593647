package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanCacheTest {

    @Test
    void keepsTheFirstValueStored() {
        PlanCache<String, Object> cache = new PlanCache<>(4);
        Object a = new Object();
        assertSame(a, cache.putIfAbsent("k", a));
        assertSame(a, cache.putIfAbsent("k", new Object()));
        assertSame(a, cache.get("k"));
        assertNull(cache.get("other"));
    }

    @Test
    void evictsUnusedEntriesBeforeUsedOnes() {
        PlanCache<String, Integer> cache = new PlanCache<>(10);
        for (int i = 0; i < 10; i++) {
            cache.putIfAbsent("k" + i, i);
        }
        cache.get("k3");
        cache.putIfAbsent("new", 99);
        assertTrue(cache.size() <= 10);
        assertEquals(3, cache.get("k3"));
        assertEquals(99, cache.get("new"));
    }

    @Test
    void staysBoundedUnderConcurrentUse() throws Exception {
        PlanCache<String, Integer> cache = new PlanCache<>(100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 10_000;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        cache.putIfAbsent("k" + (base + i), i);
                        cache.get("k" + (base + i / 2));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(cache.size() <= 100 + 4, "size " + cache.size());
    }
}
