package dev.veil.crypto;

import dev.veil.policy.EncryptionMode;

/** The envelope's algorithm field. The numbers are part of the persistent format; never renumber. */
public enum Algorithm {
    /** Randomized: AES-256-GCM, 96-bit random nonce stored in the envelope, 128-bit tag. */
    AES_256_GCM(1, 12),
    /** Deterministic: AES-256-GCM-SIV (RFC 8452) with an all-zero nonce that is not stored. */
    AES_256_GCM_SIV(2, 0);

    private final int code;
    private final int nonceBytes;

    Algorithm(int code, int nonceBytes) {
        this.code = code;
        this.nonceBytes = nonceBytes;
    }

    public int code() {
        return code;
    }

    /** How many nonce bytes the envelope carries. */
    public int nonceBytes() {
        return nonceBytes;
    }

    public static Algorithm forMode(EncryptionMode mode) {
        return mode == EncryptionMode.DETERMINISTIC ? AES_256_GCM_SIV : AES_256_GCM;
    }

    /** The algorithm with this code, or {@code null}. */
    static Algorithm ofCode(int code) {
        for (Algorithm a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        return null;
    }
}
