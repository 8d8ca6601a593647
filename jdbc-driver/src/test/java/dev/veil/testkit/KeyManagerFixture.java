package dev.veil.testkit;

import dev.veil.VeilException;
import dev.veil.keys.ConnectionFactory;
import dev.veil.keys.DataKeyManager;
import dev.veil.keys.DataKeyStore;
import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.KeysPolicy;
import dev.veil.policy.PolicyLoader;

import java.nio.file.Path;
import java.time.Clock;

/** Builds real key managers (PKCS#12 master key, JDBC key table) over any database. */
public final class KeyManagerFixture {
    private final Path keystore;
    private final ConnectionFactory database;

    public KeyManagerFixture(Path keystore, ConnectionFactory database) {
        this.keystore = keystore;
        this.database = database;
    }

    /** The keys section of a policy with this keystore and the given extra lines (e.g. "rotate-after: 1d"). */
    public KeysPolicy keysPolicy(String... extra) throws VeilException {
        return PolicyLoader.parse("version: 1\n" + TestKeys.keysYaml(keystore, extra), "test.yaml").keys();
    }

    public DataKeyManager manager(Clock clock, long nonceBudget, String... extra) throws VeilException {
        KeysPolicy keys = keysPolicy(extra);
        return new DataKeyManager(new DataKeyStore(database, keys.store().table()),
                new Pkcs12MasterKeyProvider(keystore, TestKeys.password(), TestKeys.ALIAS), keys, clock, nonceBudget);
    }

    public DataKeyManager manager(String... extra) throws VeilException {
        return manager(Clock.systemUTC(), DataKeyManager.DEFAULT_NONCE_BUDGET, extra);
    }
}
