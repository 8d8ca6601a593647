package dev.veil.keys;

import dev.veil.VeilException;
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
}
