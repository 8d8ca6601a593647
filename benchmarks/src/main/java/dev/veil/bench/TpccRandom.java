package dev.veil.bench;

import java.util.SplittableRandom;

/**
 * The random inputs of the TPC-C-shaped workload, after the TPC-C specification's clause 2.1.6 and
 * 4.3.2: non-uniform ids ({@link #nuRand}), customer last names from three syllables, and
 * alphanumeric and numeric strings. One instance per terminal (not thread-safe).
 */
final class TpccRandom {
    private static final String[] SYLLABLES = {"BAR", "OUGHT", "ABLE", "PRI", "PRES", "ESE", "ANTI", "CALLY", "ATION", "EING"};
    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** The run-time constants C of NURand for A = 255 (last names), 1023 (customer ids) and 8191 (item ids). */
    private static final int C_LAST = 157;
    private static final int C_ID = 259;
    private static final int C_ITEM = 7911;

    private final SplittableRandom random;

    TpccRandom(SplittableRandom random) {
        this.random = random;
    }

    /** A uniform integer in {@code [lo, hi]}. */
    int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    /** NURand(A, x, y) with the constant C the workload uses for that A. */
    int nuRand(int a, int x, int y) {
        int c = a == 255 ? C_LAST : a == 1023 ? C_ID : C_ITEM;
        return ((between(0, a) | between(x, y)) + c) % (y - x + 1) + x;
    }

    /** A customer id to look up, among {@code customers} per district. */
    int customerId(int customers) {
        return nuRand(1023, 1, customers);
    }

    /** An item id to order, among {@code items}. */
    int itemId(int items) {
        return nuRand(8191, 1, items);
    }

    /** A last name to look a customer up by, among the names that {@code customers} per district were given. */
    String lastNameToFind(int customers) {
        return lastName(nuRand(255, 0, Math.min(999, customers - 1)));
    }

    /** The last name of loaded customer {@code cId}: the first thousand in order, the rest non-uniformly. */
    String lastNameToLoad(int cId) {
        return lastName(cId <= 1000 ? cId - 1 : nuRand(255, 0, 999));
    }

    /** The name made of the syllables of the three digits of {@code number} (0 to 999). */
    static String lastName(int number) {
        if (number < 0 || number > 999) {
            throw new IllegalArgumentException("last-name number out of range: " + number);
        }
        return SYLLABLES[number / 100] + SYLLABLES[number / 10 % 10] + SYLLABLES[number % 10];
    }

    /** A random alphanumeric string of {@code lo} to {@code hi} characters. */
    String alnum(int lo, int hi) {
        char[] out = new char[between(lo, hi)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALNUM[random.nextInt(ALNUM.length)];
        }
        return new String(out);
    }

    /** A random string of exactly {@code n} digits. */
    String digits(int n) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = (char) ('0' + random.nextInt(10));
        }
        return new String(out);
    }

    /** {@code true} with probability {@code percent} / 100. */
    boolean percent(int percent) {
        return random.nextInt(100) < percent;
    }

    /** A uniform decimal in {@code [lo, hi]} with two places, as cents. */
    long cents(long lo, long hi) {
        return lo + random.nextLong(hi - lo + 1);
    }
}
