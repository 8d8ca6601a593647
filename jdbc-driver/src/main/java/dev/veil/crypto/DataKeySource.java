package dev.veil.crypto;

import dev.veil.VeilException;

/** Where a {@link ColumnCipher} gets its data keys; implemented by the key manager. */
public interface DataKeySource {

    /**
     * The key new values of a ring are encrypted with, rotating it first when it has expired.
     *
     * @param consumesNonce whether the caller will use a random nonce under it (counted against
     *        the key's nonce budget)
     * @throws VeilException {@code VE002}/{@code VE009}/{@code VE010} when no key can be had
     */
    DataKey activeKey(String ring, boolean consumesNonce) throws VeilException;

    /**
     * The key with this id, for decryption.
     *
     * @throws VeilException {@code VE003} if unknown, {@code VE004} if destroyed
     */
    DataKey key(int keyId) throws VeilException;

    /**
     * The keys an equality lookup on a deterministic column must try, the write key first: one per
     * data-key version of the ring that may hold values. A source without versions has one.
     *
     * @throws VeilException as {@link #activeKey}
     */
    default DataKey[] lookupKeys(String ring) throws VeilException {
        return new DataKey[] {activeKey(ring, false)};
    }
}
