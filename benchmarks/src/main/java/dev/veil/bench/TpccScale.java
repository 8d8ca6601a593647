package dev.veil.bench;

/**
 * The size of the TPC-C database: one warehouse with ten districts. The specification's sizes are
 * 100,000 items and 3,000 customers and orders per district; smaller ones make quick runs.
 *
 * @param items items (and stock rows)
 * @param customersPerDistrict customers, and initial orders, per district; the last 30% of the
 *        orders are undelivered (in {@code new_order})
 */
record TpccScale(int items, int customersPerDistrict) {
    static final TpccScale FULL = new TpccScale(100_000, 3_000);

    TpccScale {
        if (items < 100 || customersPerDistrict < 10) {
            throw new IllegalArgumentException("at least 100 items and 10 customers per district");
        }
    }

    /** The first order id loaded as undelivered. */
    int firstNewOrder() {
        return customersPerDistrict - customersPerDistrict * 3 / 10 + 1;
    }
}
