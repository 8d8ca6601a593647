package dev.veil.bench;

import java.math.BigDecimal;

/** The synthetic account row with a given id: every mode writes and looks up the same values. */
final class Rows {
    private Rows() {
    }

    static String name(long id) {
        return "Customer " + id;
    }

    static String email(long id) {
        return "user" + id + "@example.com";
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
