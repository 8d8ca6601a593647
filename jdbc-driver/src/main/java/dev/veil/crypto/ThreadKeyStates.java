package dev.veil.crypto;

import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Each thread's prepared cipher states (key schedules, hash tables) for its most recently used
 * keys, looked up by the identity of the key object: a {@link DataKey} hands out the same object
 * until it is destroyed. Preparing a key costs far more than sealing a short value, and the states
 * are not thread-safe, hence one small cache per thread. Code that alternates keys (reading rows
 * written under several key versions, rekeying) finds each one ready. An evicted state is wiped.
 *
 * @param <K> the key type; compared by identity
 * @param <S> the prepared state
 */
final class ThreadKeyStates<K, S> {
    /** Prepares the state of a key. */
    interface Factory<K, S> {
        S create(K key) throws GeneralSecurityException;
    }

    private final ThreadLocal<Cache<K, S>> caches;
    private final Factory<K, S> factory;
    private final Consumer<S> destroy;

    /**
     * @param capacity states kept per thread
     * @param destroy  wipes a state that is evicted or discarded
     */
    ThreadKeyStates(int capacity, Factory<K, S> factory, Consumer<S> destroy) {
        this.factory = factory;
        this.destroy = destroy;
        this.caches = new ThreadLocal<>() { // not withInitial's lambda, which spins a class at first use
            @Override
            protected Cache<K, S> initialValue() {
                return new Cache<>(capacity, destroy);
            }
        };
    }

    /** This thread's state for {@code key}, prepared on first use. */
    S get(K key) throws GeneralSecurityException {
        Cache<K, S> cache = caches.get();
        // almost every call asks for the key the last one did: no map lookup then
        if (cache.lastKey == key) {
            return cache.lastState;
        }
        Identity<K> id = new Identity<>(key);
        S state = cache.get(id);
        if (state == null) {
            state = factory.create(key);
            cache.put(id, state);
        }
        cache.lastKey = key;
        cache.lastState = state;
        return state;
    }

    /** Drops and wipes this thread's state for a key, after an unexpected failure left it unknown. */
    void discard(K key) {
        Cache<K, S> cache = caches.get();
        cache.lastKey = null;
        cache.lastState = null;
        S state = cache.remove(new Identity<>(key));
        if (state != null) {
            destroy.accept(state);
        }
    }

    /** Drops and wipes all of this thread's states (tests). */
    void clear() {
        caches.get().values().forEach(destroy);
        caches.remove();
    }

    /** A key compared by identity, whatever its class's {@code equals} says. */
    private record Identity<K>(K key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Identity<?> other && other.key == key;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(key);
        }
    }

    /**
     * Least recently used first. The last key is served without touching the order, so a key used
     * constantly can still age out while others come and go; it is then prepared again. Eviction
     * happens only inside {@link #get}'s slow path, which then makes the new state the last one, so
     * the last state is never a wiped one.
     */
    private static final class Cache<K, S> extends LinkedHashMap<Identity<K>, S> {
        private final int capacity;
        private final transient Consumer<S> destroy;
        K lastKey;
        S lastState;

        Cache(int capacity, Consumer<S> destroy) {
            super(16, 0.75f, true);
            this.capacity = capacity;
            this.destroy = destroy;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity<K>, S> eldest) {
            if (size() > capacity) {
                destroy.accept(eldest.getValue());
                return true;
            }
            return false;
        }
    }
}
