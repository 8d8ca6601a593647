package dev.veil.bench;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.SplittableRandom;

/**
 * Loads one warehouse (clause 4.3.3 of the TPC-C specification, at a {@link TpccScale}) through a
 * mode's own pool, so the encrypted databases' values are encrypted as the mode's application's
 * would be: by Veil (VEIL), or by the application with the columns' ciphers (HAND). A fixed seed gives both modes the same data.
 */
final class TpccLoader {
    private static final int BATCH = 500;

    @FunctionalInterface
    private interface Row {
        void bind(PreparedStatement ps, int n) throws SQLException;
    }

    private final DataSource pool;
    private final TpccScale scale;
    private final TpccCiphers ciphers;
    private final TpccRandom r = new TpccRandom(new SplittableRandom(20261203L));
    private final Timestamp now = new Timestamp(System.currentTimeMillis());

    /** @param ciphers the ciphers the application encrypts with itself (HAND), or {@link TpccCiphers#NONE} */
    TpccLoader(DataSource pool, TpccScale scale, TpccCiphers ciphers) {
        this.pool = pool;
        this.scale = scale;
        this.ciphers = ciphers;
    }

    void load() throws SQLException {
        try (Connection c = pool.getConnection()) {
            insert(c, "INSERT INTO warehouse (w_id, w_name, w_street_1, w_street_2, w_city, w_state, w_zip, w_tax, w_ytd) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 300000.00)", 1, (ps, n) -> {
                        ps.setInt(1, TpccTransactions.WAREHOUSE);
                        address(ps, 2);
                        ps.setBigDecimal(8, tax());
                    });
            insert(c, "INSERT INTO district (d_w_id, d_id, d_name, d_street_1, d_street_2, d_city, d_state, d_zip, d_tax, d_ytd, d_next_o_id) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 30000.00, ?)", TpccTransactions.DISTRICTS, (ps, n) -> {
                        ps.setInt(1, TpccTransactions.WAREHOUSE);
                        ps.setInt(2, n);
                        address(ps, 3);
                        ps.setBigDecimal(9, tax());
                        ps.setInt(10, scale.customersPerDistrict() + 1);
                    });
            insert(c, "INSERT INTO item (i_id, i_im_id, i_name, i_price, i_data) VALUES (?, ?, ?, ?, ?)", scale.items(), (ps, n) -> {
                ps.setInt(1, n);
                ps.setInt(2, r.between(1, 10_000));
                ps.setString(3, r.alnum(14, 24));
                ps.setBigDecimal(4, BigDecimal.valueOf(r.cents(100, 10_000), 2));
                ps.setString(5, data());
            });
            StringBuilder stock = new StringBuilder("INSERT INTO stock (s_w_id, s_i_id, s_quantity");
            for (int d = 1; d <= TpccTransactions.DISTRICTS; d++) {
                stock.append(", ").append(TpccSchema.distInfo(d));
            }
            stock.append(", s_ytd, s_order_cnt, s_remote_cnt, s_data) VALUES (?, ?, ?").append(", ?".repeat(TpccTransactions.DISTRICTS)).append(", 0, 0, 0, ?)");
            insert(c, stock.toString(), scale.items(), (ps, n) -> {
                ps.setInt(1, TpccTransactions.WAREHOUSE);
                ps.setInt(2, n);
                ps.setInt(3, r.between(10, 100));
                for (int d = 0; d < TpccTransactions.DISTRICTS; d++) {
                    ps.setString(4 + d, r.alnum(24, 24));
                }
                ps.setString(4 + TpccTransactions.DISTRICTS, data());
            });
            int perDistrict = scale.customersPerDistrict();
            int customers = perDistrict * TpccTransactions.DISTRICTS;
            insert(c, "INSERT INTO customer (c_w_id, c_d_id, c_id, c_first, c_middle, c_last, c_street_1, c_street_2, c_city, c_state, c_zip, "
                    + "c_phone, c_since, c_credit, c_credit_lim, c_discount, c_balance, c_ytd_payment, c_payment_cnt, c_delivery_cnt, c_data) "
                    + "VALUES (?, ?, ?, ?, 'OE', ?, ?, ?, ?, ?, ?, ?, ?, ?, 50000.00, ?, -10.00, 10.00, 1, 0, ?)", customers, (ps, n) -> {
                        int cId = (n - 1) % perDistrict + 1;
                        ps.setInt(1, TpccTransactions.WAREHOUSE);
                        ps.setInt(2, (n - 1) / perDistrict + 1);
                        ps.setInt(3, cId);
                        ps.setString(4, r.alnum(8, 16));
                        HandCrypto.set(ps, 5, ciphers.cLast(), r.lastNameToLoad(cId));
                        HandCrypto.set(ps, 6, ciphers.cStreet1(), r.alnum(10, 20));
                        ps.setString(7, r.alnum(10, 20));
                        HandCrypto.set(ps, 8, ciphers.cCity(), r.alnum(10, 20));
                        ps.setString(9, r.alnum(2, 2).toUpperCase());
                        ps.setString(10, r.digits(4) + "11111");
                        HandCrypto.set(ps, 11, ciphers.cPhone(), r.digits(16));
                        ps.setTimestamp(12, now);
                        ps.setString(13, r.percent(10) ? "BC" : "GC");
                        ps.setBigDecimal(14, BigDecimal.valueOf(r.between(0, 5000), 4));
                        HandCrypto.set(ps, 15, ciphers.cData(), r.alnum(300, 500));
                    });
            insert(c, "INSERT INTO history (h_c_id, h_c_d_id, h_c_w_id, h_d_id, h_w_id, h_date, h_amount, h_data) VALUES (?, ?, ?, ?, ?, ?, 10.00, ?)",
                    customers, (ps, n) -> {
                        int d = (n - 1) / perDistrict + 1;
                        ps.setInt(1, (n - 1) % perDistrict + 1);
                        ps.setInt(2, d);
                        ps.setInt(3, TpccTransactions.WAREHOUSE);
                        ps.setInt(4, d);
                        ps.setInt(5, TpccTransactions.WAREHOUSE);
                        ps.setTimestamp(6, now);
                        HandCrypto.set(ps, 7, ciphers.hData(), r.alnum(12, 24));
                    });
            loadOrders(c, perDistrict);
        }
    }

    /** Orders, their lines, and the undelivered ones' new_order rows: each district's customers order once, in a random order. */
    private void loadOrders(Connection c, int perDistrict) throws SQLException {
        int first = scale.firstNewOrder();
        try (PreparedStatement order = c.prepareStatement("INSERT INTO orders (o_w_id, o_d_id, o_id, o_c_id, o_entry_d, o_carrier_id, o_ol_cnt, o_all_local) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, 1)");
             PreparedStatement line = c.prepareStatement("INSERT INTO order_line (ol_w_id, ol_d_id, ol_o_id, ol_number, ol_i_id, ol_supply_w_id, "
                     + "ol_delivery_d, ol_quantity, ol_amount, ol_dist_info) VALUES (?, ?, ?, ?, ?, ?, ?, 5, ?, ?)");
             PreparedStatement newOrder = c.prepareStatement("INSERT INTO new_order (no_w_id, no_d_id, no_o_id) VALUES (?, ?, ?)")) {
            for (int d = 1; d <= TpccTransactions.DISTRICTS; d++) {
                int[] customers = permutation(perDistrict);
                for (int o = 1; o <= perDistrict; o++) {
                    boolean delivered = o < first;
                    int lines = r.between(5, 15);
                    order.setInt(1, TpccTransactions.WAREHOUSE);
                    order.setInt(2, d);
                    order.setInt(3, o);
                    order.setInt(4, customers[o - 1]);
                    order.setTimestamp(5, now);
                    if (delivered) {
                        order.setInt(6, r.between(1, 10));
                    } else {
                        order.setNull(6, Types.INTEGER);
                    }
                    order.setInt(7, lines);
                    order.addBatch();
                    for (int l = 1; l <= lines; l++) {
                        line.setInt(1, TpccTransactions.WAREHOUSE);
                        line.setInt(2, d);
                        line.setInt(3, o);
                        line.setInt(4, l);
                        line.setInt(5, r.between(1, scale.items()));
                        line.setInt(6, TpccTransactions.WAREHOUSE);
                        line.setTimestamp(7, delivered ? now : null);
                        line.setBigDecimal(8, delivered ? BigDecimal.ZERO : BigDecimal.valueOf(r.cents(1, 999_999), 2));
                        line.setString(9, r.alnum(24, 24));
                        line.addBatch();
                    }
                    if (!delivered) {
                        newOrder.setInt(1, TpccTransactions.WAREHOUSE);
                        newOrder.setInt(2, d);
                        newOrder.setInt(3, o);
                        newOrder.addBatch();
                    }
                    if (o % 100 == 0 || o == perDistrict) {
                        order.executeBatch();
                        line.executeBatch();
                        newOrder.executeBatch();
                        c.commit();
                    }
                }
            }
        }
    }

    private int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i + 1;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.between(0, i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void insert(Connection c, String sql, int rows, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int n = 1; n <= rows; n++) {
                row.bind(ps, n);
                ps.addBatch();
                if (n % BATCH == 0 || n == rows) {
                    ps.executeBatch();
                    c.commit();
                }
            }
        }
    }

    /** Name, two street lines, city, state and zip, from parameter {@code from} on. */
    private void address(PreparedStatement ps, int from) throws SQLException {
        ps.setString(from, r.alnum(6, 10));
        ps.setString(from + 1, r.alnum(10, 20));
        ps.setString(from + 2, r.alnum(10, 20));
        ps.setString(from + 3, r.alnum(10, 20));
        ps.setString(from + 4, r.alnum(2, 2).toUpperCase());
        ps.setString(from + 5, r.digits(4) + "11111");
    }

    private BigDecimal tax() {
        return BigDecimal.valueOf(r.between(0, 2000), 4);
    }

    /** Item and stock data: 26 to 50 characters, 10% of them holding "ORIGINAL". */
    private String data() {
        String s = r.alnum(26, 50);
        if (r.percent(10)) {
            int at = r.between(0, s.length() - 8);
            s = s.substring(0, at) + "ORIGINAL" + s.substring(at + 8);
        }
        return s;
    }
}
