package dev.veil.keys;

import java.time.Instant;

/**
 * A row of the data-key table.
 *
 * @param keyId the id every ciphertext names (a random positive 31-bit number)
 * @param ring the ring (policy key name)
 * @param version 1, 2, … within the ring
 * @param state its state
 * @param createdAt when it was created
 * @param expiresAt when it stops being used for new values, or {@code null} for never
 * @param masterKeyId the master key that wraps it
 * @param wrapped the wrapped key bytes; {@code null} once destroyed
 */
public record KeyRecord(int keyId, String ring, int version, KeyState state, Instant createdAt, Instant expiresAt,
                        String masterKeyId, byte[] wrapped) {

    /** Whether the key may no longer encrypt new values at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        // the wrapped bytes are not secret without the master key, but there is no reason to print them
        return "KeyRecord[id=" + keyId + ", ring=" + ring + ", version=" + version + ", state=" + state.storedName()
                + ", created=" + createdAt + ", expires=" + expiresAt + ", master=" + masterKeyId + "]";
    }
}
