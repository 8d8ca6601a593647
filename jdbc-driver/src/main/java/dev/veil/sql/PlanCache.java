package dev.veil.sql;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded, thread-safe map from a SQL text (with its resolution context) to what was computed for it.
 *
 * <p>Reads are lock-free ({@link ConcurrentHashMap#get} plus setting a flag). When the cache
 * overflows, a CLOCK-style sweep drops entries not read since the previous sweep (a cheap
 * approximation of LRU), down to 90% of the capacity so sweeps are rare.
 *
 * @param <K> the key
 * @param <V> the cached value
 */
final class PlanCache<K, V> {
    private final int capacity;
    private final ConcurrentHashMap<K, Entry<V>> map;
    private final Object sweepLock = new Object();

    PlanCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.map = new ConcurrentHashMap<>(Math.min(capacity, 1024) * 2);
    }

    /** The value for a key, or {@code null}. */
    V get(K key) {
        Entry<V> e = map.get(key);
        if (e == null) {
            return null;
        }
        if (!e.used) {
            e.used = true;
        }
        return e.value;
    }

    /** Stores a value unless one is already there; returns the value now cached. */
    V putIfAbsent(K key, V value) {
        Entry<V> previous = map.putIfAbsent(key, new Entry<>(value));
        if (previous != null) {
            return previous.value;
        }
        if (map.size() > capacity) {
            sweep(key);
        }
        return value;
    }

    int size() {
        return map.size();
    }

    /** Drops every entry. */
    void clear() {
        map.clear();
    }

    /** Drops entries not read since the last sweep, never the one just added ({@code keep}). */
    private void sweep(K keep) {
        synchronized (sweepLock) {
            int target = Math.max(1, capacity - capacity / 10);
            // at most two rounds: the first clears flags, the second finds them still clear
            for (int round = 0; round < 2 && map.size() > target; round++) {
                Iterator<Map.Entry<K, Entry<V>>> it = map.entrySet().iterator();
                while (it.hasNext() && map.size() > target) {
                    Map.Entry<K, Entry<V>> next = it.next();
                    Entry<V> e = next.getValue();
                    if (next.getKey().equals(keep)) {
                        continue;
                    }
                    if (e.used && round == 0) {
                        e.used = false;
                    } else {
                        it.remove();
                    }
                }
            }
        }
    }

    private static final class Entry<V> {
        final V value;
        volatile boolean used;

        Entry(V value) {
            this.value = value;
        }
    }
}
