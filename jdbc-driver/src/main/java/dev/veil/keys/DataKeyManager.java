package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.DataKey;
import dev.veil.crypto.DataKeySource;
import dev.veil.metrics.VeilMetrics;
import dev.veil.policy.KeysPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Data keys for the engine: the active key of each ring (rotated on demand when it expires or
 * nears its nonce budget) and any key by id for decryption, unwrapped by the master key once and
 * cached in memory.
 *
 * <p>Rotation is safe when several processes race: each tries to insert the next version, the
 * table's unique constraint lets exactly one win, and the others adopt the winner's key.
 * Unwrapped keys are held in a bounded LRU cache; {@link #close()} zeroizes every key it holds.
 */
public final class DataKeyManager implements DataKeySource, AutoCloseable {
    /** Highest version first; a class rather than a lambda, as the first key read of a JVM sorts with it. */
    private static final Comparator<KeyRecord> NEWEST_FIRST = new Comparator<>() {
        @Override
        public int compare(KeyRecord a, KeyRecord b) {
            return Integer.compare(b.version(), a.version());
        }
    };

    /** Random 96-bit nonces per key before rotation, well below the 2^32 NIST limit. */
    public static final long DEFAULT_NONCE_BUDGET = 1L << 31;
    private static final Logger AUDIT = LoggerFactory.getLogger("veil.audit");
    private static final int MAX_ATTEMPTS = 5;
    /** How long a key this process could not unwrap is not tried again (each try may read a keystore or reach an HSM). */
    private static final long UNAVAILABLE_RETRY_MILLIS = 30_000;

    private final DataKeyStore store;
    private final MasterKeyProvider master;
    private final KeysPolicy policy;
    private final Clock clock;
    private final long nonceBudget;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final Map<String, Object> ringLocks = new ConcurrentHashMap<>();
    /** A ring's lock (a class rather than a lambda, which spins a class at first use: a JVM's first key read). */
    private static final java.util.function.Function<String, Object> NEW_LOCK = new java.util.function.Function<>() {
        @Override
        public Object apply(String ring) {
            return new Object();
        }
    };
    /** Unwrapped keys in eviction order (guarded by itself); {@link #byId} is the lock-free view readers use. */
    private final LinkedHashMap<Integer, DataKey> cache;
    private final Map<Integer, DataKey> byId = new ConcurrentHashMap<>();
    private final Map<Integer, Unavailable> unavailable = new ConcurrentHashMap<>();
    /** Rings that deterministic columns use: a new version of one is written only after the propagation delay. */
    private final Set<String> deterministicRings = ConcurrentHashMap.newKeySet();
    private final VeilMetrics metrics;
    /** When each ring's write key expires, as last read here ({@link Instant#MAX}: never); for the expiry gauge. */
    private final Map<String, Instant> writeKeyExpiry = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A key that could not be unwrapped here, and until when that answer stands. */
    private record Unavailable(VeilState state, String message, long untilMillis) {
    }

    /**
     * A ring as this process last saw it: the key new values are written with, every live version's
     * key (the write key first) for equality lookups on deterministic columns, and until when this
     * view holds (the next re-read, the write key's expiry, or the moment a newer version becomes
     * the write key).
     */
    private record Active(DataKey key, long validUntilMillis, AtomicLong nonces, DataKey[] lookup) {
    }

    public DataKeyManager(DataKeyStore store, MasterKeyProvider master, KeysPolicy policy) {
        this(store, master, policy, Clock.systemUTC(), DEFAULT_NONCE_BUDGET);
    }

    /** For tests: a clock to move time, and a small nonce budget. */
    public DataKeyManager(DataKeyStore store, MasterKeyProvider master, KeysPolicy policy, Clock clock, long nonceBudget) {
        this(store, master, policy, clock, nonceBudget, new VeilMetrics());
    }

    /** With the engine's counters (key-cache hits, unwraps). */
    public DataKeyManager(DataKeyStore store, MasterKeyProvider master, KeysPolicy policy, Clock clock, long nonceBudget, VeilMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.master = master;
        this.policy = policy;
        this.clock = clock;
        this.nonceBudget = nonceBudget;
        int capacity = policy.cacheSize();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, DataKey> eldest) {
                if (size() > capacity) {
                    // a thread using it right now notices (DataKey#isDestroyed) and fetches it again
                    byId.remove(eldest.getKey());
                    eldest.getValue().destroy();
                    return true;
                }
                return false;
            }
        };
    }

    public DataKeyStore store() {
        return store;
    }

    public MasterKeyProvider master() {
        return master;
    }

    public KeysPolicy policy() {
        return policy;
    }

    /** The counters this manager reports key-cache hits and unwraps to. */
    public VeilMetrics metrics() {
        return metrics;
    }

    @Override
    public DataKey activeKey(String ring, boolean consumesNonce) throws VeilException {
        Active a = active.get(ring);
        long now = clock.millis();
        if (a != null && !a.key.isDestroyed() && now < a.validUntilMillis
                && (!consumesNonce || a.nonces.incrementAndGet() <= nonceBudget)) {
            return a.key;
        }
        Active fresh = refresh(ring, a);
        if (consumesNonce) {
            fresh.nonces.incrementAndGet();
        }
        return fresh.key;
    }

    /**
     * The keys an equality lookup on a deterministic column of {@code ring} must try: one per
     * version that may hold values (active and decrypt-only versions, a version created but not yet
     * written included; never retired or destroyed ones), the write key first. This view is read
     * again from the key table at least every {@code keys.refresh-after}.
     *
     * <p>The array is shared: callers must not change it.
     *
     * @throws VeilException as {@link #activeKey}, or when a live version cannot be unwrapped
     */
    @Override
    public DataKey[] lookupKeys(String ring) throws VeilException {
        Active a = active.get(ring);
        if (a != null && clock.millis() < a.validUntilMillis && usableLookup(a)) {
            return a.lookup;
        }
        return refresh(ring, a).lookup;
    }

    private static boolean usableLookup(Active a) {
        for (DataKey k : a.lookup) {
            if (k.isDestroyed()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Marks rings that deterministic columns use. A new version of such a ring (rotated on demand
     * or on expiry) is not used for writes until twice {@code keys.refresh-after} after its
     * creation: every process, re-reading its view at least every {@code refresh-after}, looks up
     * under it (and takes the value locks of unique columns) from the first {@code refresh-after}
     * on, and a write it began before it knew of the version has another {@code refresh-after} to
     * end before any value is written with it.
     */
    public void useDeterministically(Iterable<String> rings) {
        for (String ring : rings) {
            deterministicRings.add(ring);
        }
    }

    /**
     * When the key this process writes {@code ring} with expires, as of its last read of the key
     * table (no database access here): {@link Instant#MAX} when it never expires, {@code null}
     * when this process has not used the ring yet.
     */
    public Instant writeKeyExpiry(String ring) {
        return writeKeyExpiry.get(ring);
    }

    /** Whether deterministic columns use {@code ring} (see {@link #useDeterministically}). */
    public boolean isDeterministic(String ring) {
        return deterministicRings.contains(ring);
    }

    /**
     * How long a new version of {@code ring} waits before it is written: twice
     * {@code keys.refresh-after} for rings deterministic columns use (see
     * {@link #useDeterministically}), zero for the others.
     */
    public Duration propagationDelay(String ring) {
        Duration refresh = policy.refreshAfter();
        return deterministicRings.contains(ring) && refresh != null ? refresh.multipliedBy(2) : Duration.ZERO;
    }

    /**
     * When the newest version of {@code ring} becomes its write key, or {@code null} when it
     * already is (read from the key table now).
     */
    public Instant pendingUntil(String ring) throws VeilException {
        Instant now = clock.instant();
        Duration delay = propagationDelay(ring);
        KeyRecord newest = null;
        int live = 0;
        for (KeyRecord k : store.ring(ring)) {
            if (live(k) && k.wrapped() != null) {
                live++;
                if (newest == null || k.version() > newest.version()) {
                    newest = k;
                }
            }
        }
        if (newest == null || live < 2 || delay.isZero()) {
            return null; // a ring's only version is written at once: no value can be under another
        }
        Instant at = newest.createdAt().plus(delay);
        return at.isAfter(now) ? at : null;
    }

    /**
     * Reads the current view of each ring that this process has not read yet (its write key and,
     * for deterministic rings, every live version), unwrapping the keys as the first encryption
     * would, so that the first statement finds them cached. Only reads: a ring with no usable key
     * is left for the first encryption to create or rotate, and a key table that does not exist
     * stays missing. A ring that cannot be read or unwrapped is skipped; the first use reads it
     * again and reports the failure as before. A caller using a ring meanwhile waits for its read.
     *
     * @return how many rings were read and are now cached
     */
    public int preload(Iterable<String> rings) {
        return preload(rings, null);
    }

    /**
     * {@link #preload(Iterable)} reading the key table through {@code reading}, a connection to
     * the key table's database in auto-commit mode (each read is its own transaction; the
     * connection is left open and as it was), instead of a connection of the key store's own.
     */
    public int preload(Iterable<String> rings, java.sql.Connection reading) {
        int loaded = 0;
        for (String ring : rings) {
            synchronized (ringLocks.computeIfAbsent(ring, NEW_LOCK)) {
                if (closed || active.containsKey(ring)) {
                    continue;
                }
                try {
                    Active view = loadOrRotate(ring, -1, false, reading);
                    if (view != null) {
                        active.put(ring, view);
                        loaded++;
                    }
                } catch (VeilException | RuntimeException e) {
                    LoggerFactory.getLogger(DataKeyManager.class).debug("preloading key ring {} failed; its first use reads it again: {}",
                            ring, e.toString());
                }
            }
        }
        return loaded;
    }

    private Active refresh(String ring, Active seen) throws VeilException {
        synchronized (ringLocks.computeIfAbsent(ring, NEW_LOCK)) {
            checkOpen();
            Active current = active.get(ring);
            if (current != seen && current != null && usable(current, clock.millis())) {
                return current;
            }
            boolean budgetSpent = seen != null && seen.nonces.get() > nonceBudget;
            Active fresh = loadOrRotate(ring, budgetSpent ? seen.key.id() : -1, true, null);
            active.put(ring, fresh);
            return fresh;
        }
    }

    private boolean usable(Active a, long now) {
        return !a.key.isDestroyed() && now < a.validUntilMillis && a.nonces.get() < nonceBudget && usableLookup(a);
    }

    private static boolean live(KeyRecord k) {
        return k.state() == KeyState.ACTIVE || k.state() == KeyState.DECRYPT_ONLY;
    }

    /**
     * Finds the ring's active key in the store, creating the next version when there is none or
     * it has expired (or is {@code exhaustedKeyId}, whose nonce budget this process spent); or,
     * unless {@code mayCreate}, returns {@code null} there. Reads through {@code reading} when not
     * {@code null} (see {@link #preload(Iterable, java.sql.Connection)}).
     */
    private Active loadOrRotate(String ring, int exhaustedKeyId, boolean mayCreate, java.sql.Connection reading) throws VeilException {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            List<KeyRecord> keys = reading != null ? store.ring(ring, reading) : store.ring(ring);
            KeyRecord newest = null;
            int maxVersion = 0;
            for (KeyRecord k : keys) {
                maxVersion = Math.max(maxVersion, k.version());
                if (k.state() == KeyState.ACTIVE && (newest == null || k.version() > newest.version())) {
                    newest = k;
                }
            }
            Duration delay = propagationDelay(ring);
            boolean pending = newest != null && delay.compareTo(Duration.ZERO) > 0 && now.isBefore(newest.createdAt().plus(delay));
            if (newest != null && (pending || !newest.expiredAt(now)) && newest.keyId() != exhaustedKeyId) {
                return view(ring, keys, newest, pending, delay, now);
            }
            if (!mayCreate) {
                return null;
            }
            KeyRecord created = create(ring, maxVersion + 1, now);
            if (created != null) {
                AUDIT.info("key {} ring={} version={} id={} master={}", maxVersion == 0 ? "created" : "rotated",
                        ring, created.version(), created.keyId(), created.masterKeyId());
                List<KeyRecord> withCreated = new ArrayList<>(keys);
                withCreated.add(created);
                boolean waits = maxVersion > 0 && delay.compareTo(Duration.ZERO) > 0;
                return view(ring, withCreated, created, waits, delay, now);
            }
            // another process created this version first: read the ring again and use its key
        }
        throw new VeilException(VeilState.KEY_STORE_FAILURE, "could not create or find an active key for ring '" + ring
                + "' after " + MAX_ATTEMPTS + " attempts");
    }

    /**
     * The view of a ring whose newest active version is {@code newest}. While {@code newest} is
     * pending (younger than the propagation delay), values are still written with the newest older
     * live version, so that no process that has not yet seen {@code newest} can miss them.
     */
    private Active view(String ring, List<KeyRecord> keys, KeyRecord newest, boolean pending, Duration delay, Instant now)
            throws VeilException {
        List<KeyRecord> live = new ArrayList<>();
        for (KeyRecord k : keys) {
            if (live(k)) {
                live.add(k);
            }
        }
        live.sort(NEWEST_FIRST);
        KeyRecord write = newest;
        if (pending) {
            for (KeyRecord k : live) {
                if (k.version() < newest.version() && k.wrapped() != null) {
                    write = k;
                    break;
                }
            }
        }
        long until = recheckAt(now);
        if (write != newest) {
            until = Math.min(until, newest.createdAt().plus(delay).toEpochMilli());
        } else if (newest.expiresAt() != null) {
            until = Math.min(until, newest.expiresAt().toEpochMilli());
        }
        DataKey writeKey = key(write);
        writeKeyExpiry.put(ring, write.expiresAt() == null ? Instant.MAX : write.expiresAt());
        DataKey[] lookup;
        if (deterministicRings.contains(ring)) {
            List<DataKey> all = new ArrayList<>();
            all.add(writeKey);
            for (KeyRecord k : live) {
                if (k != write && k.wrapped() != null) {
                    all.add(key(k));
                }
            }
            lookup = all.toArray(new DataKey[0]);
        } else {
            lookup = new DataKey[] {writeKey};
        }
        return new Active(writeKey, until, new AtomicLong(), lookup);
    }

    private long recheckAt(Instant now) {
        Duration refresh = policy.refreshAfter();
        return refresh == null ? Long.MAX_VALUE : now.plus(refresh).toEpochMilli();
    }

    /**
     * Creates version {@code version} of a ring now, as its active key.
     *
     * @return the new key, or {@code null} if another process created that version first
     */
    private KeyRecord create(String ring, int version, Instant now) throws VeilException {
        byte[] dek = new byte[DataKey.KEY_BYTES];
        random.nextBytes(dek);
        try {
            Duration lifetime = policy.rotateAfter(ring);
            String kek = policy.masterKeyId(ring) != null ? policy.masterKeyId(ring) : master.masterKeyId();
            KeyRecord record = new KeyRecord(1 + random.nextInt(Integer.MAX_VALUE - 1), ring, version, KeyState.ACTIVE,
                    now, lifetime == null ? null : now.plus(lifetime), kek, master.wrap(kek, dek));
            if (!store.insertActive(record)) {
                return null;
            }
            cache(record.keyId(), derive(record.keyId(), dek));
            return record;
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /**
     * Creates the next version of a ring now, whether or not the current one expired (on-demand
     * rotation, {@code veil keys rotate}).
     */
    public KeyRecord rotate(String ring) throws VeilException {
        synchronized (ringLocks.computeIfAbsent(ring, NEW_LOCK)) {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                int max = store.ring(ring).stream().mapToInt(KeyRecord::version).max().orElse(0);
                KeyRecord created = create(ring, max + 1, clock.instant());
                if (created != null) {
                    AUDIT.info("key rotated ring={} version={} id={} master={}", ring, created.version(), created.keyId(), created.masterKeyId());
                    active.remove(ring);
                    return created;
                }
            }
        }
        throw new VeilException(VeilState.KEY_STORE_FAILURE, "could not rotate ring '" + ring + "': too many concurrent rotations");
    }

    @Override
    public DataKey key(int keyId) throws VeilException {
        // every decryption asks for its key: a lock-free read, not the LRU's lock (so eviction order
        // follows when keys were loaded, which is close enough for a cache this rarely full)
        DataKey k = byId.get(keyId);
        if (k != null) {
            metrics.keyCacheHit();
            return k;
        }
        checkOpen();
        Unavailable u = unavailable.get(keyId);
        if (u != null) {
            if (clock.millis() < u.untilMillis) {
                throw new VeilException(u.state, u.message);
            }
            unavailable.remove(keyId, u);
        }
        try {
            return load(keyId);
        } catch (VeilException e) {
            if (e.state() == VeilState.MASTER_KEY_UNAVAILABLE || e.state() == VeilState.KEY_UNWRAP_FAILED) {
                unavailable.put(keyId, new Unavailable(e.state(), e.getMessage(), clock.millis() + UNAVAILABLE_RETRY_MILLIS));
            }
            throw e;
        }
    }

    private DataKey load(int keyId) throws VeilException {
        KeyRecord record = store.find(keyId).orElseThrow(() -> new VeilException(VeilState.KEY_NOT_FOUND,
                "data key " + keyId + " is not in key table " + store.table()));
        return key(record);
    }

    private DataKey key(KeyRecord record) throws VeilException {
        synchronized (cache) {
            DataKey k = cache.get(record.keyId());
            if (k != null) {
                return k;
            }
        }
        if (record.state() == KeyState.DESTROYED || record.wrapped() == null) {
            throw new VeilException(VeilState.KEY_DESTROYED, "data key " + record.keyId() + " (ring " + record.ring()
                    + " version " + record.version() + ") was destroyed; values encrypted with it cannot be read");
        }
        byte[] dek = master.unwrap(record.masterKeyId(), record.wrapped());
        metrics.keyUnwrapped();
        try {
            AUDIT.info("key unwrapped ring={} version={} id={} master={}", record.ring(), record.version(), record.keyId(), record.masterKeyId());
            return cache(record.keyId(), derive(record.keyId(), dek));
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    private DataKey cache(int keyId, DataKey key) throws VeilException {
        synchronized (cache) {
            if (closed) {
                // closed while this key was unwrapped (a background preload): never keep it past close()
                key.destroy();
                checkOpen();
            }
            DataKey existing = cache.putIfAbsent(keyId, key);
            if (existing != null) {
                key.destroy();
                return existing;
            }
            byId.put(keyId, key);
            return key;
        }
    }

    private static DataKey derive(int keyId, byte[] dek) throws VeilException {
        try {
            return DataKey.derive(keyId, dek);
        } catch (GeneralSecurityException e) {
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "data key " + keyId + " is not a valid AES-256 key", e);
        }
    }

    /** Drops this process's view of a ring's active key, so the next encryption looks again. */
    public void forget(String ring) {
        active.remove(ring);
    }

    /** Forgets which keys could not be unwrapped, so the next use tries again (after a keystore fix). */
    public void retryUnavailable() {
        unavailable.clear();
    }

    /** How many unwrapped keys are cached (for tests and metrics). */
    public int cachedKeys() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private void checkOpen() throws VeilException {
        if (closed) {
            throw new VeilException(VeilState.KEY_STORE_FAILURE, "the key manager is closed");
        }
    }

    /** Zeroizes every unwrapped key and closes the master-key provider. */
    @Override
    public void close() {
        closed = true;
        active.clear();
        synchronized (cache) {
            byId.clear();
            cache.values().forEach(DataKey::destroy);
            cache.clear();
        }
        master.close();
    }
}
