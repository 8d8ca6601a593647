package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.SoftHsm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The PKCS#11 master key against a real SoftHSM2 token. */
class Pkcs11MasterKeyProviderTest {
    static SoftHsm hsm;

    @BeforeAll
    static void token() throws Exception {
        assumeTrue(SoftHsm.installed(), SoftHsm.absentMessage());
        hsm = SoftHsm.token();
    }

    private static String label() {
        return "k-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void keyGeneratedInTheTokenWrapsAndUnwrapsAndNeverLeavesIt() throws Exception {
        String label = label();
        Pkcs11MasterKeyProvider.generateKey(hsm.config(), hsm.pin(), label);
        byte[] dek = new byte[32];
        Arrays.fill(dek, (byte) 7);
        try (Pkcs11MasterKeyProvider p = new Pkcs11MasterKeyProvider(hsm.config(), hsm.pin(), label)) {
            assertEquals("pkcs11:" + label, p.masterKeyId());
            byte[] wrapped = p.wrap(dek);
            assertEquals(12 + 32 + 16, wrapped.length);
            assertFalse(Arrays.equals(wrapped, p.wrap(dek)), "a fresh nonce per wrap");
            assertArrayEquals(dek, p.unwrap(p.masterKeyId(), wrapped));
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS11", java.security.Security.getProvider("SunPKCS11")
                    .configure("--" + hsm.config()));
            ks.load(null, hsm.pin());
            assertNull(ks.getKey(label, null).getEncoded(), "the master key's bytes cannot be read out of the token");
        }
        // a second session (a restart) unwraps what the first wrapped
        try (Pkcs11MasterKeyProvider p = new Pkcs11MasterKeyProvider(hsm.config(), hsm.pin(), label)) {
            byte[] wrapped = p.wrap(dek);
            wrapped[20] ^= 1;
            VeilException e = assertThrows(VeilException.class, () -> p.unwrap(p.masterKeyId(), wrapped));
            assertEquals(VeilState.KEY_UNWRAP_FAILED, e.state());
        }
    }

    @Test
    void aKeyAddedByAnotherSessionIsFoundAndWrapsUnderItsOwnId() throws Exception {
        String first = label();
        String second = label();
        Pkcs11MasterKeyProvider.generateKey(hsm.config(), hsm.pin(), first);
        try (Pkcs11MasterKeyProvider p = new Pkcs11MasterKeyProvider(hsm.config(), hsm.pin(), first)) {
            Pkcs11MasterKeyProvider.generateKey(hsm.config(), hsm.pin(), second);
            byte[] dek = new byte[32];
            byte[] wrapped = p.wrap("pkcs11:" + second, dek);
            assertArrayEquals(dek, p.unwrap("pkcs11:" + second, wrapped));
            assertEquals(VeilState.KEY_UNWRAP_FAILED, assertThrows(VeilException.class, () -> p.unwrap("pkcs11:" + first, wrapped)).state());
        }
    }

    @Test
    void missingLabelIsMasterKeyUnavailable() throws Exception {
        // (a wrong PIN cannot be shown in this JVM: PKCS#11 login state is per process, and other tests logged in)
        VeilException missing = assertThrows(VeilException.class, () -> new Pkcs11MasterKeyProvider(hsm.config(), hsm.pin(), "no-such-key"));
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, missing.state());
    }

    @Test
    void policyNamesTheProviderAndItsFactoryCreatesKeys() throws Exception {
        String label = label();
        var settings = PolicyLoader.parse("version: 1\nkeys:\n  master: " + hsm.masterYaml(label) + "\n", "hsm.yaml").keys().master();
        MasterKeyProviderFactory f = MasterKeyProviders.factory(settings);
        assertEquals("pkcs11:" + label, f.createMasterKey(settings, null, false));
        assertEquals("pkcs11:" + label, f.createMasterKey(settings, null, true));
        assertThrows(VeilException.class, () -> f.createMasterKey(settings, null, false));
        try (MasterKeyProvider p = MasterKeyProviders.create(settings)) {
            assertEquals("pkcs11:" + label, p.masterKeyId());
        }
    }
}
