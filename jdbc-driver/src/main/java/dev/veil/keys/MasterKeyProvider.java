package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;

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
     * Wraps a data key with a named master key this provider holds: a ring's own master key
     * ({@code keys.rings.<ring>.master-key}) or the target of a master-key rotation. The default
     * knows only {@link #masterKeyId()}.
     *
     * @throws VeilException {@code VE002} when this provider does not hold that master key,
     *         {@code VE010} when wrapping fails
     */
    default byte[] wrap(String masterKeyId, byte[] dataKey) throws VeilException {
        if (masterKeyId.equals(masterKeyId())) {
            return wrap(dataKey);
        }
        throw new VeilException(VeilState.MASTER_KEY_UNAVAILABLE, "master key " + masterKeyId
                + " is not available from this provider (it holds " + masterKeyId() + ")");
    }

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
