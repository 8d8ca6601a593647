package dev.veil.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The buckets of a range index. Level {@code e} groups order keys into aligned buckets of 2^e
 * keys; the levels are {@code leaf, leaf + branch, leaf + 2·branch, …} up to a top level at most
 * 63 (see {@link RangeOrder#topLevel}: a type whose keys fill a small part of the 64-bit space has
 * no levels above what splits its keys). A stored key has one bucket per level; a query range
 * inside the type's keys is covered by the fewest whole buckets of those levels, widened to whole
 * leaf buckets at its ends.
 */
final class RangeCover {
    /** A bucket: level exponent {@code e} and the key's top {@code 64 − e} bits. */
    record Bucket(int level, long prefix) {
    }

    private RangeCover() {
    }

    /** The buckets holding {@code key} at the levels up to {@code top}, finest first. */
    static List<Bucket> of(long key, SearchSpec.Range r, int top) {
        List<Bucket> out = new ArrayList<>(r.levels());
        for (int e = r.leaf(); e <= top; e += r.branch()) {
            out.add(new Bucket(e, key >>> e));
        }
        return out;
    }

    /**
     * The buckets of the levels up to {@code top} covering the unsigned key range {@code [lo, hi]}
     * ({@code lo ≤ hi} unsigned), in key order.
     */
    static List<Bucket> cover(long lo, long hi, SearchSpec.Range r, int top) {
        long leafMask = r.leaf() == 0 ? 0 : (1L << r.leaf()) - 1;
        long x = lo & ~leafMask;
        long end = hi | leafMask;
        List<Bucket> out = new ArrayList<>();
        while (true) {
            int chosen = r.leaf();
            for (int e = r.leaf(); e <= top; e += r.branch()) {
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
