package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.KeysPolicy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MasterKeyCheckTest {
    @TempDir
    Path dir;

    private KeysPolicy keys(Path keystore) throws VeilException {
        return PolicyLoader.parse("version: 1\n" + TestKeys.keysYaml(keystore), "p.yaml").keys();
    }

    @Test
    void reachableKeystoreRoundTripsAThrowawayKey() throws Exception {
        Path ks = TestKeys.keystore(dir);
        assertEquals(List.of("pkcs12:veil-master"), List.copyOf(MasterKeyCheck.check(keys(ks))));
    }

    @Test
    void keystoreRemovedAfterStartIsReportedAsVe002() throws Exception {
        Path ks = TestKeys.keystore(dir);
        KeysPolicy keys = keys(ks);
        try (MasterKeyProvider running = MasterKeyProviders.create(keys.master())) {
            Files.delete(ks);
            // the running provider still holds its key; a fresh start would not
            VeilException e = assertThrows(VeilException.class, () -> MasterKeyCheck.check(keys));
            assertEquals(VeilState.MASTER_KEY_UNAVAILABLE, e.state());
            byte[] dek = new byte[32];
            running.unwrap(running.masterKeyId(), running.wrap(dek));
        }
    }
}
