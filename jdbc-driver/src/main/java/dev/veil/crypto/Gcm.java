package dev.veil.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * AES-256-GCM (NIST SP 800-38D, 96-bit nonces, 128-bit tags) under one key, built for short values:
 * the hash key and its multiplication tables are made once per key, GHASH runs on {@link Polyval}'s
 * tables (RFC 8452 Appendix A relates the two hashes), and the tag mask and the whole CTR keystream
 * of a value come from one JCE {@code AES/ECB/NoPadding} call, so AES runs on the JVM's AES-NI
 * intrinsics. JCE's own GCM re-derives the hash key and allocates per value, which costs more than
 * encrypting a short value; the output is identical (checked against it and the NIST vectors).
 *
 * <p>Not thread-safe: it holds a {@link Cipher} and scratch buffers. Holds key-derived tables until
 * {@link #destroy()}.
 */
final class Gcm {
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    private static final int BLOCK = 16;
    // keystream is made in chunks of this many bytes, bounding the scratch buffers for large values
    private static final int CHUNK = 4096;
    private static final long P_HIGH = 0xC200000000000000L;
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final Cipher aes;
    private final Polyval ghash;
    private final byte[] tag = new byte[BLOCK];
    private byte[] counters = new byte[4 * BLOCK];
    private byte[] keystream = new byte[4 * BLOCK];

    private Gcm(Cipher aes, Polyval ghash) {
        this.aes = aes;
        this.ghash = ghash;
    }

    /**
     * Prepares a key: its AES schedule and GHASH tables.
     *
     * @throws GeneralSecurityException if the key is not an AES key or the JVM lacks AES/ECB/NoPadding
     */
    static Gcm create(SecretKey key) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, key);
        byte[] h = new byte[BLOCK];
        byte[] polyvalKey = new byte[BLOCK];
        try {
            aes.update(h, 0, BLOCK, h, 0);
            // mulX_POLYVAL(ByteReverse(H)): the reversed block read as two little-endian words, doubled
            long lo = (long) LONG_BE.get(h, 8);
            long hi = (long) LONG_BE.get(h, 0);
            long carry = -(hi >>> 63);
            hi = (hi << 1) | (lo >>> 63);
            lo = (lo << 1) ^ (carry & 1L);
            hi ^= carry & P_HIGH;
            LONG_LE.set(polyvalKey, 0, lo);
            LONG_LE.set(polyvalKey, 8, hi);
            return new Gcm(aes, new Polyval(polyvalKey));
        } finally {
            Arrays.fill(h, (byte) 0);
            Arrays.fill(polyvalKey, (byte) 0);
        }
    }

    /**
     * Encrypts {@code in[inOff, inOff+inLen)} and writes ciphertext then tag ({@code inLen + 16}
     * bytes) to {@code out} at {@code outOff}. The associated data is the first {@code aadLen} bytes
     * of {@code aad} followed by all of {@code aadTail}; the nonce is {@code nonce[nonceOff, +12)}.
     * The output must not overlap the input, the nonce or the associated data.
     */
    void seal(byte[] aad, int aadLen, byte[] aadTail, byte[] nonce, int nonceOff,
              byte[] in, int inOff, int inLen, byte[] out, int outOff) throws GeneralSecurityException {
        ghash.startWithAssociatedData(aad, aadLen, aadTail, true);
        ctr(nonce, nonceOff, in, inOff, inLen, out, outOff);
        finishTag(out, outOff, inLen, aadLen + aadTail.length);
        System.arraycopy(tag, 0, out, outOff + inLen, TAG_BYTES);
    }

    /**
     * Verifies and decrypts ciphertext then tag {@code in[inOff, inOff+inLen)} into {@code out} at
     * {@code outOff} ({@code inLen - 16} bytes); nonce and associated data as for {@link #seal}.
     *
     * @throws AEADBadTagException if the tag does not match; the output range is then zeroed
     */
    void open(byte[] aad, int aadLen, byte[] aadTail, byte[] nonce, int nonceOff,
              byte[] in, int inOff, int inLen, byte[] out, int outOff) throws GeneralSecurityException {
        int n = inLen - TAG_BYTES;
        if (n < 0) {
            throw new AEADBadTagException("GCM authentication failed");
        }
        ghash.startWithAssociatedData(aad, aadLen, aadTail, true);
        ctr(nonce, nonceOff, in, inOff, n, out, outOff);
        finishTag(in, inOff, n, aadLen + aadTail.length);
        if (!sameTag(tag, in, inOff + n)) {
            Arrays.fill(out, outOff, outOff + n, (byte) 0);
            throw new AEADBadTagException("GCM authentication failed");
        }
    }

    /**
     * Zeroes {@code a[0, len)}, {@code len} a multiple of 16: a word at a time, where
     * {@code Arrays.fill} of a few blocks of bytes compiles to a byte loop that cost 5% of a scan.
     */
    static void wipeBlocks(byte[] a, int len) {
        for (int i = 0; i < len; i += 8) {
            LONG_LE.set(a, i, 0L);
        }
    }

    /**
     * Compares a computed tag with the 16 bytes at {@code received[off]} in constant time (a timing
     * difference would let an attacker forge tags byte by byte), in place: the JDK's
     * {@code MessageDigest.isEqual} needed a copy of the received tag and cost more than the check.
     */
    static boolean sameTag(byte[] computed, byte[] received, int off) {
        long diff = ((long) LONG_LE.get(computed, 0) ^ (long) LONG_LE.get(received, off))
                | ((long) LONG_LE.get(computed, 8) ^ (long) LONG_LE.get(received, off + 8));
        return diff == 0;
    }

    /**
     * Hashes the ciphertext and the length block; leaves {@code GHASH xor E(K, J0)} in {@code tag}
     * (E(K, J0) is there already).
     */
    private void finishTag(byte[] ciphertext, int off, int len, int aadBytes) {
        Polyval p = ghash;
        // the length block len(A) || len(C) in bits, byte-reversed: len(C) is the low word
        p.finish(ciphertext, off, len, (long) len << 3, (long) aadBytes << 3, true);
        LONG_BE.set(tag, 0, (long) LONG_BE.get(tag, 0) ^ p.high());
        LONG_BE.set(tag, 8, (long) LONG_BE.get(tag, 8) ^ p.low());
    }

    /**
     * XORs the CTR keystream (counter blocks {@code nonce || 2, 3, ...}) into {@code in}, writing to
     * {@code out}, and leaves {@code E(K, nonce || 1)}, the tag mask, in {@code tag}. The tag mask
     * rides along with the first chunk's AES call.
     */
    private void ctr(byte[] nonce, int nonceOff, byte[] in, int inOff, int len, byte[] out, int outOff)
            throws GeneralSecurityException {
        long nonceHead = (long) LONG_BE.get(nonce, nonceOff);
        int nonceTail = (int) INT_BE.get(nonce, nonceOff + 8);
        int counter = 1;
        int done = 0;
        boolean first = true;
        do {
            int chunk = Math.min(len - done, CHUNK);
            int skip = first ? BLOCK : 0;
            int bytes = skip + ((chunk + BLOCK - 1) & ~(BLOCK - 1));
            if (counters.length < bytes) {
                counters = new byte[bytes];
                keystream = new byte[bytes];
            }
            byte[] c = counters;
            for (int i = 0; i < bytes; i += BLOCK) {
                LONG_BE.set(c, i, nonceHead);
                INT_BE.set(c, i + 8, nonceTail);
                INT_BE.set(c, i + 12, counter++);
            }
            byte[] k = keystream;
            aes.update(c, 0, bytes, k, 0);
            if (first) {
                System.arraycopy(k, 0, tag, 0, BLOCK);
            }
            int a = inOff + done;
            int b = outOff + done;
            int i = 0;
            for (int end = chunk & ~7; i < end; i += 8) {
                LONG_LE.set(out, b + i, (long) LONG_LE.get(in, a + i) ^ (long) LONG_LE.get(k, skip + i));
            }
            for (; i < chunk; i++) {
                out[b + i] = (byte) (in[a + i] ^ k[skip + i]);
            }
            wipeBlocks(k, bytes);
            done += chunk;
            first = false;
        } while (done < len);
    }

    /** Overwrites the hash-key tables and scratch; the JCE cipher's key schedule cannot be wiped. */
    void destroy() {
        ghash.destroy();
        Arrays.fill(tag, (byte) 0);
        Arrays.fill(keystream, (byte) 0);
    }
}
