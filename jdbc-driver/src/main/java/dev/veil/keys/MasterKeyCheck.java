package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.KeysPolicy;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Checks that a policy's master keys can be reached the way a starting process reaches them: opens
 * a new provider from the policy's settings (reading the keystore file or logging in to the HSM
 * again, so a removed keystore or a changed password shows up while the running engine still
 * holds its keys), then wraps and unwraps a random throwaway key under each master key the policy
 * names. No data key is unwrapped.
 */
public final class MasterKeyCheck {
    private static final SecureRandom RANDOM = new SecureRandom();

    private MasterKeyCheck() {
    }

    /**
     * @return the master-key ids checked: the provider's default first, then the rings' own
     * @throws VeilException {@code VE002} when a master key cannot be reached, {@code VE010} when
     *         one does not round-trip
     */
    public static Set<String> check(KeysPolicy keys) throws VeilException {
        Set<String> ids = new LinkedHashSet<>();
        try (MasterKeyProvider provider = MasterKeyProviders.create(keys.master())) {
            ids.add(provider.masterKeyId());
            ids.addAll(new java.util.TreeSet<>(keys.ringMasterKeys().values()));
            for (String id : ids) {
                roundTrip(provider, id);
            }
        }
        return ids;
    }

    private static void roundTrip(MasterKeyProvider provider, String id) throws VeilException {
        byte[] probe = new byte[32];
        RANDOM.nextBytes(probe);
        byte[] back = null;
        try {
            back = provider.unwrap(id, provider.wrap(id, probe));
            if (!MessageDigest.isEqual(probe, back)) {
                throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "master key " + id + " did not unwrap what it wrapped");
            }
        } finally {
            Arrays.fill(probe, (byte) 0);
            if (back != null) {
                Arrays.fill(back, (byte) 0);
            }
        }
    }
}
