package dev.veil.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /*
     * Preparing a key (its AES schedule, hash key and 32 KiB of GHASH tables) costs far more than
     * encrypting a short value, and Gcm is not thread-safe, so each thread keeps the states of its
     * most recently used keys, keyed by the identity of the key object (a DataKey hands out the same
     * object until it is destroyed). Code that alternates keys (reading rows written under several
     * key versions, rekeying) finds each one ready. An evicted state is wiped.
     */
    private static final ThreadLocal<Map<SecretKey, Gcm>> STATES = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<SecretKey, Gcm> eldest) {
                    if (size() > CACHED_KEYS_PER_THREAD) {
                        eldest.getValue().destroy();
                        return true;
                    }
                    return false;
                }
            });
    private static final ThreadLocal<Map<SecretKey, Cipher>> JCE_CIPHERS = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<SecretKey, Cipher> eldest) {
                    return size() > CACHED_KEYS_PER_THREAD;
                }
            });
    private static final ThreadLocal<Nonces> NONCES = ThreadLocal.withInitial(() -> new Nonces(new SecureRandom()));

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

    /** The key this thread used last and its state: almost every call hits it, without a map lookup. */
    private static final class Last {
        SecretKey key;
        Gcm state;
    }

    private static final ThreadLocal<Last> LAST = ThreadLocal.withInitial(Last::new);

    private static Gcm state(SecretKey key) throws GeneralSecurityException {
        Last last = LAST.get();
        if (last.key != key) {
            Map<SecretKey, Gcm> states = STATES.get();
            Gcm state = states.get(key);
            if (state == null) {
                state = Gcm.create(key);
                states.put(key, state);
            }
            last.state = state;
            last.key = key;
        }
        return last.state;
    }

    /** This thread's JCE cipher for a key, for long values; re-initialising with another key would redo its schedule. */
    private static Cipher jceCipher(SecretKey key) throws GeneralSecurityException {
        Map<SecretKey, Cipher> ciphers = JCE_CIPHERS.get();
        Cipher cipher = ciphers.get(key);
        if (cipher == null) {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            ciphers.put(key, cipher);
        }
        return cipher;
    }

    // after an unexpected failure the state is unknown: the next call starts afresh
    private static void discard(SecretKey key) {
        Last last = LAST.get();
        last.key = null;
        last.state = null;
        Gcm state = STATES.get().remove(key);
        if (state != null) {
            state.destroy();
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
            Cipher cipher = jceCipher(key);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, h, NONCE_BYTES));
            cipher.updateAAD(out, 0, h);
            cipher.updateAAD(context);
            cipher.doFinal(plaintext, 0, plaintext.length, out, h + NONCE_BYTES);
            return;
        }
        Gcm gcm = state(key);
        try {
            gcm.seal(out, h, context, out, h, plaintext, 0, plaintext.length, out, h + NONCE_BYTES);
        } catch (GeneralSecurityException | RuntimeException e) {
            discard(key);
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
            Cipher cipher = jceCipher(key);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, envelope, h, NONCE_BYTES));
            cipher.updateAAD(envelope, 0, h);
            cipher.updateAAD(context);
            cipher.doFinal(envelope, body, envelope.length - body, plaintext, 0);
            return plaintext;
        }
        Gcm gcm = state(key);
        try {
            gcm.open(envelope, h, context, envelope, h, envelope, body, envelope.length - body, plaintext, 0);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            discard(key);
            Arrays.fill(plaintext, (byte) 0);
            throw new AEADBadTagException("GCM authentication failed");
        }
        return plaintext;
    }

    /** Drops and wipes this thread's cached key states (tests). */
    static void clearThreadCache() {
        LAST.remove();
        JCE_CIPHERS.remove();
        STATES.get().values().forEach(Gcm::destroy);
        STATES.remove();
    }
}
