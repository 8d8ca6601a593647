package dev.veil.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * AES-256-GCM-SIV (RFC 8452) for one key-generating key and one nonce: the per-nonce
 * authentication and encryption keys are derived once, POLYVAL runs on precomputed tables
 * ({@link Polyval}) and the CTR keystream is made by one JCE {@code AES/ECB/NoPadding} call over all
 * counter blocks, so AES runs on the JVM's AES-NI intrinsics instead of one call per block.
 *
 * <p>Not thread-safe: it holds a {@link Cipher} and scratch buffers. Holds derived key material
 * until {@link #destroy()}.
 */
final class GcmSiv {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    private static final int BLOCK = 16;
    // Keystream is made in chunks of this many bytes, bounding the scratch buffers for large values.
    private static final int CHUNK = 4096;
    private static final byte[] EMPTY = new byte[0];
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Polyval polyval;
    private final Cipher aes;
    private final long nonceLow;
    private final long nonceHigh;
    private final byte[] tagBlock = new byte[BLOCK];
    // AES of the tag block goes here: JCE copies its input first when asked to encrypt in place
    private final byte[] tagOut = new byte[BLOCK];
    private byte[] counters = EMPTY;
    private byte[] keystream = EMPTY;

    private GcmSiv(Polyval polyval, Cipher aes, byte[] nonce) {
        this.polyval = polyval;
        this.aes = aes;
        this.nonceLow = (long) LONG_LE.get(nonce, 0);
        this.nonceHigh = (int) INT_LE.get(nonce, 8) & 0xFFFFFFFFL;
    }

    /**
     * Derives the per-nonce keys (RFC 8452 section 4).
     *
     * @param key   the 32-byte key-generating key; not retained
     * @param nonce the 12-byte nonce
     * @throws GeneralSecurityException if a length is wrong or the JVM lacks AES/ECB/NoPadding
     */
    static GcmSiv create(byte[] key, byte[] nonce) throws GeneralSecurityException {
        if (key.length != KEY_BYTES || nonce.length != NONCE_BYTES) {
            throw new GeneralSecurityException("GCM-SIV needs a 32-byte key and a 12-byte nonce");
        }
        // blocks LE32(i) || nonce for i = 0..5; the first 8 bytes of each encrypted block form the keys
        byte[] blocks = new byte[6 * BLOCK];
        for (int i = 0; i < 6; i++) {
            blocks[i * BLOCK] = (byte) i;
            System.arraycopy(nonce, 0, blocks, i * BLOCK + 4, NONCE_BYTES);
        }
        byte[] authKey = new byte[16];
        byte[] encKey = new byte[KEY_BYTES];
        try {
            Cipher kdf = Cipher.getInstance("AES/ECB/NoPadding");
            kdf.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            kdf.doFinal(blocks, 0, blocks.length, blocks, 0);
            for (int i = 0; i < 2; i++) {
                System.arraycopy(blocks, i * BLOCK, authKey, i * 8, 8);
            }
            for (int i = 0; i < 4; i++) {
                System.arraycopy(blocks, (i + 2) * BLOCK, encKey, i * 8, 8);
            }
            Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(encKey, "AES"));
            return new GcmSiv(new Polyval(authKey), aes, nonce);
        } finally {
            Arrays.fill(blocks, (byte) 0);
            Arrays.fill(authKey, (byte) 0);
            Arrays.fill(encKey, (byte) 0);
        }
    }

    /**
     * Encrypts {@code in[inOff, inOff+inLen)} and writes ciphertext then tag ({@code inLen + 16}
     * bytes) to {@code out} at {@code outOff}. The associated data is the first {@code aadLen} bytes
     * of {@code aad} followed by all of {@code aadTail}. The output must not overlap the input or the
     * associated data.
     */
    void seal(byte[] aad, int aadLen, byte[] aadTail, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        hash(aad, aadLen, aadTail, in, inOff, inLen);
        byte[] tag = tagOut;
        aes.update(tagBlock, 0, BLOCK, tag, 0);
        ctr(tag, 0, in, inOff, inLen, out, outOff);
        System.arraycopy(tag, 0, out, outOff + inLen, TAG_BYTES);
    }

    /**
     * Verifies and decrypts ciphertext then tag {@code in[inOff, inOff+inLen)} into {@code out} at
     * {@code outOff} ({@code inLen - 16} bytes); associated data as for {@link #seal}.
     *
     * @throws AEADBadTagException if the tag does not match; the output range is then zeroed
     */
    void open(byte[] aad, int aadLen, byte[] aadTail, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        int n = inLen - TAG_BYTES;
        if (n < 0) {
            throw new AEADBadTagException("GCM-SIV authentication failed");
        }
        ctr(in, inOff + n, in, inOff, n, out, outOff);
        hash(aad, aadLen, aadTail, out, outOff, n);
        aes.update(tagBlock, 0, BLOCK, tagOut, 0);
        if (!Gcm.sameTag(tagOut, in, inOff + n)) {
            Arrays.fill(out, outOff, outOff + n, (byte) 0);
            throw new AEADBadTagException("GCM-SIV authentication failed");
        }
    }

    /** POLYVAL over the padded associated data, padded plaintext and length block, made into the tag input block. */
    private void hash(byte[] aad, int aadLen, byte[] aadTail, byte[] plaintext, int off, int len) {
        Polyval p = polyval;
        p.startWithAssociatedData(aad, aadLen, aadTail, false);
        p.finish(plaintext, off, len, ((long) aadLen + aadTail.length) << 3, (long) len << 3, false);
        LONG_LE.set(tagBlock, 0, p.low() ^ nonceLow);
        // the nonce covers bytes 0..11; the top bit of byte 15 is cleared before encryption
        LONG_LE.set(tagBlock, 8, (p.high() ^ nonceHigh) & Long.MAX_VALUE);
    }

    /**
     * XORs the AES-CTR keystream for the tag at {@code tag[tagOff]} into {@code in}, writing to
     * {@code out}. GCM-SIV's counter block is the tag with the top bit of byte 15 set; only bytes
     * 0..3 count, as a little-endian 32-bit integer that wraps. Package-private for the
     * counter-wrap test.
     */
    void ctr(byte[] tag, int tagOff, byte[] in, int inOff, int len, byte[] out, int outOff) throws GeneralSecurityException {
        int counter = (int) INT_LE.get(tag, tagOff);
        long middle = (long) LONG_LE.get(tag, tagOff + 4);
        int top = (int) INT_LE.get(tag, tagOff + 12) | 0x80000000;
        int done = 0;
        while (done < len) {
            int chunk = Math.min(len - done, CHUNK);
            int blocksBytes = (chunk + BLOCK - 1) & ~(BLOCK - 1);
            if (counters.length < blocksBytes) {
                counters = new byte[blocksBytes];
                keystream = new byte[blocksBytes];
            }
            byte[] c = counters;
            for (int i = 0; i < blocksBytes; i += BLOCK) {
                INT_LE.set(c, i, counter++);
                LONG_LE.set(c, i + 4, middle);
                INT_LE.set(c, i + 12, top);
            }
            byte[] k = keystream;
            aes.update(c, 0, blocksBytes, k, 0);
            int i = 0;
            int a = inOff + done;
            int b = outOff + done;
            for (int end = chunk & ~7; i < end; i += 8) {
                LONG_LE.set(out, b + i, (long) LONG_LE.get(in, a + i) ^ (long) LONG_LE.get(k, i));
            }
            for (; i < chunk; i++) {
                out[b + i] = (byte) (in[a + i] ^ k[i]);
            }
            Gcm.wipeBlocks(k, blocksBytes);
            done += chunk;
        }
    }

    /** Overwrites the derived hash key; the JCE cipher's key schedule cannot be wiped. */
    void destroy() {
        polyval.destroy();
        Arrays.fill(tagBlock, (byte) 0);
        Arrays.fill(tagOut, (byte) 0);
        Arrays.fill(keystream, (byte) 0);
    }
}
