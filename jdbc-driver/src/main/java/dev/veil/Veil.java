package dev.veil;

import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.ConnectionFactory;
import dev.veil.keys.DataKeyManager;
import dev.veil.keys.DataKeyStore;
import dev.veil.keys.MasterKeyProvider;
import dev.veil.keys.MasterKeyProviders;
import dev.veil.metrics.EngineStats;
import dev.veil.metrics.MetricsRegistration;
import dev.veil.metrics.VeilMetrics;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.KeyStoreSettings;
import dev.veil.policy.Policy;
import dev.veil.search.SearchTokens;
import dev.veil.sql.SqlAnalyzer;

import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine for one policy: its key manager, one {@link ColumnCipher} per encrypted column, and
 * the SQL analyzer with its plan cache. Built once and shared by every connection; immutable apart
 * from its caches, and thread-safe.
 */
public final class Veil implements AutoCloseable {
    /** Distinct SQL texts whose plans are kept; apps with more reuse the most recent ones. */
    public static final int PLAN_CACHE_SIZE = 4096;

    private final Policy policy;
    private final DataKeyManager keys;
    /*
     * Keyed by identity: every ColumnPolicy in play is this policy's own instance (plans, tables and
     * jobs all hand them out), and a record-equality lookup would deep-hash nested records once per
     * encrypted value.
     */
    private final Map<ColumnPolicy, ColumnCipher> ciphers;
    private final Map<ColumnPolicy, SearchTokens> searchTokens;
    private final SqlAnalyzer analyzer;
    private final EngineStats stats;
    private final MetricsRegistration registration;

    private Veil(Policy policy, DataKeyManager keys) {
        this.policy = policy;
        this.keys = keys;
        this.analyzer = new SqlAnalyzer(policy, PLAN_CACHE_SIZE);
        VeilMetrics metrics = keys.metrics();
        this.ciphers = new IdentityHashMap<>();
        // search tokens are deterministic whatever the column's mode: their rings keep the same rotation invariants
        List<String> deterministicRings = new ArrayList<>();
        for (ColumnPolicy c : policy.columns()) {
            if (c.isDeterministic() || c.isSearchable()) {
                deterministicRings.add(c.keyRing());
            }
        }
        keys.useDeterministically(deterministicRings);
        this.searchTokens = new IdentityHashMap<>();
        for (ColumnPolicy c : policy.columns()) {
            ciphers.put(c, new ColumnCipher(c, keys, policy.keys().onMissingKey(c.keyRing()), metrics));
            if (c.isSearchable()) {
                searchTokens.put(c, new SearchTokens(c, keys));
            }
        }
        // classes rather than method references: each reference spins a class at its first use, and this runs
        // when the first connection of a JVM builds its engine
        DataKeyManager k = keys;
        SqlAnalyzer a = analyzer;
        this.stats = new EngineStats(policy.source(), metrics, new java.util.function.IntSupplier() {
            @Override
            public int getAsInt() {
                return k.cachedKeys();
            }
        }, new java.util.function.LongSupplier() {
            @Override
            public long getAsLong() {
                return a.refusedStatements();
            }
        }, new java.util.function.IntSupplier() {
            @Override
            public int getAsInt() {
                return a.cachedPlans();
            }
        }, policy.keyRings(), new java.util.function.Function<String, java.time.Instant>() {
            @Override
            public java.time.Instant apply(String ring) {
                return k.writeKeyExpiry(ring);
            }
        });
        this.registration = MetricsRegistration.register(stats);
    }

    /**
     * Opens the engine: creates the policy's master-key provider and the data-key store.
     *
     * @param applicationDatabase opens plain connections to the application's database, where the
     *        key table lives unless the policy names another database ({@code keys.store.url})
     * @throws VeilException {@code VE001} for invalid settings, {@code VE002} when the master key
     *         cannot be reached
     */
    public static Veil open(Policy policy, ConnectionFactory applicationDatabase) throws VeilException {
        MasterKeyProvider master = MasterKeyProviders.create(policy.keys().master());
        try {
            return open(policy, master, applicationDatabase);
        } catch (VeilException | RuntimeException e) {
            master.close();
            throw e;
        }
    }

    /** Opens the engine with an already created master-key provider (tools, tests). */
    public static Veil open(Policy policy, MasterKeyProvider master, ConnectionFactory applicationDatabase) throws VeilException {
        DataKeyStore store = new DataKeyStore(keyDatabase(policy, applicationDatabase), policy.keys().store().table());
        return new Veil(policy, new DataKeyManager(store, master, policy.keys(), Clock.systemUTC(),
                DataKeyManager.DEFAULT_NONCE_BUDGET, new VeilMetrics()));
    }

    /**
     * Connections to the database that holds the key table: the policy's {@code keys.store.url}
     * when it names one, else the application's database.
     *
     * @throws VeilException {@code VE011} when the key store's password variable is not set
     */
    public static ConnectionFactory keyDatabase(Policy policy, ConnectionFactory applicationDatabase) throws VeilException {
        KeyStoreSettings s = policy.keys().store();
        if (s.url() == null) {
            return applicationDatabase;
        }
        String password = s.passwordEnv() == null ? null : System.getenv(s.passwordEnv());
        if (s.passwordEnv() != null && password == null) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, policy.source() + ": environment variable "
                    + s.passwordEnv() + " for the key store's password is not set");
        }
        return () -> DriverManager.getConnection(s.url(), s.user(), password);
    }

    public Policy policy() {
        return policy;
    }

    public DataKeyManager keys() {
        return keys;
    }

    /** The engine's counters, as published over JMX ({@code dev.veil:type=Veil,…}) and Micrometer. */
    public EngineStats stats() {
        return stats;
    }

    /** The SQL analyzer, whose plans are cached per SQL text. */
    public SqlAnalyzer analyzer() {
        return analyzer;
    }

    /** The cipher of an encrypted column. */
    public ColumnCipher cipher(ColumnPolicy column) {
        ColumnCipher c = ciphers.get(column);
        if (c == null) {
            throw new IllegalArgumentException(column.column() + " is not a column of this policy");
        }
        return c;
    }

    /** The cipher of a column as the database names it, if the policy encrypts it. */
    public Optional<ColumnCipher> cipher(String schema, String table, String column) {
        return policy.column(schema, table, column).map(ciphers::get);
    }

    /**
     * The search tokens of a searchable column of this policy.
     *
     * @throws IllegalArgumentException when the column is not a searchable column of this policy
     */
    public SearchTokens searchTokens(ColumnPolicy column) {
        SearchTokens t = searchTokens.get(column);
        if (t == null) {
            throw new IllegalArgumentException(column.column() + " is not a searchable column of this policy");
        }
        return t;
    }

    /** Zeroizes cached keys and closes the master-key provider. */
    @Override
    public void close() {
        registration.close();
        searchTokens.values().forEach(SearchTokens::wipe);
        keys.close();
    }
}
