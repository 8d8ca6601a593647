package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.MasterKeySettings;

/**
 * Creates {@link MasterKeyProvider}s named in policies ({@code keys.master.provider}). Found
 * through {@link java.util.ServiceLoader}; a KMS integration ships one of these in its own jar.
 */
public interface MasterKeyProviderFactory {

    /** The provider name used in policies, for example {@code pkcs12}. */
    String name();

    /**
     * Creates a provider from its policy settings.
     *
     * @throws VeilException {@code VE001} for invalid settings (reported against the setting's
     *         file position), {@code VE002} when the master key cannot be reached
     */
    MasterKeyProvider create(MasterKeySettings settings) throws VeilException;

    /**
     * Creates a new master key where the provider keeps them ({@code veil keys init}, and the
     * target of {@code veil keys rotate-master}). Providers whose keys are made with their own
     * tools (a cloud KMS console) keep the default, which refuses.
     *
     * @param alias the new key's name, or {@code null} for the one the settings name
     * @param existingOk whether an existing key of that name is accepted instead of refused
     * @return the new key's master-key id, as stored beside the data keys it wraps
     * @throws VeilException {@code VE002} when the key exists (unless {@code existingOk}) or
     *         cannot be created
     */
    default String createMasterKey(MasterKeySettings settings, String alias, boolean existingOk) throws VeilException {
        throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "master-key provider '" + name()
                + "' cannot create master keys; create one with the provider's own tools");
    }
}
