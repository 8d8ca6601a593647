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
        long v = Math.floorMod(id * 2654435761L, 1_000_000_000L);
        return String.format("%03d-%02d-%04d", v / 1_000_000, v / 10_000 % 100, v % 10_000);
    }

    static BigDecimal balance(long id) {
        return BigDecimal.valueOf(id % 100_000, 2);
    }
}
