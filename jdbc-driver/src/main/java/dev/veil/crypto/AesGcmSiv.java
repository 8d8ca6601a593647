package dev.veil.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deterministic AEAD: AES-256-GCM-SIV (RFC 8452) through BouncyCastle's lightweight API (never its
 * JCE provider) with a fixed all-zero nonce, running on the JDK's AES ({@link JceAesBlockCipher}). Equal plaintexts under equal key and associated data
 * give equal ciphertexts; GCM-SIV stays secure under that nonce reuse apart from revealing equality.
 */
final class AesGcmSiv {
    private static final byte[] FIXED_NONCE = new byte[12];
    private static final int TAG_BITS = 128;
    private static final int CACHED_KEYS_PER_THREAD = 8;

    /*
     * Initialising GCM-SIV derives the per-nonce keys and builds GHASH tables, which costs far more
     * than encrypting a short value. With a fixed nonce the derived keys never change for a data
     * key, so each thread keeps initialised ciphers for its most recently used keys (BC resets the
     * streams after doFinal and keeps the keys). Keyed by the identity of the key array.
     */
    private static final ThreadLocal<Map<byte[], GCMSIVBlockCipher[]>> CIPHERS = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<byte[], GCMSIVBlockCipher[]> eldest) {
                    return size() > CACHED_KEYS_PER_THREAD;
                }
            });

    private AesGcmSiv() {
    }

    /** Encrypts into {@code out} after its header; see {@link AesGcm#seal}. */
    static void seal(byte[] key, byte[] out, byte[] context, byte[] plaintext) throws GeneralSecurityException {
        GCMSIVBlockCipher cipher = cipher(true, key);
        try {
            cipher.processAADBytes(out, 0, Envelope.HEADER_BYTES);
            cipher.processAADBytes(context, 0, context.length);
            int n = cipher.processBytes(plaintext, 0, plaintext.length, out, Envelope.HEADER_BYTES);
            cipher.doFinal(out, Envelope.HEADER_BYTES + n);
        } catch (InvalidCipherTextException | RuntimeException e) {
            cipher.reset();
            throw new GeneralSecurityException("GCM-SIV encryption failed", e);
        }
    }

    static byte[] open(byte[] key, byte[] envelope, byte[] context) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        if (envelope.length < h + Envelope.TAG_BYTES) {
            throw new AEADBadTagException("envelope too short");
        }
        GCMSIVBlockCipher cipher = cipher(false, key);
        byte[] plaintext = new byte[envelope.length - h - Envelope.TAG_BYTES];
        try {
            cipher.processAADBytes(envelope, 0, h);
            cipher.processAADBytes(context, 0, context.length);
            int n = cipher.processBytes(envelope, h, envelope.length - h, plaintext, 0);
            cipher.doFinal(plaintext, n);
        } catch (InvalidCipherTextException | RuntimeException e) {
            // a failed decryption leaves the streams half-used; the cached cipher must start clean
            cipher.reset();
            Arrays.fill(plaintext, (byte) 0);
            throw new AEADBadTagException("GCM-SIV authentication failed");
        }
        return plaintext;
    }

    /** Plain AES-GCM-SIV with an explicit nonce, for the RFC 8452 known-answer tests. */
    static byte[] encrypt(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        cipher.init(true, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, aad));
        byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
        int n = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            cipher.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new GeneralSecurityException(e);
        }
        return out;
    }

    private static GCMSIVBlockCipher cipher(boolean encrypt, byte[] key) {
        GCMSIVBlockCipher[] pair = CIPHERS.get().computeIfAbsent(key, k -> new GCMSIVBlockCipher[2]);
        int slot = encrypt ? 0 : 1;
        if (pair[slot] == null) {
            GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(new JceAesBlockCipher());
            cipher.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, FIXED_NONCE));
            pair[slot] = cipher;
        }
        return pair[slot];
    }

    /** Drops this thread's initialised ciphers (tests). */
    static void clearThreadCache() {
        CIPHERS.remove();
    }
}
