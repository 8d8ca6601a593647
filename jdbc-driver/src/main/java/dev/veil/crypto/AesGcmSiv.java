package dev.veil.crypto;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Deterministic AEAD: AES-256-GCM-SIV (RFC 8452, {@link GcmSiv}) with a fixed all-zero nonce, on
 * the JDK's AES. Equal plaintexts under equal key and associated data give equal ciphertexts;
 * GCM-SIV stays secure under that nonce reuse apart from revealing equality.
 */
final class AesGcmSiv {
    private static final byte[] FIXED_NONCE = new byte[GcmSiv.NONCE_BYTES];
    private static final byte[] EMPTY = new byte[0];
    private static final int CACHED_KEYS_PER_THREAD = 8;

    /*
     * Deriving the per-nonce keys and building the POLYVAL table costs far more than encrypting a
     * short value. With a fixed nonce they never change for a data key, so each thread keeps them
     * for its most recently used keys (the key arrays, by identity). Each holds 32 KiB of POLYVAL
     * tables, so a thread holds at most 256 KiB.
     */
    private static final ThreadKeyStates<byte[], GcmSiv> STATES = new ThreadKeyStates<>(CACHED_KEYS_PER_THREAD,
            // classes rather than a lambda and a method reference, which spin a class each at first use
            new ThreadKeyStates.Factory<byte[], GcmSiv>() {
                @Override
                public GcmSiv create(byte[] key) throws GeneralSecurityException {
                    return GcmSiv.create(key, FIXED_NONCE);
                }
            }, new java.util.function.Consumer<GcmSiv>() {
                @Override
                public void accept(GcmSiv state) {
                    state.destroy();
                }
            });

    private AesGcmSiv() {
    }

    /** Encrypts into {@code out} after its header; see {@link AesGcm#seal}. No nonce is written. */
    static void seal(byte[] key, byte[] out, byte[] context, byte[] plaintext) throws GeneralSecurityException {
        GcmSiv siv = STATES.get(key);
        try {
            siv.seal(out, Envelope.HEADER_BYTES, context, plaintext, 0, plaintext.length, out, Envelope.HEADER_BYTES);
        } catch (GeneralSecurityException | RuntimeException e) {
            STATES.discard(key);
            throw new GeneralSecurityException("GCM-SIV encryption failed", e);
        }
    }

    /** Verifies and decrypts an envelope; throws {@code AEADBadTagException} when anything was altered. */
    static byte[] open(byte[] key, byte[] envelope, byte[] context) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        if (envelope.length < h + GcmSiv.TAG_BYTES) {
            throw new AEADBadTagException("envelope too short");
        }
        GcmSiv siv = STATES.get(key);
        byte[] plaintext = new byte[envelope.length - h - GcmSiv.TAG_BYTES];
        try {
            siv.open(envelope, h, context, envelope, h, envelope.length - h, plaintext, 0);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            STATES.discard(key);
            Arrays.fill(plaintext, (byte) 0);
            throw new AEADBadTagException("GCM-SIV authentication failed");
        }
        return plaintext;
    }

    /** Plain AES-GCM-SIV with an explicit nonce, for the RFC 8452 known-answer tests; returns ciphertext||tag. */
    static byte[] encrypt(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        GcmSiv siv = GcmSiv.create(key, nonce);
        try {
            byte[] out = new byte[plaintext.length + GcmSiv.TAG_BYTES];
            siv.seal(aad, aad.length, EMPTY, plaintext, 0, plaintext.length, out, 0);
            return out;
        } finally {
            siv.destroy();
        }
    }

    /** Inverse of {@link #encrypt}; throws {@code AEADBadTagException} when anything was altered. */
    static byte[] decrypt(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) throws GeneralSecurityException {
        if (ciphertext.length < GcmSiv.TAG_BYTES) {
            throw new AEADBadTagException("ciphertext too short");
        }
        GcmSiv siv = GcmSiv.create(key, nonce);
        try {
            byte[] out = new byte[ciphertext.length - GcmSiv.TAG_BYTES];
            siv.open(aad, aad.length, EMPTY, ciphertext, 0, ciphertext.length, out, 0);
            return out;
        } finally {
            siv.destroy();
        }
    }

    /** Drops and wipes this thread's cached key states (tests). */
    static void clearThreadCache() {
        STATES.clear();
    }
}
