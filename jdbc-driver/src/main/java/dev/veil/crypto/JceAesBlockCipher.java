package dev.veil.crypto;

import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.params.KeyParameter;

import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * BouncyCastle's block-cipher interface over the JDK's AES, so BouncyCastle's GCM-SIV mode runs
 * on the JVM's AES-NI intrinsics instead of a table-based pure-Java AES (several times faster on
 * long values). Forward direction only, which is all GCM-SIV uses. Not thread-safe, like any
 * {@link BlockCipher}.
 */
final class JceAesBlockCipher implements BlockCipher {
    private Cipher ecb;

    @Override
    public void init(boolean forEncryption, CipherParameters params) {
        if (!forEncryption || !(params instanceof KeyParameter key)) {
            throw new IllegalArgumentException("JceAesBlockCipher supports only forward AES with a KeyParameter");
        }
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.getKey(), "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB/NoPadding is not available in this JVM", e);
        }
    }

    @Override
    public String getAlgorithmName() {
        return "AES";
    }

    @Override
    public int getBlockSize() {
        return 16;
    }

    @Override
    public int processBlock(byte[] in, int inOff, byte[] out, int outOff) {
        try {
            return ecb.update(in, inOff, 16, out, outOff);
        } catch (ShortBufferException e) {
            throw new DataLengthException("output buffer too short");
        }
    }

    @Override
    public void reset() {
    }
}
