package dev.veil.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * POLYVAL (RFC 8452 section 3) under one hash key: a streaming hash over 16-byte blocks with a
 * per-key 8-bit multiplication table. Not thread-safe; {@link #reset()} before each message.
 *
 * <p>A field element is the 128-bit little-endian integer of its 16 bytes, bit {@code k} being the
 * coefficient of {@code x^k}, so a block loads as two little-endian longs without reordering.
 * {@code dot(a, H) = a * H * x^-128}: the table holds {@code b * H mod P} for every byte {@code b};
 * a block sums the table entries of its bytes, shifted into place but not reduced, and one
 * Montgomery step then divides the 256-bit sum by {@code x^128}. Nothing in the per-byte work
 * waits on a table load, so the CPU overlaps it (a reduce-as-you-go Horner was latency-bound).
 */
final class Polyval {
    static final int BLOCK = 16;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // x^128 = x^127 + x^126 + x^121 + 1 (mod P); the bits above x^63 in the high word
    private static final long P_HIGH = 0xC200000000000000L;

    /** table[2b], table[2b+1] = low, high word of b(x) * H mod P for every byte b. */
    private final long[] table;
    private final byte[] pending = new byte[BLOCK];
    private int pendingLength;
    private long lo;
    private long hi;

    /** @param h the 16-byte hash key (the message-authentication key); not retained */
    Polyval(byte[] h) {
        table = multiplesOf((long) LONG_LE.get(h, 0), (long) LONG_LE.get(h, 8));
    }

    /** Products b(x) * (lo, hi) mod P for b = 0..255, built by doubling and linearity. */
    private static long[] multiplesOf(long lo, long hi) {
        long[] t = new long[512];
        for (int bit = 1; bit < 256; bit <<= 1) {
            t[2 * bit] = lo;
            t[2 * bit + 1] = hi;
            long mask = -(hi >>> 63);
            hi = (hi << 1) | (lo >>> 63);
            lo = (lo << 1) ^ (mask & 1L);
            hi ^= mask & P_HIGH;
        }
        for (int b = 3; b < 256; b++) {
            int low = Integer.lowestOneBit(b);
            if (low != b) {
                t[2 * b] = t[2 * low] ^ t[2 * (b ^ low)];
                t[2 * b + 1] = t[2 * low + 1] ^ t[2 * (b ^ low) + 1];
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
        // Two independent Horner chains over the high and low 8 bytes, each a 3-word (unreduced) sum
        int b = (int) (ah >>> 56) << 1;
        long h0 = t[b];
        long h1 = t[b + 1];
        long h2 = 0;
        b = (int) (al >>> 56) << 1;
        long l0 = t[b];
        long l1 = t[b + 1];
        long l2 = 0;
        for (int s = 48; s >= 0; s -= 8) {
            int bh = ((int) (ah >>> s) & 0xff) << 1;
            int bl = ((int) (al >>> s) & 0xff) << 1;
            h2 = (h2 << 8) | (h1 >>> 56);
            h1 = ((h1 << 8) | (h0 >>> 56)) ^ t[bh + 1];
            h0 = (h0 << 8) ^ t[bh];
            l2 = (l2 << 8) | (l1 >>> 56);
            l1 = ((l1 << 8) | (l0 >>> 56)) ^ t[bl + 1];
            l0 = (l0 << 8) ^ t[bl];
        }
        // a * H as 256 bits d0..d3 (the high chain sits one word up)
        long d0 = l0;
        long d1 = l1 ^ h0;
        long d2 = l2 ^ h1;
        long d3 = h2;
        // Montgomery: P = 1 mod x^64, so adding d0 * P clears word 0, then (new d1) * x^64 * P clears
        // word 1; P's other terms x^121, x^126, x^127, x^128 are shifts. What remains is a * H * x^-128.
        d1 ^= (d0 << 57) ^ (d0 << 62) ^ (d0 << 63);
        d2 ^= d0 ^ (d0 >>> 7) ^ (d0 >>> 2) ^ (d0 >>> 1);
        d2 ^= (d1 << 57) ^ (d1 << 62) ^ (d1 << 63);
        d3 ^= d1 ^ (d1 >>> 7) ^ (d1 >>> 2) ^ (d1 >>> 1);
        lo = d2;
        hi = d3;
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
