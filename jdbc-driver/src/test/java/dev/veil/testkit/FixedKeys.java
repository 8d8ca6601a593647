package dev.veil.testkit;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.DataKey;
import dev.veil.crypto.DataKeySource;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;

/**
 * Data keys held in memory, for unit tests of the crypto layer that need no key table. The keys
 * are real AES keys; only where they are stored differs from production.
 */
public final class FixedKeys implements DataKeySource {
    private final Map<Integer, DataKey> byId = new HashMap<>();
    private final Map<String, DataKey> activeByRing = new HashMap<>();

    /** Adds a key derived from {@code dataKey} as the active key of {@code ring}. */
    public FixedKeys active(String ring, int id, byte[] dataKey) {
        try {
            DataKey k = DataKey.derive(id, dataKey);
            byId.put(id, k);
            activeByRing.put(ring, k);
            return this;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A source whose every ring uses one key derived from bytes 0..31. */
    public static FixedKeys sequential(int id, String... rings) {
        byte[] k = new byte[32];
        for (int i = 0; i < 32; i++) {
            k[i] = (byte) i;
        }
        FixedKeys keys = new FixedKeys();
        for (String ring : rings) {
            keys.active(ring, id, k);
        }
        return keys;
    }

    public void remove(int id) {
        byId.remove(id);
    }

    @Override
    public DataKey activeKey(String ring, boolean consumesNonce) throws VeilException {
        DataKey k = activeByRing.get(ring);
        if (k == null) {
            throw new VeilException(VeilState.KEY_NOT_FOUND, "no key for ring " + ring);
        }
        return k;
    }

    @Override
    public DataKey key(int keyId) throws VeilException {
        DataKey k = byId.get(keyId);
        if (k == null) {
            throw new VeilException(VeilState.KEY_NOT_FOUND, "data key " + keyId + " is not known");
        }
        return k;
    }
}
