package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.MasterKeySettings;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterKeyProviderTest {
    @TempDir
    Path dir;

    static MasterKeySettings master(String flow) throws VeilException {
        return PolicyLoader.parse("version: 1\nkeys:\n  master: " + flow + "\n", "p.yaml").keys().master();
    }

    static VeilException failure(String flow) {
        return assertThrows(VeilException.class, () -> MasterKeyProviders.create(master(flow)));
    }

    @Test
    void pkcs12WrapsAndUnwrapsWithoutExportingTheMasterKey() throws Exception {
        Path ks = TestKeys.keystore(dir);
        try (MasterKeyProvider p = MasterKeyProviders.create(master("{ provider: pkcs12, path: '" + ks + "', password-env: " + TestKeys.PASSWORD_ENV + " }"))) {
            byte[] dek = new byte[32];
            dek[0] = 42;
            byte[] wrapped = p.wrap(dek);
            assertEquals(40, wrapped.length, "RFC 5649 adds 8 bytes");
            assertArrayEquals(dek, p.unwrap(p.masterKeyId(), wrapped));
            assertEquals("pkcs12:veil-master", p.masterKeyId());
            assertFalse(p.toString().contains(new String(TestKeys.password())), p.toString());
            wrapped[3] ^= 1;
            assertEquals(VeilState.KEY_UNWRAP_FAILED, assertThrows(VeilException.class, () -> p.unwrap(p.masterKeyId(), wrapped)).state());
        }
    }

    @Test
    void wrongPasswordIsAClearError() throws Exception {
        Path ks = TestKeys.keystore(dir);
        VeilException e = failure("{ provider: pkcs12, path: '" + ks + "', password-env: " + TestKeys.WRONG_PASSWORD_ENV + " }");
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state());
        assertEquals("VE002", e.getSQLState());
        assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
        assertFalse(e.getMessage().contains(System.getenv(TestKeys.WRONG_PASSWORD_ENV)), e.getMessage());
    }

    @Test
    void missingKeystoreIsAClearError() {
        VeilException e = failure("{ provider: pkcs12, path: '" + dir.resolve("nope.p12") + "', password-env: " + TestKeys.PASSWORD_ENV + " }");
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state());
        assertTrue(e.getMessage().contains("nope.p12 does not exist"), e.getMessage());
    }

    @Test
    void damagedKeystoreIsAClearError() throws Exception {
        Path bad = dir.resolve("bad.p12");
        Files.writeString(bad, "not a keystore");
        VeilException e = failure("{ provider: pkcs12, path: '" + bad + "', password-env: " + TestKeys.PASSWORD_ENV + " }");
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state());
    }

    @Test
    void missingPasswordVariableIsNamed() throws Exception {
        Path ks = TestKeys.keystore(dir);
        VeilException e = failure("{ provider: pkcs12, path: '" + ks + "', password-env: VEIL_SURELY_UNSET_VARIABLE }");
        assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state());
        assertTrue(e.getMessage().matches("p\\.yaml:3:\\d+: environment variable VEIL_SURELY_UNSET_VARIABLE is not set"), e.getMessage());
    }

    @Test
    void missingAliasIsAClearError() throws Exception {
        Path ks = TestKeys.keystore(dir);
        VeilException e = failure("{ provider: pkcs12, path: '" + ks + "', password-env: " + TestKeys.PASSWORD_ENV + ", alias: other }");
        assertTrue(e.getMessage().contains("has no key named 'other'"), e.getMessage());
    }

    @Test
    void settingsAreValidatedWithPositions() {
        VeilException e = failure("{ provider: pkcs12, path: /x.p12 }");
        assertEquals(VeilState.POLICY_INVALID, e.state());
        assertTrue(e.getMessage().startsWith("p.yaml:3:11: master key provider 'pkcs12' needs 'password-env'"), e.getMessage());
        e = failure("{ provider: pkcs12, path: /x.p12, password-env: X, pasword: y }");
        assertTrue(e.getMessage().contains("unknown setting 'pasword'"), e.getMessage());
        e = failure("{ provider: vault }");
        assertTrue(e.getMessage().contains("unknown master-key provider 'vault'; expected one of: env, pkcs11, pkcs12"), e.getMessage());
    }

    @Test
    void aSecondMasterKeyInTheKeystoreCanUnwrapWhatItWrapped() throws Exception {
        Path ks = TestKeys.keystore(dir);
        Pkcs12MasterKeyProvider.createKeystore(ks, TestKeys.password(), "veil-master-2");
        byte[] dek = new byte[32];
        byte[] wrappedByOld;
        try (MasterKeyProvider old = new Pkcs12MasterKeyProvider(ks, TestKeys.password(), "veil-master")) {
            wrappedByOld = old.wrap(dek);
        }
        try (MasterKeyProvider current = new Pkcs12MasterKeyProvider(ks, TestKeys.password(), "veil-master-2")) {
            assertEquals("pkcs12:veil-master-2", current.masterKeyId());
            assertArrayEquals(dek, current.unwrap("pkcs12:veil-master", wrappedByOld));
        }
        assertThrows(VeilException.class, () -> Pkcs12MasterKeyProvider.createKeystore(ks, TestKeys.password(), "veil-master"));
    }

    @Test
    void envProviderWorksForDevelopment() throws Exception {
        try (MasterKeyProvider p = MasterKeyProviders.create(master("{ provider: env, variable: " + TestKeys.ENV_MASTER_KEY + " }"))) {
            byte[] dek = new byte[32];
            assertArrayEquals(dek, p.unwrap(p.masterKeyId(), p.wrap(dek)));
            assertEquals("env:" + TestKeys.ENV_MASTER_KEY, p.masterKeyId());
        }
        assertTrue(failure("{ provider: env, variable: VEIL_SURELY_UNSET_VARIABLE }").getMessage().contains("is not set"));
    }
}
