package dev.veil.bench;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The five TPC-C transactions (clause 2.4 to 2.8 of the specification) against one warehouse, as
 * plain JDBC: every transaction borrows a connection from the pool (auto-commit off), prepares its
 * statements, and commits. The same code and SQL run against raw pgjdbc, through Veil, and as an
 * application encrypting by hand: with {@link TpccCiphers} that hold ciphers, it seals the
 * encrypted columns' values before binding them (the last name it looks customers up by included:
 * deterministic ciphertext) and opens what it reads of them. A transaction that meets a deadlock or serialization failure is rolled back and run
 * again with the same inputs.
 */
final class TpccTransactions {
    /** The transaction types and their weights in the mix (percent). */
    enum Type {
        NEW_ORDER(45), PAYMENT(43), ORDER_STATUS(4), DELIVERY(4), STOCK_LEVEL(4);

        final int weight;

        Type(int weight) {
            this.weight = weight;
        }

        /** The type of the transaction a draw in {@code [0, 100)} selects. */
        static Type of(int draw) {
            int upTo = 0;
            for (Type t : values()) {
                upTo += t.weight;
                if (draw < upTo) {
                    return t;
                }
            }
            throw new IllegalArgumentException("draw out of [0, 100): " + draw);
        }
    }

    /** Thrown by the 1% of New-Order transactions that name an unused item, after their rollback (the specification's check of rollbacks). */
    private static final class UnusedItem extends Exception {
        UnusedItem() {
            super(null, null, false, false);
        }
    }

    static final int WAREHOUSE = 1;
    static final int DISTRICTS = 10;

    private final DataSource pool;
    private final TpccScale scale;
    private final TpccLatencies latencies;
    private final TpccCiphers ciphers;
    /** Whether the application's by-last-name lookup is sent in the wide form Veil sends (see {@link #customerByName}). */
    private final boolean wideLookups;

    /** The transactions as an application that leaves any encryption to the driver runs them. */
    TpccTransactions(DataSource pool, TpccScale scale, TpccLatencies latencies) {
        this(pool, scale, latencies, TpccCiphers.NONE, false);
    }

    /**
     * @param ciphers the ciphers the application encrypts with itself, or {@link TpccCiphers#NONE}
     * @param wideLookups with ciphers: look customers up by last name with {@code c_last IN (?, ?, ?, ?)}
     *        bound with four copies of the name's ciphertext, the SQL Veil sends while one data-key
     *        version is live, instead of {@code c_last = ?}
     */
    TpccTransactions(DataSource pool, TpccScale scale, TpccLatencies latencies, TpccCiphers ciphers, boolean wideLookups) {
        this.pool = pool;
        this.scale = scale;
        this.latencies = latencies;
        this.ciphers = ciphers;
        this.wideLookups = wideLookups && ciphers.cLast() != null;
    }

    /** Runs one transaction of the mix; returns 1 (one transaction done). */
    long next(TpccRandom r) throws SQLException {
        run(Type.of(r.between(0, 99)), r);
        return 1;
    }

    /** Runs one transaction of a type and records its latency. */
    void run(Type type, TpccRandom r) throws SQLException {
        long started = System.nanoTime();
        switch (type) {
            case NEW_ORDER -> newOrder(r);
            case PAYMENT -> payment(r);
            case ORDER_STATUS -> orderStatus(r);
            case DELIVERY -> delivery(r);
            case STOCK_LEVEL -> stockLevel(r);
        }
        latencies.record(type, System.nanoTime() - started);
    }

    @FunctionalInterface
    private interface Work {
        void run(Connection c) throws SQLException, UnusedItem;
    }

    /** Runs {@code work} in one transaction, again after a deadlock or serialization failure. */
    private void transaction(Work work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                try {
                    work.run(c);
                    c.commit();
                    return;
                } catch (UnusedItem e) {
                    c.rollback();
                    return;
                } catch (SQLException e) {
                    c.rollback();
                    String state = e.getSQLState();
                    if (attempt >= 10 || !("40001".equals(state) || "40P01".equals(state))) {
                        throw e;
                    }
                }
            }
        }
    }

    private void newOrder(TpccRandom r) throws SQLException {
        int d = r.between(1, DISTRICTS);
        int cId = r.customerId(scale.customersPerDistrict());
        int lines = r.between(5, 15);
        int[] items = new int[lines];
        int[] quantities = new int[lines];
        for (int i = 0; i < lines; i++) {
            items[i] = r.itemId(scale.items());
            quantities[i] = r.between(1, 10);
        }
        // stock rows are locked in item order, so two New-Orders cannot deadlock on them
        Arrays.sort(items);
        if (r.percent(1)) {
            items[lines - 1] = scale.items() + 1; // an unused item: the transaction must roll back
        }
        Timestamp now = new Timestamp(System.currentTimeMillis());
        transaction(c -> {
            BigDecimal discount;
            try (PreparedStatement ps = c.prepareStatement("SELECT c_discount, c_last, c_credit FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, cId);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "customer");
                    discount = rs.getBigDecimal(1);
                    sink(HandCrypto.get(rs, 2, ciphers.cLast()), rs.getString(3));
                }
            }
            BigDecimal wTax = decimal(c, "SELECT w_tax FROM warehouse WHERE w_id = ?", WAREHOUSE);
            int oId;
            BigDecimal dTax;
            try (PreparedStatement ps = c.prepareStatement("SELECT d_next_o_id, d_tax FROM district WHERE d_w_id = ? AND d_id = ? FOR UPDATE")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "district");
                    oId = rs.getInt(1);
                    dTax = rs.getBigDecimal(2);
                }
            }
            update(c, "UPDATE district SET d_next_o_id = d_next_o_id + 1 WHERE d_w_id = ? AND d_id = ?", WAREHOUSE, d);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (o_w_id, o_d_id, o_id, o_c_id, o_entry_d, o_carrier_id, o_ol_cnt, o_all_local) "
                    + "VALUES (?, ?, ?, ?, ?, NULL, ?, 1)")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, oId);
                ps.setInt(4, cId);
                ps.setTimestamp(5, now);
                ps.setInt(6, lines);
                ps.executeUpdate();
            }
            update(c, "INSERT INTO new_order (no_w_id, no_d_id, no_o_id) VALUES (?, ?, ?)", WAREHOUSE, d, oId);
            BigDecimal total = BigDecimal.ZERO;
            try (PreparedStatement item = c.prepareStatement("SELECT i_price, i_name, i_data FROM item WHERE i_id = ?");
                 PreparedStatement stock = c.prepareStatement("SELECT s_quantity, s_data, " + TpccSchema.distInfo(d)
                         + " FROM stock WHERE s_w_id = ? AND s_i_id = ? FOR UPDATE");
                 PreparedStatement stockUpdate = c.prepareStatement("UPDATE stock SET s_quantity = ?, s_ytd = s_ytd + ?, "
                         + "s_order_cnt = s_order_cnt + 1 WHERE s_w_id = ? AND s_i_id = ?");
                 PreparedStatement line = c.prepareStatement("INSERT INTO order_line (ol_w_id, ol_d_id, ol_o_id, ol_number, ol_i_id, "
                         + "ol_supply_w_id, ol_delivery_d, ol_quantity, ol_amount, ol_dist_info) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)")) {
                for (int i = 0; i < lines; i++) {
                    BigDecimal price;
                    item.setInt(1, items[i]);
                    try (ResultSet rs = item.executeQuery()) {
                        if (!rs.next()) {
                            throw new UnusedItem();
                        }
                        price = rs.getBigDecimal(1);
                        sink(rs.getString(2), rs.getString(3));
                    }
                    int quantity;
                    String distInfo;
                    stock.setInt(1, WAREHOUSE);
                    stock.setInt(2, items[i]);
                    try (ResultSet rs = stock.executeQuery()) {
                        one(rs, "stock");
                        quantity = rs.getInt(1);
                        sink(rs.getString(2), null);
                        distInfo = rs.getString(3);
                    }
                    int q = quantities[i];
                    stockUpdate.setInt(1, quantity - q >= 10 ? quantity - q : quantity - q + 91);
                    stockUpdate.setInt(2, q);
                    stockUpdate.setInt(3, WAREHOUSE);
                    stockUpdate.setInt(4, items[i]);
                    stockUpdate.executeUpdate();
                    BigDecimal amount = price.multiply(BigDecimal.valueOf(q));
                    total = total.add(amount);
                    line.setInt(1, WAREHOUSE);
                    line.setInt(2, d);
                    line.setInt(3, oId);
                    line.setInt(4, i + 1);
                    line.setInt(5, items[i]);
                    line.setInt(6, WAREHOUSE);
                    line.setInt(7, q);
                    line.setBigDecimal(8, amount);
                    line.setString(9, distInfo);
                    line.addBatch();
                }
                line.executeBatch();
            }
            sink(total.multiply(BigDecimal.ONE.add(wTax).add(dTax)).multiply(BigDecimal.ONE.subtract(discount)).toPlainString(), null);
        });
    }

    private void payment(TpccRandom r) throws SQLException {
        int d = r.between(1, DISTRICTS);
        boolean byName = r.percent(60);
        String last = byName ? r.lastNameToFind(scale.customersPerDistrict()) : null;
        int byId = r.customerId(scale.customersPerDistrict());
        BigDecimal amount = BigDecimal.valueOf(r.cents(100, 500_000), 2);
        Timestamp now = new Timestamp(System.currentTimeMillis());
        transaction(c -> {
            update(c, "UPDATE warehouse SET w_ytd = w_ytd + ? WHERE w_id = ?", amount, WAREHOUSE);
            String wName;
            try (PreparedStatement ps = c.prepareStatement("SELECT w_street_1, w_street_2, w_city, w_state, w_zip, w_name FROM warehouse WHERE w_id = ?")) {
                ps.setInt(1, WAREHOUSE);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "warehouse");
                    sink(rs.getString(1), rs.getString(3));
                    wName = rs.getString(6);
                }
            }
            update(c, "UPDATE district SET d_ytd = d_ytd + ? WHERE d_w_id = ? AND d_id = ?", amount, WAREHOUSE, d);
            String dName;
            try (PreparedStatement ps = c.prepareStatement("SELECT d_street_1, d_street_2, d_city, d_state, d_zip, d_name FROM district WHERE d_w_id = ? AND d_id = ?")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "district");
                    sink(rs.getString(1), rs.getString(3));
                    dName = rs.getString(6);
                }
            }
            int cId = byName ? customerByName(c, d, last) : byId;
            if (cId == 0) {
                return; // no customer has the name (possible at small scales): nothing to pay
            }
            String credit;
            BigDecimal balance;
            BigDecimal ytd;
            int count;
            try (PreparedStatement ps = c.prepareStatement("SELECT c_first, c_middle, c_last, c_street_1, c_street_2, c_city, c_state, c_zip, "
                    + "c_phone, c_credit, c_credit_lim, c_discount, c_balance, c_ytd_payment, c_payment_cnt, c_since "
                    + "FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ? FOR UPDATE")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, cId);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "customer");
                    sink(rs.getString(1), HandCrypto.get(rs, 3, ciphers.cLast()));
                    sink(HandCrypto.get(rs, 4, ciphers.cStreet1()), HandCrypto.get(rs, 6, ciphers.cCity()));
                    sink(HandCrypto.get(rs, 9, ciphers.cPhone()), rs.getString(8));
                    credit = rs.getString(10);
                    balance = rs.getBigDecimal(13).subtract(amount);
                    ytd = rs.getBigDecimal(14).add(amount);
                    count = rs.getInt(15) + 1;
                }
            }
            if ("BC".equals(credit)) {
                String data;
                try (PreparedStatement ps = c.prepareStatement("SELECT c_data FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
                    ps.setInt(1, WAREHOUSE);
                    ps.setInt(2, d);
                    ps.setInt(3, cId);
                    try (ResultSet rs = ps.executeQuery()) {
                        one(rs, "customer");
                        data = HandCrypto.get(rs, 1, ciphers.cData());
                    }
                }
                data = cId + " " + d + " " + WAREHOUSE + " " + d + " " + WAREHOUSE + " " + amount + " | " + data;
                update(c, "UPDATE customer SET c_balance = ?, c_ytd_payment = ?, c_payment_cnt = ?, c_data = ? WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?",
                        balance, ytd, count, HandCrypto.seal(ciphers.cData(), data.length() > 500 ? data.substring(0, 500) : data), WAREHOUSE, d, cId);
            } else {
                update(c, "UPDATE customer SET c_balance = ?, c_ytd_payment = ?, c_payment_cnt = ? WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?",
                        balance, ytd, count, WAREHOUSE, d, cId);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO history (h_c_d_id, h_c_w_id, h_c_id, h_d_id, h_w_id, h_date, h_amount, h_data) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setInt(1, d);
                ps.setInt(2, WAREHOUSE);
                ps.setInt(3, cId);
                ps.setInt(4, d);
                ps.setInt(5, WAREHOUSE);
                ps.setTimestamp(6, now);
                ps.setBigDecimal(7, amount);
                HandCrypto.set(ps, 8, ciphers.hData(), wName + "    " + dName);
                ps.executeUpdate();
            }
        });
    }

    private static final String BY_NAME = "SELECT c_id FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_last = ? ORDER BY c_first";
    /** How many parameters Veil sends for one lookup parameter ({@code StatementPlan.LOOKUP_SLOTS}). */
    private static final int WIDE_SLOTS = dev.veil.sql.StatementPlan.LOOKUP_SLOTS;
    private static final String BY_NAME_WIDE = "SELECT c_id FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_last IN ("
            + String.join(", ", java.util.Collections.nCopies(WIDE_SLOTS, "?")) + ") ORDER BY c_first";

    /** The customer a by-name lookup selects: the middle one (rounded up) of those with the name, by first name; 0 when none. */
    private int customerByName(Connection c, int d, String last) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(wideLookups ? BY_NAME_WIDE : BY_NAME)) {
            ps.setInt(1, WAREHOUSE);
            ps.setInt(2, d);
            if (wideLookups) {
                Object sealed = HandCrypto.seal(ciphers.cLast(), last);
                for (int i = 3; i < 3 + WIDE_SLOTS; i++) {
                    HandCrypto.bind(ps, i, sealed);
                }
            } else {
                HandCrypto.set(ps, 3, ciphers.cLast(), last);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
        }
        return ids.isEmpty() ? 0 : ids.get((ids.size() + 1) / 2 - 1);
    }

    private void orderStatus(TpccRandom r) throws SQLException {
        int d = r.between(1, DISTRICTS);
        boolean byName = r.percent(60);
        String last = byName ? r.lastNameToFind(scale.customersPerDistrict()) : null;
        int byId = r.customerId(scale.customersPerDistrict());
        transaction(c -> {
            int cId = byId;
            if (byName) {
                cId = customerByName(c, d, last);
                if (cId == 0) {
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT c_balance, c_first, c_middle, c_last FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, cId);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "customer");
                    sink(rs.getString(2), HandCrypto.get(rs, 4, ciphers.cLast()));
                }
            }
            int oId;
            try (PreparedStatement ps = c.prepareStatement("SELECT o_id, o_carrier_id, o_entry_d FROM orders WHERE o_w_id = ? AND o_d_id = ? AND o_c_id = ? "
                    + "ORDER BY o_id DESC LIMIT 1")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, cId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                    oId = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ol_i_id, ol_supply_w_id, ol_quantity, ol_amount, ol_delivery_d FROM order_line "
                    + "WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, oId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink(rs.getBigDecimal(4).toPlainString(), null);
                    }
                }
            }
        });
    }

    private void delivery(TpccRandom r) throws SQLException {
        int carrier = r.between(1, 10);
        Timestamp now = new Timestamp(System.currentTimeMillis());
        transaction(c -> {
            for (int d = 1; d <= DISTRICTS; d++) {
                int oId;
                try (PreparedStatement ps = c.prepareStatement("SELECT no_o_id FROM new_order WHERE no_w_id = ? AND no_d_id = ? ORDER BY no_o_id LIMIT 1")) {
                    ps.setInt(1, WAREHOUSE);
                    ps.setInt(2, d);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            continue; // no undelivered order in this district
                        }
                        oId = rs.getInt(1);
                    }
                }
                if (update(c, "DELETE FROM new_order WHERE no_w_id = ? AND no_d_id = ? AND no_o_id = ?", WAREHOUSE, d, oId) == 0) {
                    continue; // a concurrent Delivery took it
                }
                int cId;
                try (PreparedStatement ps = c.prepareStatement("SELECT o_c_id FROM orders WHERE o_w_id = ? AND o_d_id = ? AND o_id = ?")) {
                    ps.setInt(1, WAREHOUSE);
                    ps.setInt(2, d);
                    ps.setInt(3, oId);
                    try (ResultSet rs = ps.executeQuery()) {
                        one(rs, "orders");
                        cId = rs.getInt(1);
                    }
                }
                update(c, "UPDATE orders SET o_carrier_id = ? WHERE o_w_id = ? AND o_d_id = ? AND o_id = ?", carrier, WAREHOUSE, d, oId);
                update(c, "UPDATE order_line SET ol_delivery_d = ? WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?", now, WAREHOUSE, d, oId);
                BigDecimal amount;
                try (PreparedStatement ps = c.prepareStatement("SELECT SUM(ol_amount) FROM order_line WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?")) {
                    ps.setInt(1, WAREHOUSE);
                    ps.setInt(2, d);
                    ps.setInt(3, oId);
                    try (ResultSet rs = ps.executeQuery()) {
                        one(rs, "order_line");
                        amount = rs.getBigDecimal(1);
                    }
                }
                update(c, "UPDATE customer SET c_balance = c_balance + ?, c_delivery_cnt = c_delivery_cnt + 1 WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?",
                        amount == null ? BigDecimal.ZERO : amount, WAREHOUSE, d, cId);
            }
        });
    }

    private void stockLevel(TpccRandom r) throws SQLException {
        int d = r.between(1, DISTRICTS);
        int threshold = r.between(10, 20);
        transaction(c -> {
            int next;
            try (PreparedStatement ps = c.prepareStatement("SELECT d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "district");
                    next = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(DISTINCT s_i_id) FROM order_line, stock WHERE ol_w_id = ? AND ol_d_id = ? "
                    + "AND ol_o_id < ? AND ol_o_id >= ? AND s_w_id = ? AND s_i_id = ol_i_id AND s_quantity < ?")) {
                ps.setInt(1, WAREHOUSE);
                ps.setInt(2, d);
                ps.setInt(3, next);
                ps.setInt(4, next - 20);
                ps.setInt(5, WAREHOUSE);
                ps.setInt(6, threshold);
                try (ResultSet rs = ps.executeQuery()) {
                    one(rs, "stock level");
                    sink(null, Integer.toString(rs.getInt(1)));
                }
            }
        });
    }

    private static BigDecimal decimal(Connection c, String sql, int key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                one(rs, "row");
                return rs.getBigDecimal(1);
            }
        }
    }

    /** Runs a statement with the given parameters (set with {@code setObject}); returns its update count. */
    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static void one(ResultSet rs, String what) throws SQLException {
        if (!rs.next()) {
            throw new IllegalStateException("no " + what + " row where the workload expects one");
        }
    }

    /** Keeps values read reachable, so the reads (and their decryption) are not optimised away. */
    private static void sink(String a, String b) {
        TimedRunner.sink += (a == null ? 0 : a.length()) + (b == null ? 0 : b.length());
    }
}
