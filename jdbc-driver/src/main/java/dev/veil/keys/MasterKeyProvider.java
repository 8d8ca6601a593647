package dev.veil.keys;

import dev.veil.VeilException;

/**
 * A master key (KEK) that wraps and unwraps data keys. The master key itself never leaves the
 * provider: there is deliberately no method that exports it, so a provider can be backed by a
 * keystore file, an HSM (PKCS#11) or a remote KMS alike.
 *
 * <p>Implementations are thread-safe. Register a {@link MasterKeyProviderFactory} with
 * {@link java.util.ServiceLoader} to make a provider available to policies.
 */
public interface MasterKeyProvider extends AutoCloseable {

    /** The id of the master key new data keys are wrapped with, stored beside each wrapped key. */
    String masterKeyId();

    /**
     * Wraps a data key with the current master key.
     *
     * @throws VeilException {@code VE010} when wrapping fails
     */
    byte[] wrap(byte[] dataKey) throws VeilException;

    /**
     * Unwraps a data key.
     *
     * @param masterKeyId the id stored beside the wrapped key; a provider may hold several master
     *        keys (after a master-key rotation) and picks the one named
     * @throws VeilException {@code VE010} when the master key cannot unwrap it (wrong key, altered
     *         bytes), {@code VE002} when the named master key is not available
     */
    byte[] unwrap(String masterKeyId, byte[] wrapped) throws VeilException;

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
