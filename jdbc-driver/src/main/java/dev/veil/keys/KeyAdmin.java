package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.metrics.VeilMetrics;
import dev.veil.policy.MasterKeySettings;
import dev.veil.policy.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The operator's key operations ({@code veil keys …}): rotate a ring, rewrap every data key under
 * a new master key, retire and destroy keys. Every change is written to the audit log
 * ({@code veil.audit}) with key ids and master-key ids, never key material.
 */
public final class KeyAdmin {
    private static final Logger AUDIT = LoggerFactory.getLogger("veil.audit");
    private static final int MAX_REWRAP_PASSES = 5;

    private final Policy policy;
    private final DataKeyManager keys;
    private final ConnectionFactory database;

    /**
     * @param keys the key manager of the policy's engine
     * @param database plain connections to the application's database (for usage scans)
     */
    public KeyAdmin(Policy policy, DataKeyManager keys, ConnectionFactory database) {
        this.policy = policy;
        this.keys = keys;
        this.database = database;
    }

    /**
     * Creates a master key where the policy's provider keeps them (a keystore entry, a key in the
     * HSM), audited as {@code master key created}.
     *
     * @param alias its name, or {@code null} for the one the policy names
     * @param existingOk accept an existing key of that name (it is then not audited)
     * @return its master-key id
     * @throws VeilException {@code VE002} when it exists (unless {@code existingOk}) or cannot be created
     */
    public static String createMasterKey(MasterKeySettings settings, String alias, boolean existingOk) throws VeilException {
        return createMasterKey(settings, alias, existingOk, null);
    }

    /** As {@link #createMasterKey(MasterKeySettings, String, boolean)}; {@code created[0]} tells whether it was new. */
    public static String createMasterKey(MasterKeySettings settings, String alias, boolean existingOk, boolean[] created) throws VeilException {
        MasterKeyProviderFactory f = MasterKeyProviders.factory(settings);
        String id;
        boolean isNew;
        try {
            id = f.createMasterKey(settings, alias, false);
            isNew = true;
        } catch (VeilException e) {
            if (!existingOk || e.state() != VeilState.MASTER_KEY_UNAVAILABLE) {
                throw e;
            }
            id = f.createMasterKey(settings, alias, true);
            isNew = false;
        }
        if (isNew) {
            AUDIT.info("master key created master={}", id);
        }
        if (created != null) {
            created[0] = isNew;
        }
        return id;
    }

    /** Every data key, by ring and version. */
    public List<KeyRecord> list() throws VeilException {
        return keys.store().all();
    }

    /** Rows per key id in the policy's encrypted columns. */
    public Map<Integer, Long> usage() throws VeilException {
        return KeyUsage.totals(usageByColumn());
    }

    /** Rows per key id for each encrypted column. */
    public List<KeyUsage.ColumnUsage> usageByColumn() throws VeilException {
        try (Connection c = database.open()) {
            return KeyUsage.scan(c, policy);
        } catch (SQLException e) {
            throw new VeilException(VeilState.KEY_STORE_FAILURE, "cannot connect to the database to count key usage ("
                    + dev.veil.DatabaseFailure.describe(e) + ")", e);
        }
    }

    /**
     * A new version of {@code ring}, active now.
     *
     * @throws VeilException {@code VE003} when the ring is neither used by the policy nor held in
     *         the key table (a typo would otherwise create a ring nothing uses)
     */
    public KeyRecord rotate(String ring) throws VeilException {
        if (!policy.keyRings().contains(ring) && keys.store().ring(ring).isEmpty()) {
            throw new VeilException(VeilState.KEY_NOT_FOUND, "no ring '" + ring + "': the policy (" + policy.source()
                    + ") does not use it and key table " + keys.store().table() + " holds no key of it; rings the policy uses: "
                    + String.join(", ", new java.util.TreeSet<>(policy.keyRings())));
        }
        return keys.rotate(ring);
    }

    /** A key by id, or {@code VE003}. */
    public KeyRecord find(int keyId) throws VeilException {
        return keys.store().find(keyId).orElseThrow(() -> new VeilException(VeilState.KEY_NOT_FOUND,
                "data key " + keyId + " is not in key table " + keys.store().table()));
    }

    /** A key by ring and version, or {@code VE003}. */
    public KeyRecord find(String ring, int version) throws VeilException {
        return keys.store().ring(ring).stream().filter(k -> k.version() == version).findFirst()
                .orElseThrow(() -> new VeilException(VeilState.KEY_NOT_FOUND, "ring '" + ring + "' has no version " + version));
    }

    /**
     * Rewraps data keys under {@code newMasterKeyId}: every key of {@code ring}, or (ring
     * {@code null}) every key of the rings that have no master key of their own in the policy.
     * The data keys and so the data are unchanged; running applications keep working because
     * they unwrap by the master-key id stored beside each key. Keys created meanwhile under the
     * old master are caught by another pass.
     *
     * @return how many keys were rewrapped
     * @throws VeilException {@code VE002} when the provider does not hold the new master key
     */
    public int rotateMaster(String newMasterKeyId, String ring, VeilMetrics progress) throws VeilException {
        MasterKeyProvider master = keys.master();
        int done = 0;
        for (int pass = 0; pass < MAX_REWRAP_PASSES; pass++) {
            List<KeyRecord> todo = list().stream()
                    .filter(k -> k.wrapped() != null && !k.masterKeyId().equals(newMasterKeyId))
                    .filter(k -> ring == null ? keys.policy().masterKeyId(k.ring()) == null : k.ring().equals(ring))
                    .toList();
            if (todo.isEmpty()) {
                return done;
            }
            int total = done + todo.size();
            for (KeyRecord k : todo) {
                byte[] dek = master.unwrap(k.masterKeyId(), k.wrapped());
                try {
                    keys.store().rewrap(k.keyId(), newMasterKeyId, master.wrap(newMasterKeyId, dek));
                } finally {
                    Arrays.fill(dek, (byte) 0);
                }
                done++;
                AUDIT.info("key rewrapped ring={} version={} id={} from={} master={}", k.ring(), k.version(), k.keyId(),
                        k.masterKeyId(), newMasterKeyId);
                if (progress != null) {
                    progress.jobProgress("rotate-master", done, total);
                }
            }
        }
        throw new VeilException(VeilState.KEY_STORE_FAILURE, "keys kept appearing under the old master key after "
                + MAX_REWRAP_PASSES + " passes; point the applications' policy at " + newMasterKeyId + " and run rotate-master again");
    }

    /**
     * Marks a key retired: it still decrypts, but is expected to protect nothing.
     *
     * @return rows that still use it (a warning for the caller to show)
     * @throws VeilException {@code VE012} for its ring's active key (rotate first)
     */
    public long retire(KeyRecord key) throws VeilException {
        if (key.state() == KeyState.ACTIVE) {
            throw new VeilException(VeilState.KEY_IN_USE, "key " + key.keyId() + " is the active key of ring '" + key.ring()
                    + "'; rotate the ring first (veil keys rotate " + key.ring() + ")");
        }
        if (key.state() == KeyState.DESTROYED) {
            throw new VeilException(VeilState.KEY_DESTROYED, "key " + key.keyId() + " is already destroyed");
        }
        long rows = usage().getOrDefault(key.keyId(), 0L);
        if (rows > 0 && policy.columns().stream().anyMatch(c -> c.isDeterministic() && c.keyRing().equals(key.ring()))) {
            // lookups on deterministic columns stop matching a retired version: its rows would vanish from them
            throw new VeilException(VeilState.KEY_IN_USE, "key " + key.keyId() + " (ring " + key.ring() + " version " + key.version()
                    + ") still protects " + rows + " value(s), and deterministic columns use this ring: lookups would no "
                    + "longer find them; run veil rekey first, and retire it once 'veil keys list --usage' shows it holds no value");
        }
        keys.store().setState(key.keyId(), KeyState.RETIRED);
        AUDIT.info("key retired ring={} version={} id={} rows={}", key.ring(), key.version(), key.keyId(), rows);
        return rows;
    }

    /**
     * Crypto-shreds a key: its wrapped bytes are erased from the key table, so every value it
     * encrypted is unreadable for good.
     *
     * @param force destroy even if rows still use it or it is its ring's active key
     * @return rows that used it (lost), 0 unless forced
     * @throws VeilException {@code VE012} when rows still use it or it is active, unless forced
     */
    public long destroy(KeyRecord key, boolean force) throws VeilException {
        if (key.state() == KeyState.DESTROYED) {
            throw new VeilException(VeilState.KEY_DESTROYED, "key " + key.keyId() + " is already destroyed");
        }
        if (key.state() == KeyState.ACTIVE && !force) {
            throw new VeilException(VeilState.KEY_IN_USE, "key " + key.keyId() + " is the active key of ring '" + key.ring()
                    + "'; rotate the ring first (veil keys rotate " + key.ring() + ")");
        }
        long rows = usage().getOrDefault(key.keyId(), 0L);
        if (rows > 0 && !force) {
            throw new VeilException(VeilState.KEY_IN_USE, "key " + key.keyId() + " (ring " + key.ring() + " version " + key.version()
                    + ") still protects " + rows + " value(s); re-encrypt them first, or force destruction and lose them");
        }
        keys.store().destroy(key.keyId());
        keys.forget(key.ring());
        AUDIT.info("key destroyed ring={} version={} id={} rows={}{}", key.ring(), key.version(), key.keyId(), rows,
                force ? " forced=true" : "");
        return rows;
    }
}
