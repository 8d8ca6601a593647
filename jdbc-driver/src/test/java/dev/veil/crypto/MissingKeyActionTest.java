package dev.veil.crypto;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.metrics.VeilMetrics;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.MissingKeyAction;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.FixedKeys;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a column reads when this process lacks its key, per the ring's on-missing-key. */
class MissingKeyActionTest {
    static final FixedKeys KEYS = FixedKeys.sequential(5, "national-id");

    /** A key source that has the keys to encrypt but cannot unwrap any key for decryption. */
    static DataKeySource lacking(VeilState state) {
        return new DataKeySource() {
            @Override
            public DataKey activeKey(String ring, boolean consumesNonce) throws VeilException {
                return KEYS.activeKey(ring, consumesNonce);
            }

            @Override
            public DataKey key(int keyId) throws VeilException {
                throw new VeilException(state, "master key pkcs12:nid-master is not available");
            }
        };
    }

    static Policy policy(String onMissing) throws VeilException {
        return PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\n  rings:\n    national-id: { on-missing-key: "
                + onMissing + " }\ntables:\n  people:\n    nid: { mode: randomized, key: national-id }\n"
                + "    born: { mode: randomized, type: date, key: national-id }\n", "t.yaml");
    }

    static ColumnCipher cipher(Policy p, String column, DataKeySource keys, VeilMetrics metrics) {
        ColumnPolicy c = p.column(null, "people", column).orElseThrow();
        return new ColumnCipher(c, keys, p.keys().onMissingKey(c.keyRing()), metrics);
    }

    @Test
    void maskReadsTheMaskForStringsAndNullForOtherTypes() throws Exception {
        Policy p = policy("mask");
        assertEquals(MissingKeyAction.MASK, p.keys().onMissingKey("national-id"));
        VeilMetrics m = new VeilMetrics();
        Object nid = cipher(p, "nid", KEYS, m).encrypt("NID-1");
        Object born = cipher(p, "born", KEYS, m).encrypt(java.time.LocalDate.of(1990, 1, 2));
        assertEquals(MissingKeyAction.MASK_TEXT, cipher(p, "nid", lacking(VeilState.MASTER_KEY_UNAVAILABLE), m).decrypt(nid));
        assertNull(cipher(p, "born", lacking(VeilState.KEY_UNWRAP_FAILED), m).decrypt(born));
        // an unknown key id is not a missing key: flipping the key-id bits must not turn a value into a mask
        assertEquals(VeilState.KEY_NOT_FOUND, org.junit.jupiter.api.Assertions.assertThrows(dev.veil.VeilException.class,
                () -> cipher(p, "nid", lacking(VeilState.KEY_NOT_FOUND), m).decrypt(nid)).state());
        assertEquals(2, m.encryptions());
        assertEquals(2, m.missingKeyReads());
    }

    @Test
    void nullReadsNullAndErrorFails() throws Exception {
        Object nid = cipher(policy("null"), "nid", KEYS, new VeilMetrics()).encrypt("NID-1");
        assertNull(cipher(policy("null"), "nid", lacking(VeilState.KEY_UNWRAP_FAILED), new VeilMetrics()).decrypt(nid));
        VeilMetrics m = new VeilMetrics();
        VeilException e = assertThrows(VeilException.class,
                () -> cipher(policy("error"), "nid", lacking(VeilState.MASTER_KEY_UNAVAILABLE), m).decrypt(nid));
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state());
        assertEquals(1, m.failures(VeilState.MASTER_KEY_UNAVAILABLE));
    }

    @Test
    void tamperingAndDestroyedKeysAlwaysFail() throws Exception {
        Policy p = policy("mask");
        VeilMetrics m = new VeilMetrics();
        String nid = (String) cipher(p, "nid", KEYS, m).encrypt("NID-1");
        String altered = nid.substring(0, nid.length() - 3) + (nid.charAt(nid.length() - 3) == 'A' ? 'B' : 'A') + nid.substring(nid.length() - 2);
        assertEquals(VeilState.DECRYPTION_FAILED, assertThrows(VeilException.class, () -> cipher(p, "nid", KEYS, m).decrypt(altered)).state());
        assertEquals(VeilState.KEY_DESTROYED, assertThrows(VeilException.class,
                () -> cipher(p, "nid", lacking(VeilState.KEY_DESTROYED), m).decrypt(nid)).state());
        assertEquals(1, m.failures(VeilState.DECRYPTION_FAILED));
        assertEquals(1, m.failures(VeilState.KEY_DESTROYED));
        assertEquals(0, m.missingKeyReads());
    }

    @Test
    void policyRejectsUnknownActionsAndKeepsPerRingMasterKeys() throws Exception {
        VeilException e = assertThrows(VeilException.class, () -> policy("hide"));
        assertEquals("t.yaml:5:36: unknown on-missing-key 'hide'; expected one of: error, null, mask", e.getMessage());
        Policy p = PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\n  on-missing-key: null\n  rings:\n"
                + "    payment: { master-key: 'pkcs12:pay-master' }\n", "t.yaml");
        assertEquals(MissingKeyAction.NULL, p.keys().onMissingKey("payment"));
        assertEquals("pkcs12:pay-master", p.keys().masterKeyId("payment"));
        assertNull(p.keys().masterKeyId("default"));
    }

    /** Bulk re-encryption must fail on a value it cannot read, never write the mask or NULL over it. */
    @Test
    void reencryptFailsOnAMissingKeyWhateverTheRingSays() throws Exception {
        for (String action : new String[] {"mask", "null", "error"}) {
            Policy p = policy(action);
            VeilMetrics m = new VeilMetrics();
            Object nid = cipher(p, "nid", KEYS, m).encrypt("NID-1");
            VeilException e = assertThrows(VeilException.class,
                    () -> cipher(p, "nid", lacking(VeilState.MASTER_KEY_UNAVAILABLE), m).reencrypt(nid, 6));
            assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state(), action);
        }
    }
}
