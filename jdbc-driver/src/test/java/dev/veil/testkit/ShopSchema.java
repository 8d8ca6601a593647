package dev.veil.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/** The shop schema the driver tests run against, and a policy file for it. */
public final class ShopSchema {
    private ShopSchema() {
    }

    /** DDL for PostgreSQL. Encrypted columns are text (or bytea for binary storage). */
    public static final String[] POSTGRES = {
            "CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT, ssn TEXT, phone TEXT, birth_date TEXT, tier TEXT)",
            "CREATE TABLE orders (id SERIAL PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total NUMERIC(12,2), note TEXT, total_secret TEXT, placed_at TIMESTAMP DEFAULT now())",
            "CREATE TABLE payments (id SERIAL PRIMARY KEY, order_id INTEGER REFERENCES orders(id), card_token BYTEA, contact_phone TEXT, amount NUMERIC(12,2))",
            "CREATE TABLE audit_log (id SERIAL PRIMARY KEY, message TEXT)",
    };

    /** DDL for MariaDB and MySQL. Encrypted columns are TEXT (or VARBINARY for binary storage). */
    public static final String[] MARIADB = {
            "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, email TEXT, ssn TEXT, phone TEXT, birth_date TEXT, tier VARCHAR(20))",
            "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT REFERENCES customers(id), total DECIMAL(12,2), note TEXT, total_secret TEXT, placed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
            "CREATE TABLE payments (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT REFERENCES orders(id), card_token VARBINARY(512), contact_phone TEXT, amount DECIMAL(12,2))",
            "CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, message TEXT)",
    };

    /** Writes the shop policy (ShopPolicy.TABLES) with a fresh keystore into {@code dir}; returns the policy path. */
    public static Path policy(Path dir) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, ShopPolicy.yaml(TestKeys.keysYaml(keystore)));
        return policy;
    }

    /** The {@code jdbc:veil:} URL of a test database with a policy. */
    public static String veilUrl(TestDatabase db, Path policy) {
        String url = db.url();
        return "jdbc:veil:" + url.substring("jdbc:".length()) + (url.contains("?") ? "&" : "?") + "veil.policy=" + policy;
    }

    public static void create(TestDatabase db) throws SQLException {
        db.execute(db.isPostgres() ? POSTGRES : MARIADB);
    }
}
