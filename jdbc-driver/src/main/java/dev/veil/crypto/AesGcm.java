package dev.veil.crypto;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Randomized AEAD: AES-256-GCM through JCE (AES-NI and CLMUL intrinsics on x86), a fresh 96-bit
 * nonce per value from a per-thread {@link SecureRandom}.
 */
final class AesGcm {
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;

    private static final int CACHED_KEYS_PER_THREAD = 8;

    /*
     * Cipher.getInstance is costly and Cipher is not thread-safe, so each thread keeps ciphers,
     * re-initialised per value with a fresh nonce. One per recently used key: re-initialising a
     * cipher with a different key expands the AES key schedule again, which code that alternates
     * keys (reading rows written under several key versions, rekeying) would otherwise pay per value.
     */
    private static final ThreadLocal<Map<SecretKey, Cipher>> CIPHERS = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<SecretKey, Cipher> eldest) {
                    return size() > CACHED_KEYS_PER_THREAD;
                }
            });
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private AesGcm() {
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM", e);
        }
    }

    /** Ensures the JVM offers AES-GCM; called once at start-up so a missing provider fails early. */
    static void checkAvailable() throws NoSuchAlgorithmException {
        try {
            newCipher();
        } catch (IllegalStateException e) {
            throw new NoSuchAlgorithmException(e.getMessage());
        }
    }

    /** The key and cipher this thread used last: almost every call hits it, without a map lookup. */
    private static final class Last {
        SecretKey key;
        Cipher cipher;
    }

    private static final ThreadLocal<Last> LAST = ThreadLocal.withInitial(Last::new);

    /** This thread's cipher for a key (keys are compared by identity: one object per data key). */
    private static Cipher cipher(SecretKey key) {
        Last last = LAST.get();
        if (last.key != key) {
            last.cipher = CIPHERS.get().computeIfAbsent(key, k -> newCipher());
            last.key = key;
        }
        return last.cipher;
    }

    /**
     * Encrypts into {@code out}, whose first {@link Envelope#HEADER_BYTES} bytes hold the header;
     * writes nonce, ciphertext and tag after it.
     */
    static void seal(SecretKey key, byte[] out, byte[] context, byte[] plaintext) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, h, NONCE_BYTES);
        Cipher cipher = cipher(key);
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, h, NONCE_BYTES));
        cipher.updateAAD(out, 0, h);
        cipher.updateAAD(context);
        cipher.doFinal(plaintext, 0, plaintext.length, out, h + NONCE_BYTES);
    }

    /** Plain AES-GCM with an explicit nonce, for the NIST known-answer tests; returns ciphertext||tag. */
    static byte[] encrypt(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        Cipher cipher = newCipher();
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(plaintext);
    }

    /** Verifies and decrypts an envelope; throws {@code AEADBadTagException} when anything was altered. */
    static byte[] open(SecretKey key, byte[] envelope, byte[] context) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        int body = h + NONCE_BYTES;
        if (envelope.length < body + Envelope.TAG_BYTES) {
            throw new javax.crypto.AEADBadTagException("envelope too short");
        }
        Cipher cipher = cipher(key);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, envelope, h, NONCE_BYTES));
        cipher.updateAAD(envelope, 0, h);
        cipher.updateAAD(context);
        return cipher.doFinal(envelope, body, envelope.length - body);
    }
}
