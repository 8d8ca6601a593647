package dev.veil.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * POLYVAL (RFC 8452 section 3) under one hash key: a streaming hash over 16-byte blocks with
 * per-key 8-bit multiplication tables. Not thread-safe; {@link #reset()} before each message.
 *
 * <p>A field element is the 128-bit little-endian integer of its 16 bytes, bit {@code k} being the
 * coefficient of {@code x^k}, so a block loads as two little-endian longs without reordering.
 * {@code dot(a, H) = a * H * x^-128}. For each of the 8 byte positions {@code j} of a 64-bit word
 * the table holds {@code b * x^(8j) * H mod P} for every byte {@code b} (32 KiB per key), so a block
 * is 16 independent lookups XORed together: the low word's sum plus the high word's sum times
 * {@code x^64}, 192 bits not yet reduced. One Montgomery step then divides by {@code x^128}. Without
 * a carry-less multiply instruction in Java the lookups are the cost; this layout needs no shifts
 * between them and no lookup waits on another. (A Horner pass over one 4 KiB table that reduced
 * after every byte took twice as long, each step waiting on a reduction-table load; one that
 * deferred the reduction was still 1.25 times slower.)
 */
final class Polyval {
    static final int BLOCK = 16;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // x^128 = x^127 + x^126 + x^121 + 1 (mod P); the bits above x^63 in the high word
    private static final long P_HIGH = 0xC200000000000000L;

    /** table[512j + 2b], table[512j + 2b + 1] = low, high word of b(x) * x^(8j) * H mod P. */
    private final long[] table;
    private final byte[] pending = new byte[BLOCK];
    private int pendingLength;
    private long lo;
    private long hi;

    /** @param h the 16-byte hash key (the message-authentication key); not retained */
    Polyval(byte[] h) {
        table = multiplesOf((long) LONG_LE.get(h, 0), (long) LONG_LE.get(h, 8));
    }

    /** Products b(x) * x^(8j) * (lo, hi) mod P for b = 0..255 and j = 0..7, built by doubling and linearity. */
    private static long[] multiplesOf(long lo, long hi) {
        long[] t = new long[8 * 512];
        for (int j = 0; j < 8; j++) {
            int base = 512 * j;
            for (int bit = 1; bit < 256; bit <<= 1) {
                t[base + 2 * bit] = lo;
                t[base + 2 * bit + 1] = hi;
                long mask = -(hi >>> 63);
                hi = (hi << 1) | (lo >>> 63);
                lo = (lo << 1) ^ (mask & 1L);
                hi ^= mask & P_HIGH;
            }
            for (int b = 3; b < 256; b++) {
                int low = Integer.lowestOneBit(b);
                if (low != b) {
                    t[base + 2 * b] = t[base + 2 * low] ^ t[base + 2 * (b ^ low)];
                    t[base + 2 * b + 1] = t[base + 2 * low + 1] ^ t[base + 2 * (b ^ low) + 1];
                }
            }
        }
        return t;
    }

    void reset() {
        lo = 0;
        hi = 0;
        pendingLength = 0;
    }

    /** Hashes bytes; a block split across calls is joined. */
    void update(byte[] in, int off, int len) {
        if (pendingLength > 0) {
            int n = Math.min(len, BLOCK - pendingLength);
            System.arraycopy(in, off, pending, pendingLength, n);
            pendingLength += n;
            off += n;
            len -= n;
            if (pendingLength < BLOCK) {
                return;
            }
            block((long) LONG_LE.get(pending, 0), (long) LONG_LE.get(pending, 8));
            pendingLength = 0;
        }
        int end = off + (len & ~(BLOCK - 1));
        for (; off < end; off += BLOCK) {
            block((long) LONG_LE.get(in, off), (long) LONG_LE.get(in, off + 8));
        }
        len &= BLOCK - 1;
        if (len > 0) {
            System.arraycopy(in, off, pending, 0, len);
            pendingLength = len;
        }
    }

    /** Completes a partial block with zeros, as GCM-SIV pads the associated data and the plaintext. */
    void pad() {
        if (pendingLength > 0) {
            Arrays.fill(pending, pendingLength, BLOCK, (byte) 0);
            block((long) LONG_LE.get(pending, 0), (long) LONG_LE.get(pending, 8));
            pendingLength = 0;
        }
    }

    /** Hashes one block given as its low and high little-endian words; the pending block must be empty. */
    void block(long xl, long xh) {
        long al = lo ^ xl;
        long ah = hi ^ xh;
        long[] t = table;
        int i0 = ((int) al & 0xff) << 1;
        int i1 = 512 + (((int) (al >>> 8) & 0xff) << 1);
        int i2 = 1024 + (((int) (al >>> 16) & 0xff) << 1);
        int i3 = 1536 + (((int) (al >>> 24) & 0xff) << 1);
        int i4 = 2048 + (((int) (al >>> 32) & 0xff) << 1);
        int i5 = 2560 + (((int) (al >>> 40) & 0xff) << 1);
        int i6 = 3072 + (((int) (al >>> 48) & 0xff) << 1);
        int i7 = 3584 + ((int) (al >>> 56) << 1);
        int k0 = ((int) ah & 0xff) << 1;
        int k1 = 512 + (((int) (ah >>> 8) & 0xff) << 1);
        int k2 = 1024 + (((int) (ah >>> 16) & 0xff) << 1);
        int k3 = 1536 + (((int) (ah >>> 24) & 0xff) << 1);
        int k4 = 2048 + (((int) (ah >>> 32) & 0xff) << 1);
        int k5 = 2560 + (((int) (ah >>> 40) & 0xff) << 1);
        int k6 = 3072 + (((int) (ah >>> 48) & 0xff) << 1);
        int k7 = 3584 + ((int) (ah >>> 56) << 1);
        // XOR trees rather than running sums: the JIT does not reassociate, and chains would serialise
        long l0 = ((t[i0] ^ t[i1]) ^ (t[i2] ^ t[i3])) ^ ((t[i4] ^ t[i5]) ^ (t[i6] ^ t[i7]));
        long l1 = ((t[i0 + 1] ^ t[i1 + 1]) ^ (t[i2 + 1] ^ t[i3 + 1])) ^ ((t[i4 + 1] ^ t[i5 + 1]) ^ (t[i6 + 1] ^ t[i7 + 1]));
        long h0 = ((t[k0] ^ t[k1]) ^ (t[k2] ^ t[k3])) ^ ((t[k4] ^ t[k5]) ^ (t[k6] ^ t[k7]));
        long h1 = ((t[k0 + 1] ^ t[k1 + 1]) ^ (t[k2 + 1] ^ t[k3 + 1])) ^ ((t[k4 + 1] ^ t[k5 + 1]) ^ (t[k6 + 1] ^ t[k7 + 1]));
        // a * H = d0 + d1 x^64 + d2 x^128 (mod P), the high word's sum one word up
        long d0 = l0;
        long d1 = l1 ^ h0;
        long d2 = h1;
        // Montgomery: P = 1 mod x^64, so adding d0 * P clears word 0, then (new d1) * x^64 * P clears
        // word 1; P's other terms x^121, x^126, x^127, x^128 are shifts. What remains is a * H * x^-128.
        d1 ^= (d0 << 57) ^ (d0 << 62) ^ (d0 << 63);
        d2 ^= d0 ^ (d0 >>> 7) ^ (d0 >>> 2) ^ (d0 >>> 1);
        d2 ^= (d1 << 57) ^ (d1 << 62) ^ (d1 << 63);
        lo = d2;
        hi = d1 ^ (d1 >>> 7) ^ (d1 >>> 2) ^ (d1 >>> 1);
    }

    long low() {
        return lo;
    }

    long high() {
        return hi;
    }

    /** Overwrites the key table and state; the instance is unusable afterwards. */
    void destroy() {
        Arrays.fill(table, 0L);
        Arrays.fill(pending, (byte) 0);
        reset();
    }
}
