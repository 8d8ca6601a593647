package dev.veil.bench;

import dev.veil.crypto.Algorithm;
import dev.veil.crypto.Envelope;
import dev.veil.policy.EncryptionMode;
import dev.veil.policy.StorageFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * The TPC-C tables (warehouse, district, customer, history, orders, new_order, order_line, item,
 * stock) for PostgreSQL, and the columns the workload encrypts: {@code customer.c_last}
 * deterministic (the Payment and Order-Status transactions look customers up by it), and
 * {@code c_street_1}, {@code c_city}, {@code c_phone}, {@code c_data} and {@code history.h_data}
 * randomized. In the encrypted database those columns are widened to hold the ciphertext of their
 * longest value (the width {@code veil policy check} asks for), or are {@code bytea} for binary storage.
 */
final class TpccSchema {
    /** A column Veil encrypts, with the longest plaintext (in ASCII characters) the workload writes to it. */
    record Encrypted(String table, String column, EncryptionMode mode, int maxChars) {
        /** Its SQL type: {@code bytea}, or {@code varchar} wide enough for the text form of the longest value. */
        String type(StorageFormat storage) {
            if (storage == StorageFormat.BINARY) {
                return "bytea";
            }
            return "varchar(" + Envelope.textLength(Envelope.size(Algorithm.forMode(mode), maxChars)) + ")";
        }
    }

    static final List<Encrypted> ENCRYPTED = List.of(
            new Encrypted("customer", "c_last", EncryptionMode.DETERMINISTIC, 16),
            new Encrypted("customer", "c_street_1", EncryptionMode.RANDOMIZED, 20),
            new Encrypted("customer", "c_city", EncryptionMode.RANDOMIZED, 20),
            new Encrypted("customer", "c_phone", EncryptionMode.RANDOMIZED, 16),
            new Encrypted("customer", "c_data", EncryptionMode.RANDOMIZED, 500),
            new Encrypted("history", "h_data", EncryptionMode.RANDOMIZED, 24));

    private TpccSchema() {
    }

    /**
     * The DDL of every table and index.
     *
     * @param storage how the encrypted columns hold ciphertext, or {@code null} for plaintext columns
     *        (the raw database)
     */
    static List<String> ddl(StorageFormat storage) {
        List<String> out = new ArrayList<>();
        out.add("CREATE TABLE warehouse (w_id int PRIMARY KEY, w_name varchar(10), w_street_1 varchar(20), w_street_2 varchar(20), "
                + "w_city varchar(20), w_state char(2), w_zip char(9), w_tax decimal(4,4), w_ytd decimal(12,2))");
        out.add("CREATE TABLE district (d_w_id int, d_id int, d_name varchar(10), d_street_1 varchar(20), d_street_2 varchar(20), "
                + "d_city varchar(20), d_state char(2), d_zip char(9), d_tax decimal(4,4), d_ytd decimal(12,2), d_next_o_id int, "
                + "PRIMARY KEY (d_w_id, d_id))");
        out.add("CREATE TABLE customer (c_w_id int, c_d_id int, c_id int, c_first varchar(16), c_middle char(2), "
                + "c_last " + type("c_last", "varchar(16)", storage) + ", c_street_1 " + type("c_street_1", "varchar(20)", storage)
                + ", c_street_2 varchar(20), c_city " + type("c_city", "varchar(20)", storage) + ", c_state char(2), c_zip char(9), "
                + "c_phone " + type("c_phone", "char(16)", storage) + ", c_since timestamp, c_credit char(2), c_credit_lim decimal(12,2), "
                + "c_discount decimal(4,4), c_balance decimal(12,2), c_ytd_payment decimal(12,2), c_payment_cnt int, c_delivery_cnt int, "
                + "c_data " + type("c_data", "varchar(500)", storage) + ", PRIMARY KEY (c_w_id, c_d_id, c_id))");
        out.add("CREATE INDEX customer_name ON customer (c_w_id, c_d_id, c_last, c_first)");
        out.add("CREATE TABLE history (h_c_id int, h_c_d_id int, h_c_w_id int, h_d_id int, h_w_id int, h_date timestamp, "
                + "h_amount decimal(6,2), h_data " + type("h_data", "varchar(24)", storage) + ")");
        out.add("CREATE TABLE orders (o_w_id int, o_d_id int, o_id int, o_c_id int, o_entry_d timestamp, o_carrier_id int, "
                + "o_ol_cnt int, o_all_local int, PRIMARY KEY (o_w_id, o_d_id, o_id))");
        out.add("CREATE INDEX orders_customer ON orders (o_w_id, o_d_id, o_c_id, o_id)");
        out.add("CREATE TABLE new_order (no_w_id int, no_d_id int, no_o_id int, PRIMARY KEY (no_w_id, no_d_id, no_o_id))");
        out.add("CREATE TABLE order_line (ol_w_id int, ol_d_id int, ol_o_id int, ol_number int, ol_i_id int, ol_supply_w_id int, "
                + "ol_delivery_d timestamp, ol_quantity int, ol_amount decimal(6,2), ol_dist_info char(24), "
                + "PRIMARY KEY (ol_w_id, ol_d_id, ol_o_id, ol_number))");
        out.add("CREATE TABLE item (i_id int PRIMARY KEY, i_im_id int, i_name varchar(24), i_price decimal(5,2), i_data varchar(50))");
        StringBuilder stock = new StringBuilder("CREATE TABLE stock (s_w_id int, s_i_id int, s_quantity int");
        for (int d = 1; d <= 10; d++) {
            stock.append(", ").append(distInfo(d)).append(" char(24)");
        }
        out.add(stock.append(", s_ytd int, s_order_cnt int, s_remote_cnt int, s_data varchar(50), PRIMARY KEY (s_w_id, s_i_id))").toString());
        return out;
    }

    /** The stock column that holds a district's {@code dist_info}: {@code s_dist_01} to {@code s_dist_10}. */
    static String distInfo(int district) {
        return (district < 10 ? "s_dist_0" : "s_dist_") + district;
    }

    private static String type(String column, String plain, StorageFormat storage) {
        if (storage == null) {
            return plain;
        }
        return ENCRYPTED.stream().filter(e -> e.column().equals(column)).findFirst().orElseThrow().type(storage);
    }

    /** The {@code tables:} section of the Veil policy for the encrypted columns. */
    static String policyTables(StorageFormat storage) {
        StringBuilder sb = new StringBuilder("tables:\n");
        String table = null;
        for (Encrypted e : ENCRYPTED) {
            if (!e.table().equals(table)) {
                table = e.table();
                sb.append("  ").append(table).append(":\n");
            }
            sb.append("    ").append(e.column()).append(": { mode: ").append(e.mode() == EncryptionMode.DETERMINISTIC ? "deterministic" : "randomized")
                    .append(", storage: ").append(storage.policyName()).append(" }\n");
        }
        return sb.toString();
    }
}
