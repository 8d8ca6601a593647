package dev.veil.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * POLYVAL (RFC 8452 section 3) under one hash key: a streaming hash over 16-byte blocks. Not
 * thread-safe; {@link #reset()} before each message.
 *
 * <p>A field element is the 128-bit little-endian integer of its 16 bytes, bit {@code k} being the
 * coefficient of {@code x^k}, so a block loads as two little-endian longs without reordering.
 * {@code dot(a, H) = a * H * x^-128}. Blocks go in pairs, {@code S' = (S + X1) * H^2 x^-256 + X2 *
 * H x^-128}, with {@code H^2 x^-128} computed once per key: one reduction per pair, and the
 * reduction is one Montgomery step (division by {@code x^128}), shifts only. Java has no
 * carry-less multiply; there are two ways to make one:
 * <ul>
 *   <li><b>Constant time</b> (the default): each 64 x 64-bit carry-less product is made from
 *       integer multiplications of the operands with all but every fourth bit masked off, so the
 *       carries of one multiplication land only on bits the result masks away; the high half of a
 *       product is the low half of the bit-reversed operands' product, reversed. Three such
 *       products per 128-bit multiplication (Karatsuba). No memory access and no branch depends
 *       on the key or the data.
 *   <li><b>Tables</b> (opt-in, {@code -D}{@value #TABLES_PROPERTY}{@code =true}): for each byte
 *       position {@code j} of a 32-bit quarter, a per-key table holds {@code b * x^(8j) * H mod P}
 *       for every byte {@code b}, so a product is 16 lookups XORed together; 32 KiB of tables per
 *       key. Faster, but which table entries are read depends on secret data, which a co-located
 *       attacker timing the CPU cache may observe.
 * </ul>
 */
final class Polyval {
    static final int BLOCK = 16;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    // x^128 = x^127 + x^126 + x^121 + 1 (mod P); the bits above x^63 in the high word
    private static final long P_HIGH = 0xC200000000000000L;

    private static final int HALF = 4 * 512;

    /** The system property that selects the table-driven multiplication for keys prepared after it is read. */
    static final String TABLES_PROPERTY = "veil.crypto.ghash-tables";
    /** Whether new instances use tables rather than the constant-time multiplication. */
    static final boolean TABLES = Boolean.getBoolean(TABLES_PROPERTY);

    // masks keeping every fourth bit, from bit 0, 1, 2 and 3
    private static final long M0 = 0x1111111111111111L;
    private static final long M1 = 0x2222222222222222L;
    private static final long M2 = 0x4444444444444444L;
    private static final long M3 = 0x8888888888888888L;

    /**
     * Tables only (else null): table[512j + 2b], table[512j + 2b + 1] = low, high word of
     * b(x) * x^(8j) * H mod P for j = 0..3; from HALF on the same for H^2 * x^-128.
     */
    private final long[] table;
    /*
     * Constant time only (else zero): the words of H and of G = H^2 x^-128, their Karatsuba middle
     * terms (low ^ high), and the same three words bit-reversed.
     */
    private long h0, h1, h2, hr0, hr1, hr2;
    private long g0, g1, g2, gr0, gr1, gr2;
    private final byte[] pending = new byte[BLOCK];
    private int pendingLength;
    /*
     * The state after the associated data, for the last few (head, tail) pairs: Veil's associated
     * data is an envelope header and a column context, the same for every value of a column under
     * one key, and hashing it was half the hash work for a short value.
     */
    private static final int AAD_SLOTS = 4;
    private final byte[][] aadTails = new byte[AAD_SLOTS][];
    private final long[] aadHeads = new long[AAD_SLOTS];
    private final long[] aadStates = new long[2 * AAD_SLOTS];
    private int aadNext;
    private byte[] aadScratch = new byte[64];
    private long lo;
    private long hi;

    /** @param h the 16-byte hash key (the message-authentication key); not retained */
    Polyval(byte[] h) {
        this(h, TABLES);
    }

    /**
     * @param h the 16-byte hash key (the message-authentication key); not retained
     * @param tables whether to multiply with per-key tables (not constant-time) rather than in constant time
     */
    Polyval(byte[] h, boolean tables) {
        long hl = (long) LONG_LE.get(h, 0);
        long hh = (long) LONG_LE.get(h, 8);
        if (tables) {
            table = new long[2 * HALF];
            multiplesOf(hl, hh, table, 0);
            mix(0, 0, hl, hh);
            multiplesOf(lo, hi, table, HALF);
        } else {
            table = null;
            h0 = hl;
            h1 = hh;
            h2 = hl ^ hh;
            hr0 = Long.reverse(hl);
            hr1 = Long.reverse(hh);
            hr2 = hr0 ^ hr1;
            oneConstantTime(hl, hh); // H * H * x^-128, with the H words above
            g0 = lo;
            g1 = hi;
            g2 = lo ^ hi;
            gr0 = Long.reverse(lo);
            gr1 = Long.reverse(hi);
            gr2 = gr0 ^ gr1;
        }
        reset();
    }

    /** Products b(x) * x^(8j) * (lo, hi) mod P for b = 0..255 and j = 0..7, built by doubling and linearity. */
    private static void multiplesOf(long lo, long hi, long[] t, int offset) {
        for (int j = 0; j < 4; j++) {
            int base = offset + 512 * j;
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
        for (; off + 2 * BLOCK <= end; off += 2 * BLOCK) {
            mix(lo ^ (long) LONG_LE.get(in, off), hi ^ (long) LONG_LE.get(in, off + 8),
                    (long) LONG_LE.get(in, off + 16), (long) LONG_LE.get(in, off + 24));
        }
        if (off < end) {
            block((long) LONG_LE.get(in, off), (long) LONG_LE.get(in, off + 8));
            off += BLOCK;
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

    /**
     * Starts a message with its associated data {@code head[0, headLen) || tail}, zero-padded to
     * whole blocks; {@code reversed} hashes GHASH blocks (see {@link #updateReversed}). When the head
     * is at most 7 bytes the resulting state is remembered for the last {@value #AAD_SLOTS} pairs;
     * tails are compared by identity, so callers pass one array per unchanging context.
     */
    void startWithAssociatedData(byte[] head, int headLen, byte[] tail, boolean reversed) {
        reset();
        boolean cacheable = headLen <= 7;
        long packed = 0;
        if (cacheable) {
            packed = (long) headLen << 56 | (reversed ? 1L << 60 : 0);
            for (int i = 0; i < headLen; i++) {
                packed |= (head[i] & 0xFFL) << (8 * i);
            }
            for (int i = 0; i < AAD_SLOTS; i++) {
                if (aadTails[i] == tail && aadHeads[i] == packed) {
                    lo = aadStates[2 * i];
                    hi = aadStates[2 * i + 1];
                    return;
                }
            }
        }
        int total = headLen + tail.length;
        if (aadScratch.length < total) {
            aadScratch = new byte[total];
        }
        byte[] a = aadScratch;
        System.arraycopy(head, 0, a, 0, headLen);
        System.arraycopy(tail, 0, a, headLen, tail.length);
        if (reversed) {
            updateReversed(a, 0, total);
        } else {
            update(a, 0, total);
            pad();
        }
        if (cacheable) {
            int slot = aadNext;
            aadNext = (slot + 1) % AAD_SLOTS;
            aadTails[slot] = tail;
            aadHeads[slot] = packed;
            aadStates[2 * slot] = lo;
            aadStates[2 * slot + 1] = hi;
        }
    }

    /**
     * Ends a message: hashes {@code in[off, off+len)} zero-padded, then the length block given as
     * its two words, pairing blocks across that boundary so a short value costs fewer reductions.
     * The pending block must be empty; {@code reversed} as for {@link #startWithAssociatedData}.
     * The tail is read straight from {@code in}, so no copy of the message is left behind.
     */
    void finish(byte[] in, int off, int len, long lengthLow, long lengthHigh, boolean reversed) {
        int lowAt = reversed ? 8 : 0;
        int highAt = 8 - lowAt;
        int end = off + (len & ~(BLOCK - 1));
        for (; off + 2 * BLOCK <= end; off += 2 * BLOCK) {
            mix(lo ^ word(in, off + lowAt, reversed), hi ^ word(in, off + highAt, reversed),
                    word(in, off + BLOCK + lowAt, reversed), word(in, off + BLOCK + highAt, reversed));
        }
        int rest = len & (BLOCK - 1);
        if (off < end) {
            long wholeLow = word(in, off + lowAt, reversed);
            long wholeHigh = word(in, off + highAt, reversed);
            off += BLOCK;
            if (rest > 0) {
                mix(lo ^ wholeLow, hi ^ wholeHigh, paddedWord(in, off, rest, lowAt, reversed), paddedWord(in, off, rest, highAt, reversed));
                block(lengthLow, lengthHigh);
            } else {
                mix(lo ^ wholeLow, hi ^ wholeHigh, lengthLow, lengthHigh);
            }
        } else if (rest > 0) {
            mix(lo ^ paddedWord(in, off, rest, lowAt, reversed), hi ^ paddedWord(in, off, rest, highAt, reversed), lengthLow, lengthHigh);
        } else {
            block(lengthLow, lengthHigh);
        }
    }

    /**
     * A word of a block: little-endian, or big-endian for GHASH's reversed blocks. Each branch
     * uses a constant handle; a handle chosen at run time is not inlined and cost 5% of a scan.
     */
    private static long word(byte[] in, int at, boolean reversed) {
        return reversed ? (long) LONG_BE.get(in, at) : (long) LONG_LE.get(in, at);
    }

    /** The word at {@code from} (0 or 8) of the block {@code in[off, off+rest)} zero-padded to 16 bytes. */
    private static long paddedWord(byte[] in, int off, int rest, int from, boolean reversed) {
        long w = 0;
        for (int i = 0, n = Math.min(8, rest - from); i < n; i++) {
            w |= (in[off + from + i] & 0xFFL) << (reversed ? 56 - 8 * i : 8 * i);
        }
        return w;
    }

    /**
     * Hashes {@code len} bytes as GHASH blocks, each byte-reversed (RFC 8452 Appendix A: GHASH under
     * {@code H} is POLYVAL under {@code mulX(ByteReverse(H))} of the reversed blocks, reversed), the
     * last partial block padded with zeros. The pending block must be empty.
     */
    void updateReversed(byte[] in, int off, int len) {
        int end = off + (len & ~(BLOCK - 1));
        for (; off + 2 * BLOCK <= end; off += 2 * BLOCK) {
            mix(lo ^ (long) LONG_BE.get(in, off + 8), hi ^ (long) LONG_BE.get(in, off),
                    (long) LONG_BE.get(in, off + 24), (long) LONG_BE.get(in, off + 16));
        }
        if (off < end) {
            block((long) LONG_BE.get(in, off + 8), (long) LONG_BE.get(in, off));
            off += BLOCK;
        }
        len &= BLOCK - 1;
        if (len > 0) {
            byte[] p = pending;
            System.arraycopy(in, off, p, 0, len);
            Arrays.fill(p, len, BLOCK, (byte) 0);
            block((long) LONG_BE.get(p, 8), (long) LONG_BE.get(p, 0));
            Arrays.fill(p, (byte) 0);
        }
    }

    /** Hashes one block given as its low and high little-endian words; the pending block must be empty. */
    void block(long xl, long xh) {
        if (table == null) {
            oneConstantTime(lo ^ xl, hi ^ xh);
        } else {
            mixTables(0, 0, lo ^ xl, hi ^ xh);
        }
    }

    /**
     * Sets the state to {@code a * H^2 * x^-256 + b * H * x^-128}, i.e. {@code dot(dot(a, H) + b, H)}
     * with {@code a = S + X1}, {@code b = X2}: two blocks with one reduction, and b's lookups need
     * not wait for the state. With {@code a = 0} it is one block.
     */
    private void mix(long al, long ah, long bl, long bh) {
        if (table == null) {
            mixConstantTime(al, ah, bl, bh);
        } else {
            mixTables(al, ah, bl, bh);
        }
    }

    /**
     * {@link #mix} in constant time: {@code a (x) G + b (x) H} as a 256-bit carry-less product,
     * then reduced. Karatsuba: with {@code P0 = a0 b0}, {@code P2 = a1 b1}, {@code P1 = (a0 + a1)
     * (b0 + b1)}, the product is {@code P0 + (P0 + P1 + P2) x^64 + P2 x^128}; the low halves of
     * the three come straight from {@link #clmulLow}, the high halves from the bit-reversed
     * operands, and since reversal is linear, the two products share the three output reversals.
     */
    private void mixConstantTime(long al, long ah, long bl, long bh) {
        long ar0 = Long.reverse(al);
        long ar1 = Long.reverse(ah);
        long br0 = Long.reverse(bl);
        long br1 = Long.reverse(bh);
        long z0 = clmulLow(al, g0) ^ clmulLow(bl, h0);
        long z1 = clmulLow(ah, g1) ^ clmulLow(bh, h1);
        long z2 = clmulLow(al ^ ah, g2) ^ clmulLow(bl ^ bh, h2);
        long y0 = Long.reverse(clmulLow(ar0, gr0) ^ clmulLow(br0, hr0)) >>> 1;
        long y1 = Long.reverse(clmulLow(ar1, gr1) ^ clmulLow(br1, hr1)) >>> 1;
        long y2 = Long.reverse(clmulLow(ar0 ^ ar1, gr2) ^ clmulLow(br0 ^ br1, hr2)) >>> 1;
        long m0 = z2 ^ z0 ^ z1;
        long m1 = y2 ^ y0 ^ y1;
        reduce(z0, y0 ^ m0, z1 ^ m1, y1);
    }

    /** Sets the state to {@code b * H * x^-128} in constant time: one block, as {@link #mixConstantTime} with {@code a = 0}. */
    private void oneConstantTime(long bl, long bh) {
        long br0 = Long.reverse(bl);
        long br1 = Long.reverse(bh);
        long z0 = clmulLow(bl, h0);
        long z1 = clmulLow(bh, h1);
        long z2 = clmulLow(bl ^ bh, h2);
        long y0 = Long.reverse(clmulLow(br0, hr0)) >>> 1;
        long y1 = Long.reverse(clmulLow(br1, hr1)) >>> 1;
        long y2 = Long.reverse(clmulLow(br0 ^ br1, hr2)) >>> 1;
        long m0 = z2 ^ z0 ^ z1;
        long m1 = y2 ^ y0 ^ y1;
        reduce(z0, y0 ^ m0, z1 ^ m1, y1);
    }

    /**
     * The low 64 bits of the carry-less product of {@code x} and {@code y}, in constant time.
     * Split into four classes of every fourth bit, an integer product of two classes has its
     * result bits in class {@code (i + j) mod 4}, each the sum of at most 16 bit products; a sum
     * up to 15 fits in the four bits up to the next bit of the same class, and a sum of 16 can only
     * occur at bits 60 and up, whose carries leave the word. So the class's bits of the integer
     * product are the parities the carry-less product wants; XOR the four products of each class,
     * keep the class's bits.
     */
    static long clmulLow(long x, long y) {
        long x0 = x & M0;
        long x1 = x & M1;
        long x2 = x & M2;
        long x3 = x & M3;
        long y0 = y & M0;
        long y1 = y & M1;
        long y2 = y & M2;
        long y3 = y & M3;
        long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
        long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
        long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
        long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
        return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
    }

    /** {@link #mix} with the tables. */
    private void mixTables(long al, long ah, long bl, long bh) {
        long[] t = table;
        int i0 = HALF + (((int) al & 0xff) << 1);
        int i1 = HALF + 512 + (((int) (al >>> 8) & 0xff) << 1);
        int i2 = HALF + 1024 + (((int) (al >>> 16) & 0xff) << 1);
        int i3 = HALF + 1536 + (((int) (al >>> 24) & 0xff) << 1);
        int i4 = HALF + (((int) (al >>> 32) & 0xff) << 1);
        int i5 = HALF + 512 + (((int) (al >>> 40) & 0xff) << 1);
        int i6 = HALF + 1024 + (((int) (al >>> 48) & 0xff) << 1);
        int i7 = HALF + 1536 + ((int) (al >>> 56) << 1);
        int k0 = HALF + (((int) ah & 0xff) << 1);
        int k1 = HALF + 512 + (((int) (ah >>> 8) & 0xff) << 1);
        int k2 = HALF + 1024 + (((int) (ah >>> 16) & 0xff) << 1);
        int k3 = HALF + 1536 + (((int) (ah >>> 24) & 0xff) << 1);
        int k4 = HALF + (((int) (ah >>> 32) & 0xff) << 1);
        int k5 = HALF + 512 + (((int) (ah >>> 40) & 0xff) << 1);
        int k6 = HALF + 1024 + (((int) (ah >>> 48) & 0xff) << 1);
        int k7 = HALF + 1536 + ((int) (ah >>> 56) << 1);
        int m0 = ((int) bl & 0xff) << 1;
        int m1 = 512 + (((int) (bl >>> 8) & 0xff) << 1);
        int m2 = 1024 + (((int) (bl >>> 16) & 0xff) << 1);
        int m3 = 1536 + (((int) (bl >>> 24) & 0xff) << 1);
        int m4 = ((int) (bl >>> 32) & 0xff) << 1;
        int m5 = 512 + (((int) (bl >>> 40) & 0xff) << 1);
        int m6 = 1024 + (((int) (bl >>> 48) & 0xff) << 1);
        int m7 = 1536 + ((int) (bl >>> 56) << 1);
        int n0 = ((int) bh & 0xff) << 1;
        int n1 = 512 + (((int) (bh >>> 8) & 0xff) << 1);
        int n2 = 1024 + (((int) (bh >>> 16) & 0xff) << 1);
        int n3 = 1536 + (((int) (bh >>> 24) & 0xff) << 1);
        int n4 = ((int) (bh >>> 32) & 0xff) << 1;
        int n5 = 512 + (((int) (bh >>> 40) & 0xff) << 1);
        int n6 = 1024 + (((int) (bh >>> 48) & 0xff) << 1);
        int n7 = 1536 + ((int) (bh >>> 56) << 1);
        // Sums per 32-bit quarter of the operands, a's and b's added; XOR trees rather than running
        // sums: the JIT does not reassociate, and chains would serialise
        long q0 = ((t[i0] ^ t[i1]) ^ (t[i2] ^ t[i3])) ^ ((t[m0] ^ t[m1]) ^ (t[m2] ^ t[m3]));
        long q1 = ((t[i0 + 1] ^ t[i1 + 1]) ^ (t[i2 + 1] ^ t[i3 + 1])) ^ ((t[m0 + 1] ^ t[m1 + 1]) ^ (t[m2 + 1] ^ t[m3 + 1]));
        long r0 = ((t[i4] ^ t[i5]) ^ (t[i6] ^ t[i7])) ^ ((t[m4] ^ t[m5]) ^ (t[m6] ^ t[m7]));
        long r1 = ((t[i4 + 1] ^ t[i5 + 1]) ^ (t[i6 + 1] ^ t[i7 + 1])) ^ ((t[m4 + 1] ^ t[m5 + 1]) ^ (t[m6 + 1] ^ t[m7 + 1]));
        long u0 = ((t[k0] ^ t[k1]) ^ (t[k2] ^ t[k3])) ^ ((t[n0] ^ t[n1]) ^ (t[n2] ^ t[n3]));
        long u1 = ((t[k0 + 1] ^ t[k1 + 1]) ^ (t[k2 + 1] ^ t[k3 + 1])) ^ ((t[n0 + 1] ^ t[n1 + 1]) ^ (t[n2 + 1] ^ t[n3 + 1]));
        long v0 = ((t[k4] ^ t[k5]) ^ (t[k6] ^ t[k7])) ^ ((t[n4] ^ t[n5]) ^ (t[n6] ^ t[n7]));
        long v1 = ((t[k4 + 1] ^ t[k5 + 1]) ^ (t[k6 + 1] ^ t[k7 + 1])) ^ ((t[n4 + 1] ^ t[n5 + 1]) ^ (t[n6 + 1] ^ t[n7 + 1]));
        // the product as d0 + d1 x^64 + d2 x^128 + d3 x^192 (mod P): quarter sums shifted into place
        long d0 = q0 ^ (r0 << 32);
        long d1 = q1 ^ (r0 >>> 32) ^ (r1 << 32) ^ u0 ^ (v0 << 32);
        long d2 = (r1 >>> 32) ^ u1 ^ (v0 >>> 32) ^ (v1 << 32);
        long d3 = v1 >>> 32;
        reduce(d0, d1, d2, d3);
    }

    /** Sets the state to {@code (d0 + d1 x^64 + d2 x^128 + d3 x^192) * x^-128 mod P}; {@code d3 < 2^63}. */
    private void reduce(long d0, long d1, long d2, long d3) {
        // Montgomery: P = 1 mod x^64, so adding d0 * P clears word 0, then (new d1) * x^64 * P clears
        // word 1; P's other terms x^121, x^126, x^127, x^128 are shifts. What remains is the sum times x^-128.
        d1 ^= (d0 << 57) ^ (d0 << 62) ^ (d0 << 63);
        d2 ^= d0 ^ (d0 >>> 7) ^ (d0 >>> 2) ^ (d0 >>> 1);
        d2 ^= (d1 << 57) ^ (d1 << 62) ^ (d1 << 63);
        lo = d2;
        hi = d3 ^ d1 ^ (d1 >>> 7) ^ (d1 >>> 2) ^ (d1 >>> 1);
    }

    long low() {
        return lo;
    }

    long high() {
        return hi;
    }

    /** Overwrites the key table and state; the instance is unusable afterwards. */
    void destroy() {
        if (table != null) {
            Arrays.fill(table, 0L);
        }
        h0 = h1 = h2 = hr0 = hr1 = hr2 = 0;
        g0 = g1 = g2 = gr0 = gr1 = gr2 = 0;
        Arrays.fill(aadTails, null);
        Arrays.fill(aadHeads, 0L);
        Arrays.fill(aadStates, 0L);
        Arrays.fill(aadScratch, (byte) 0);
        Arrays.fill(pending, (byte) 0);
        reset();
    }
}
