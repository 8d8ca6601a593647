package dev.veil.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;

/**
 * Deterministic AEAD: AES-256-GCM-SIV (RFC 8452) through BouncyCastle's lightweight API (never its
 * JCE provider) with a fixed all-zero nonce. Equal plaintexts under equal key and associated data
 * give equal ciphertexts; GCM-SIV stays secure under that nonce reuse apart from revealing equality.
 */
final class AesGcmSiv {
    private static final byte[] FIXED_NONCE = new byte[12];
    private static final int TAG_BITS = 128;

    private AesGcmSiv() {
    }

    /** Encrypts into {@code out} after its header; see {@link AesGcm#seal}. */
    static void seal(byte[] key, byte[] out, byte[] context, byte[] plaintext) throws GeneralSecurityException {
        GCMSIVBlockCipher cipher = cipher(true, key);
        cipher.processAADBytes(out, 0, Envelope.HEADER_BYTES);
        cipher.processAADBytes(context, 0, context.length);
        int n = cipher.processBytes(plaintext, 0, plaintext.length, out, Envelope.HEADER_BYTES);
        try {
            cipher.doFinal(out, Envelope.HEADER_BYTES + n);
        } catch (InvalidCipherTextException e) {
            throw new GeneralSecurityException("GCM-SIV encryption failed", e);
        }
    }

    static byte[] open(byte[] key, byte[] envelope, byte[] context) throws GeneralSecurityException {
        int h = Envelope.HEADER_BYTES;
        if (envelope.length < h + Envelope.TAG_BYTES) {
            throw new AEADBadTagException("envelope too short");
        }
        GCMSIVBlockCipher cipher = cipher(false, key);
        cipher.processAADBytes(envelope, 0, h);
        cipher.processAADBytes(context, 0, context.length);
        byte[] plaintext = new byte[envelope.length - h - Envelope.TAG_BYTES];
        int n = cipher.processBytes(envelope, h, envelope.length - h, plaintext, 0);
        try {
            cipher.doFinal(plaintext, n);
        } catch (InvalidCipherTextException e) {
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
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, FIXED_NONCE));
        return cipher;
    }
}
