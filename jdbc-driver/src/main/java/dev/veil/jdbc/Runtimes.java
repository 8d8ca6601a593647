package dev.veil.jdbc;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link Runtime} per policy file for the whole JVM, built on first use and shared by every
 * connection that names the policy. Failures are not cached: a connection attempt after fixing
 * the keystore or the policy succeeds.
 */
final class Runtimes {
    /**
     * The engine plus the JDBC layer's shared caches for one policy (column lists of databases Veil
     * reads no catalog of; catalog snapshots), whether the policy fits each database reached, and
     * its background rekey, if any.
     */
    record Runtime(Veil veil, SchemaCache schema, Catalogs catalogs, PolicyFit fit, dev.veil.jobs.BackgroundRekeyer rekeyer) {
        void close() {
            if (rekeyer != null) {
                rekeyer.close();
            }
            veil.close();
        }
    }

    private static final Map<String, Runtime> BY_POLICY = new ConcurrentHashMap<>();

    private Runtimes() {
    }

    /**
     * The runtime of a policy.
     *
     * @param policyPath the policy file; {@code null} fails with a message saying how to name one
     * @param keyDatabase plain connections to the application's database, for the key table
     */
    static Runtime forPolicy(String policyPath, ConnectionFactory keyDatabase) throws VeilException {
        if (policyPath == null) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "no Veil policy given: set the connection property or URL parameter "
                    + VeilProperty.POLICY.key() + ", the system property veil.policy, or the environment variable VEIL_POLICY");
        }
        String key = Path.of(policyPath).toAbsolutePath().normalize().toString();
        Runtime r = BY_POLICY.get(key);
        if (r != null) {
            return r;
        }
        synchronized (Runtimes.class) {
            r = BY_POLICY.get(key);
            if (r == null) {
                Policy policy = PolicyLoader.load(Path.of(key));
                Veil veil = Veil.open(policy, keyDatabase);
                SchemaCache schema = new SchemaCache(policy.schemaRefreshAfter().orElse(null));
                r = new Runtime(veil, schema, new Catalogs(policy, veil.analyzer()), new PolicyFit(policy, veil.stats().metrics()),
                        dev.veil.jobs.BackgroundRekeyer.startIfRequested(veil, keyDatabase));
                BY_POLICY.put(key, r);
            }
            return r;
        }
    }

    /** Closes every runtime (zeroizing keys); later connections build new ones. For tests and shutdown hooks. */
    static synchronized void closeAll() {
        BY_POLICY.values().forEach(Runtime::close);
        BY_POLICY.clear();
    }
}
