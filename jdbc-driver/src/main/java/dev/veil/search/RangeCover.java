package dev.veil.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The buckets of a range index. Level {@code e} groups order keys into aligned buckets of 2^e
 * keys; the levels are {@code leaf, leaf + branch, leaf + 2·branch, …} below 64. A stored key has
 * one bucket per level; a query range is covered by the fewest whole buckets (at most
 * {@code 2·(2^branch − 1)} per level), widened to whole leaf buckets at its ends.
 */
final class RangeCover {
    /** A bucket: level exponent {@code e} and the key's top {@code 64 − e} bits. */
    record Bucket(int level, long prefix) {
    }

    private RangeCover() {
    }

    /** The buckets holding {@code key}, finest first. */
    static List<Bucket> of(long key, SearchSpec.Range r) {
        List<Bucket> out = new ArrayList<>(r.levels());
        for (int e = r.leaf(); e < 64; e += r.branch()) {
            out.add(new Bucket(e, key >>> e));
        }
        return out;
    }

    /** The buckets covering the unsigned key range {@code [lo, hi]} ({@code lo ≤ hi} unsigned), in key order. */
    static List<Bucket> cover(long lo, long hi, SearchSpec.Range r) {
        long leafMask = r.leaf() == 0 ? 0 : (1L << r.leaf()) - 1;
        long x = lo & ~leafMask;
        long end = hi | leafMask;
        List<Bucket> out = new ArrayList<>();
        while (true) {
            int chosen = r.leaf();
            for (int e = r.leaf(); e < 64; e += r.branch()) {
                long mask = (1L << e) - 1;
                if ((x & mask) != 0 || Long.compareUnsigned(end - x, mask) < 0) {
                    break;
                }
                chosen = e;
            }
            out.add(new Bucket(chosen, x >>> chosen));
            long last = x + ((1L << chosen) - 1);
            if (last == end) {
                return out;
            }
            x = last + 1;
        }
    }
}
