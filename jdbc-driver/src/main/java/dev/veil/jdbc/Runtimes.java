package dev.veil.jdbc;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.keys.ConnectionFactory;
import dev.veil.keys.MasterKeyProvider;
import dev.veil.keys.MasterKeyProviders;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.sql.SqlAnalyzer;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Runtime} per policy file for the whole JVM, built on first use and shared by every
 * connection that names the policy. Failures are not cached: a connection attempt after fixing
 * the keystore or the policy succeeds.
 *
 * <p>Reading the policy and opening its master key (a PKCS#12 keystore runs its password-based
 * key derivation) cost a fresh JVM a few hundred milliseconds, so {@link #prepare} starts them on
 * a background thread while the real driver connects (or, under the agent, while the application
 * starts); the first runtime built for that file takes the result. The same thread then readies
 * the logging backend for its first record ({@link LoggingWarmUp}), loads the SQL parser's
 * classes ({@link SqlAnalyzer#warmUp}) and sets the ciphers up under a throwaway key
 * ({@link dev.veil.crypto.ColumnCipher#warmUp}). Once a runtime is built for a
 * {@code Driver#connect}, its key rings are read when its first connection is admitted ({@link Runtime#readKeys}).
 * A preparation that failed is
 * dropped and the work done again on the connecting thread, so errors surface as before.
 */
final class Runtimes {
    /**
     * The engine plus the JDBC layer's shared caches for one policy (column lists of databases Veil
     * reads no catalog of; catalog snapshots), whether the policy fits each database reached, the
     * policy's transport check, its background rekey, if any, and the master key the background
     * preparation was still opening when the runtime was built ({@code null} when the building
     * thread opened it).
     */
    record Runtime(Veil veil, SchemaCache schema, Catalogs catalogs, PolicyFit fit, TransportGuard transport,
                   dev.veil.jobs.BackgroundRekeyer rekeyer, java.util.concurrent.atomic.AtomicBoolean keysUnread,
                   PendingMasterKey pendingKey) {
        /**
         * Whether the master key is open: at once for a runtime whose key was opened on the building
         * thread, else after waiting for the background opening ({@code false}: it failed, and the
         * runtime must not be used; see {@link Runtimes#confirmed}).
         */
        boolean keyOpened() {
            return pendingKey == null || pendingKey.opened();
        }

        /**
         * Reads the policy's key rings ({@link dev.veil.keys.DataKeyManager#preload}) once, for the
         * first connection admitted with a runtime a {@code Driver#connect} built, so that the first
         * encrypted value finds its key cached. When the key table is in the application's database
         * and {@code raw} (admitted, so past the transport and catalog checks) is in auto-commit mode,
         * they are read through it: each read is its own transaction, so the connection is handed
         * over as the real driver gave it, and no second connection (a new server process) is opened
         * for them. Otherwise they are read in the background over the key table's own connection.
         * Never fails: a ring that cannot be read is read again, and its failure reported, at first use.
         */
        void readKeys(java.sql.Connection raw) {
            if (!keysUnread.compareAndSet(true, false)) {
                return;
            }
            boolean here;
            try {
                here = veil.policy().keys().store().url() == null && raw.getAutoCommit();
            } catch (java.sql.SQLException | RuntimeException e) {
                here = false;
            }
            if (here) {
                veil.keys().preload(veil.policy().keyRings(), raw);
            } else {
                preloadKeys(veil);
            }
        }

        void close() {
            if (rekeyer != null) {
                rekeyer.close();
            }
            veil.close();
        }
    }

    /**
     * A policy read, not yet in use, and its master key being opened; {@code file} says which
     * version of the file was read.
     */
    private record Prepared(Policy policy, CompletableFuture<MasterKeyProvider> master, String file) {
        void close() {
            master.thenAccept(MasterKeyProvider::close);
        }
    }

    private static final Map<String, Runtime> BY_POLICY = new ConcurrentHashMap<>();
    private static final Map<String, CompletableFuture<Prepared>> PREPARING = new ConcurrentHashMap<>();

    private Runtimes() {
    }

    /**
     * Starts reading a policy and opening its master key on a background daemon thread, unless its
     * runtime exists or is being prepared already. Never fails: problems show when the runtime is built.
     */
    static void prepare(String policyPath) {
        if (policyPath == null) {
            return;
        }
        String key;
        try {
            key = key(policyPath);
        } catch (RuntimeException e) {
            return;
        }
        if (BY_POLICY.containsKey(key) || PREPARING.containsKey(key)) {
            return;
        }
        CompletableFuture<Prepared> f = new CompletableFuture<>();
        if (PREPARING.putIfAbsent(key, f) != null) {
            return;
        }
        Thread t = new Thread(new Runnable() { // not a lambda, which spins a class at first use
            @Override
            public void run() {
                try {
                    // SLF4J's start-up, before the connecting thread needs a logger
                    org.slf4j.ILoggerFactory loggers = LoggerFactory.getILoggerFactory();
                    String file = fileVersion(key);
                    Policy policy = PolicyLoader.load(Path.of(key));
                    CompletableFuture<MasterKeyProvider> master = new CompletableFuture<>();
                    f.complete(new Prepared(policy, master, file)); // the connecting thread builds the engine meanwhile
                    try {
                        master.complete(MasterKeyProviders.create(policy.keys().master()));
                    } catch (Throwable e) {
                        master.completeExceptionally(e);
                    }
                    if (loggers instanceof LoggingWarmUp w) {
                        w.warmUp(); // the connecting thread logs once the catalog check passed
                    }
                    // then what the first statements need, while the connecting thread is busy elsewhere
                    SqlAnalyzer.warmUp(policy);
                    dev.veil.crypto.ColumnCipher.warmUp(policy.columns());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }
        }, "veil-prepare");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The runtime of a policy.
     *
     * @param policyPath the policy file; {@code null} fails with a message saying how to name one
     * @param keyDatabase plain connections to the application's database, for the key table; each
     *        is held to the policy's {@code transport} section as application connections are
     * @param url the URL {@code keyDatabase} connects with, or {@code null} when unknown
     * @param info the properties {@code keyDatabase} connects with, or {@code null} when unknown
     */
    static Runtime forPolicy(String policyPath, ConnectionFactory keyDatabase, String url, java.util.Properties info) throws VeilException {
        return confirmed(policyPath, opening(policyPath, keyDatabase, url, info), keyDatabase, url, info);
    }

    /**
     * {@link #forPolicy}, without waiting for a master key the background preparation is still
     * opening: the caller does what needs no key (a new connection's transport and catalog checks)
     * meanwhile, then must pass the runtime through {@link #confirmed} before anything of it is used
     * or handed out. Its key, used before, waits for the opening and fails as it failed ({@code VE002}).
     */
    static Runtime opening(String policyPath, ConnectionFactory keyDatabase, String url, java.util.Properties info) throws VeilException {
        if (policyPath == null) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "no Veil policy given: set the connection property or URL parameter "
                    + VeilProperty.POLICY.key() + ", the system property veil.policy, or the environment variable VEIL_POLICY");
        }
        String key = key(policyPath);
        Runtime r = BY_POLICY.get(key);
        if (r != null) {
            return r;
        }
        synchronized (Runtimes.class) {
            r = BY_POLICY.get(key);
            if (r == null) {
                Prepared prepared = takePrepared(key);
                Policy policy = prepared != null ? prepared.policy() : PolicyLoader.load(Path.of(key));
                TransportGuard transport = new TransportGuard(policy.transport());
                ConnectionFactory keys = guarded(keyDatabase, transport, url, info);
                PendingMasterKey pending = null;
                Veil veil = null;
                if (prepared != null) {
                    pending = new PendingMasterKey(prepared.master());
                    veil = open(prepared, pending, keys);
                    if (veil != null && policy.backgroundRekey().isPresent() && !pending.opened()) {
                        veil.close(); // the background rekey starts below only with an open key
                        veil = null;
                    }
                }
                if (veil == null) {
                    pending = null;
                    veil = Veil.open(policy, keys);
                }
                SchemaCache schema = new SchemaCache(policy.schemaRefreshAfter().orElse(null));
                // with a URL (a Driver#connect), keyDatabase reaches the connection's database: its first admitted
                // connection reads the key rings (Runtime#readKeys)
                Catalogs catalogs = new Catalogs(policy, veil.analyzer());
                r = new Runtime(veil, schema, catalogs, new PolicyFit(policy, veil.stats().metrics(), catalogs), transport,
                        dev.veil.jobs.BackgroundRekeyer.startIfRequested(veil, keyDatabase), new java.util.concurrent.atomic.AtomicBoolean(url != null),
                        pending);
                BY_POLICY.put(key, r);
            }
            return r;
        }
    }

    /**
     * A runtime from {@link #opening}, once its master key is open; if the background opening
     * failed, the runtime is dropped (closed, not kept) and the policy's runtime built again on the
     * calling thread, so the error ({@code VE002}) is this thread's own, as for a policy nothing prepared.
     */
    static Runtime confirmed(String policyPath, Runtime r, ConnectionFactory keyDatabase, String url, java.util.Properties info)
            throws VeilException {
        if (r.keyOpened()) {
            return r;
        }
        synchronized (Runtimes.class) {
            if (BY_POLICY.remove(key(policyPath), r)) {
                r.close();
            }
        }
        return forPolicy(policyPath, keyDatabase, url, info);
    }

    /**
     * Reads the policy's key rings on a background daemon thread ({@link dev.veil.keys.DataKeyManager#preload}),
     * so that the key table's connection and the unwrapping overlap the new connection's first
     * statements instead of waiting for the first encrypted value. Only for runtimes a
     * {@code Driver#connect} built ({@link Runtime#readKeys}): its key connections are new physical
     * connections, where a data source's could be a pool's, which the application may be sizing
     * for its own use.
     */
    private static void preloadKeys(Veil veil) {
        Thread t = new Thread(() -> veil.keys().preload(veil.policy().keyRings()), "veil-keys-preload");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The policy a runtime is or will be built from: the runtime's, else the one being prepared,
     * else read now (and not kept).
     */
    static Policy policy(String policyPath) throws VeilException {
        String key = key(policyPath);
        Runtime r = BY_POLICY.get(key);
        if (r != null) {
            return r.veil().policy();
        }
        CompletableFuture<Prepared> f = PREPARING.get(key);
        if (f != null) {
            try {
                Prepared p = f.join();
                if (p.file().equals(fileVersion(key))) {
                    return p.policy();
                }
            } catch (RuntimeException e) {
                // read it again below, so the error is this thread's own
            }
        }
        return PolicyLoader.load(Path.of(key));
    }

    private static String key(String policyPath) {
        return Path.of(policyPath).toAbsolutePath().normalize().toString();
    }

    /** The background preparation of {@code key}, waited for; {@code null} if there was none or it failed. */
    private static Prepared takePrepared(String key) {
        CompletableFuture<Prepared> f = PREPARING.remove(key);
        if (f == null) {
            return null;
        }
        Prepared p;
        try {
            p = f.join();
        } catch (RuntimeException e) {
            // the logger is fetched here, not in a static field: the connecting thread would otherwise
            // initialise SLF4J (a service-loader scan) while the background thread could
            LoggerFactory.getLogger(Runtimes.class).debug("preparing policy {} failed; reading it again: {}", key, e.toString());
            return null;
        }
        if (!p.file().equals(fileVersion(key))) {
            p.close(); // the file changed since: read what it says now
            return null;
        }
        return p;
    }

    /** The policy file's size and modification time, to tell whether a preparation read the current file. */
    private static String fileVersion(String key) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = java.nio.file.Files.readAttributes(Path.of(key), java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toMillis();
        } catch (java.io.IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    /**
     * The engine of a prepared policy, built while the preparing thread still opens the master key
     * (nothing uses the key before the first statement; {@link #confirmed} waits for it); or
     * {@code null}, everything closed, if building it failed because opening the key failed: the
     * caller opens it again, so the error is its own, as for a policy nothing prepared.
     */
    private static Veil open(Prepared prepared, PendingMasterKey master, ConnectionFactory keyDatabase) throws VeilException {
        try {
            return Veil.open(prepared.policy(), master, keyDatabase);
        } catch (VeilException | RuntimeException e) {
            prepared.close();
            if (!master.opened()) {
                return null;
            }
            throw e;
        }
    }

    /** A master key another thread is opening; using it waits for that. Never prints anything of the key. */
    static final class PendingMasterKey implements MasterKeyProvider {
        private final CompletableFuture<MasterKeyProvider> opening;

        PendingMasterKey(CompletableFuture<MasterKeyProvider> opening) {
            this.opening = opening;
        }

        /** Waits for the key; whether it opened. */
        boolean opened() {
            try {
                opening.join();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }

        private MasterKeyProvider key() throws VeilException {
            try {
                return opening.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof VeilException v) {
                    throw v;
                }
                throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "the master key could not be opened", e.getCause());
            }
        }

        @Override
        public String masterKeyId() {
            return opening.join().masterKeyId();
        }

        @Override
        public byte[] wrap(byte[] dataKey) throws VeilException {
            return key().wrap(dataKey);
        }

        @Override
        public byte[] wrap(String masterKeyId, byte[] dataKey) throws VeilException {
            return key().wrap(masterKeyId, dataKey);
        }

        @Override
        public byte[] unwrap(String masterKeyId, byte[] wrapped) throws VeilException {
            return key().unwrap(masterKeyId, wrapped);
        }

        @Override
        public void close() {
            opening.thenAccept(MasterKeyProvider::close);
        }

        @Override
        public String toString() {
            return "PendingMasterKey[" + (opening.isDone() ? "done" : "opening") + "]";
        }
    }

    /** Key-table connections that pass the policy's transport check, as application connections must. */
    private static ConnectionFactory guarded(ConnectionFactory keyDatabase, TransportGuard transport, String url, java.util.Properties info) {
        return new ConnectionFactory() { // not a lambda, which spins a class at first use
            @Override
            public java.sql.Connection open() throws java.sql.SQLException {
                java.sql.Connection c = keyDatabase.open();
                try {
                    transport.admit(c, url, info);
                    return c;
                } catch (java.sql.SQLException | RuntimeException e) {
                    c.close();
                    throw e;
                }
            }
        };
    }

    /** Closes every runtime (zeroizing keys); later connections build new ones. For tests and shutdown hooks. */
    static synchronized void closeAll() {
        BY_POLICY.values().forEach(Runtime::close);
        BY_POLICY.clear();
        PREPARING.values().forEach(f -> f.thenAccept(Prepared::close));
        PREPARING.clear();
    }
}
