package dev.veil.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Randomized AEAD: AES-256-GCM with a fresh 96-bit random nonce per value ({@link Nonces}).
 * Values up to {@value #SHORT_VALUE} bytes go through {@link Gcm}, which is cheaper per value;
 * longer ones through JCE's GCM, whose carry-less-multiply GHASH intrinsic wins once there are many
 * blocks to hash. Both produce the same bytes.
 */
final class AesGcm {
    private static final byte[] EMPTY = new byte[0];
    static final int NONCE_BYTES = Gcm.NONCE_BYTES;
    static final int TAG_BITS = 128;

    private static final int CACHED_KEYS_PER_THREAD = 8;
    /** Longest plaintext (or ciphertext without tag) handled by {@link Gcm}; measured crossover on x86-64. */
    static final int SHORT_VALUE = 128;

    /* Each thread's prepared keys: an AES schedule, hash key and 32 KiB of GHASH tables apiece. */
    // classes rather than lambdas and method references, which spin a class each at first use (the first encryption)
    private static final ThreadKeyStates<SecretKey, Gcm> STATES = new ThreadKeyStates<>(CACHED_KEYS_PER_THREAD,
            new ThreadKeyStates.Factory<SecretKey, Gcm>() {
                @Override
                public Gcm create(SecretKey key) throws GeneralSecurityException {
                    return Gcm.create(key);
                }
            }, new java.util.function.Consumer<Gcm>() {
                @Override
                public void accept(Gcm state) {
                    state.destroy();
                }
            });
    /* For long values: re-initialising a JCE cipher with another key would redo its schedule. */
    private static final ThreadKeyStates<SecretKey, Cipher> JCE_CIPHERS = new ThreadKeyStates<>(CACHED_KEYS_PER_THREAD,
            new ThreadKeyStates.Factory<SecretKey, Cipher>() {
                @Override
                public Cipher create(SecretKey key) throws GeneralSecurityException {
                    return Cipher.getInstance("AES/GCM/NoPadding");
                }
            }, new java.util.function.Consumer<Cipher>() {
                @Override
                public void accept(Cipher cipher) {
                }
            });
    private static final ThreadLocal<Nonces> NONCES = new ThreadLocal<>() {
        @Override
        protected Nonces initialValue() {
            return new Nonces(new SecureRandom());
        }
    };

    private AesGcm() {
    }

    /** Ensures the JVM offers AES; called once at start-up so a missing provider fails early. */
    static void checkAvailable() throws NoSuchAlgorithmException {
        try {
            Cipher.getInstance("AES/ECB/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new NoSuchAlgorithmException("AES/ECB/NoPadding is not available in this JVM", e);
        }
    }

    /**
     * Encrypts into {@code out}, whose first {@link Envelope#HEADER_BYTES} bytes hold the header;
     * writes nonce, ciphertext and tag after it.
     */
    static void seal(SecretKey key, byte[] out, byte[] context, byte[] plaintext) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        NONCES.get().next(out, h);
        if (plaintext.length > SHORT_VALUE) {
            Cipher cipher = JCE_CIPHERS.get(key);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, h, NONCE_BYTES));
            cipher.updateAAD(out, 0, h);
            cipher.updateAAD(context);
            cipher.doFinal(plaintext, 0, plaintext.length, out, h + NONCE_BYTES);
            return;
        }
        Gcm gcm = STATES.get(key);
        try {
            gcm.seal(out, h, context, out, h, plaintext, 0, plaintext.length, out, h + NONCE_BYTES);
        } catch (GeneralSecurityException | RuntimeException e) {
            STATES.discard(key);
            throw new GeneralSecurityException("GCM encryption failed", e);
        }
    }

    /** Plain AES-GCM with an explicit nonce, for the NIST known-answer tests; returns ciphertext||tag. */
    static byte[] encrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        Gcm gcm = Gcm.create(key);
        try {
            byte[] out = new byte[plaintext.length + Gcm.TAG_BYTES];
            gcm.seal(aad, aad.length, EMPTY, nonce, 0, plaintext, 0, plaintext.length, out, 0);
            return out;
        } finally {
            gcm.destroy();
        }
    }

    /** Inverse of {@link #encrypt}; throws {@code AEADBadTagException} when anything was altered. */
    static byte[] decrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] ciphertext) throws GeneralSecurityException {
        if (ciphertext.length < Gcm.TAG_BYTES) {
            throw new AEADBadTagException("ciphertext too short");
        }
        Gcm gcm = Gcm.create(key);
        try {
            byte[] out = new byte[ciphertext.length - Gcm.TAG_BYTES];
            gcm.open(aad, aad.length, EMPTY, nonce, 0, ciphertext, 0, ciphertext.length, out, 0);
            return out;
        } finally {
            gcm.destroy();
        }
    }

    /** Verifies and decrypts an envelope; throws {@code AEADBadTagException} when anything was altered. */
    static byte[] open(SecretKey key, byte[] envelope, byte[] context) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        int body = h + NONCE_BYTES;
        if (envelope.length < body + Envelope.TAG_BYTES) {
            throw new AEADBadTagException("envelope too short");
        }
        byte[] plaintext = new byte[envelope.length - body - Envelope.TAG_BYTES];
        if (plaintext.length > SHORT_VALUE) {
            Cipher cipher = JCE_CIPHERS.get(key);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, envelope, h, NONCE_BYTES));
            cipher.updateAAD(envelope, 0, h);
            cipher.updateAAD(context);
            cipher.doFinal(envelope, body, envelope.length - body, plaintext, 0);
            return plaintext;
        }
        Gcm gcm = STATES.get(key);
        try {
            gcm.open(envelope, h, context, envelope, h, envelope, body, envelope.length - body, plaintext, 0);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            STATES.discard(key);
            Arrays.fill(plaintext, (byte) 0);
            throw new AEADBadTagException("GCM authentication failed");
        }
        return plaintext;
    }

    /** Drops and wipes this thread's cached key states (tests). */
    static void clearThreadCache() {
        JCE_CIPHERS.clear();
        STATES.clear();
    }
}
