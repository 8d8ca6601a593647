package dev.veil.bench;

import java.math.BigDecimal;

/** The synthetic account row with a given id: every mode writes and looks up the same values. */
final class Rows {
    /** E-mails are drawn from a permutation of the ids below this bound, so they stay distinct. */
    private static final long EMAIL_ID_BOUND = 1L << 40;

    private Rows() {
    }

    static String name(long id) {
        return "Customer " + id;
    }

    /**
     * A distinct e-mail per id, in no relation to the id's order. Real addresses reach a table in
     * random order; {@code "user" + id} would reach the plaintext index in nearly sorted order and
     * spare RAW the scattered index inserts every real table (and every ciphertext index) pays.
     */
    static String email(long id) {
        if (id < 0 || id >= EMAIL_ID_BOUND) {
            throw new IllegalArgumentException("row id out of the benchmark's range: " + id);
        }
        // Odd multipliers and xor-shifts each permute [0, 2^40), so distinct ids give distinct addresses;
        // two rounds of both scatter neighbouring ids. Fixed width keeps every address 24 characters long.
        long mask = EMAIL_ID_BOUND - 1;
        long h = id;
        h = (h ^ h >>> 21) * 0x9E3779B97F4A7C15L & mask;
        h = (h ^ h >>> 19) * 0xC2B2AE3D27D4EB4FL & mask;
        h ^= h >>> 20;
        String local = Long.toString(h, 36);
        return "user" + "00000000".substring(local.length()) + local + "@example.com";
    }

    static String ssn(long id) {
        // String.format would cost the client more than a cipher call; this runs once per row in every mode.
        long v = Math.floorMod(id * 2654435761L, 1_000_000_000L);
        StringBuilder sb = new StringBuilder(11);
        digits(sb, v / 1_000_000, 3).append('-');
        digits(sb, v / 10_000 % 100, 2).append('-');
        return digits(sb, v % 10_000, 4).toString();
    }

    private static StringBuilder digits(StringBuilder sb, long n, int width) {
        String s = Long.toString(n);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    static BigDecimal balance(long id) {
        return BigDecimal.valueOf(id % 100_000, 2);
    }
}
