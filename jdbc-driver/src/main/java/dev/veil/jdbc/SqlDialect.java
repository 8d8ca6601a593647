package dev.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Locale;

/** The few things that differ between databases when Veil writes SQL text itself. */
enum SqlDialect {
    POSTGRESQL,
    /** MariaDB or MySQL, through either's driver. */
    MYSQL,
    H2,
    OTHER;

    static SqlDialect of(Connection raw) throws SQLException {
        String product = raw.getMetaData().getDatabaseProductName();
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        return p.contains("postgres") ? POSTGRESQL : p.contains("mariadb") || p.contains("mysql") ? MYSQL
                : p.equals("h2") ? H2 : OTHER;
    }

    /**
     * Whether the driver's {@code getBytes} on a text column returns the text's bytes, so a text
     * envelope can be decoded without building a {@code String} of it first. pgjdbc returns the
     * bytes it received (UTF-8, the only client encoding it accepts); other drivers are not assumed to.
     */
    boolean readsTextAsBytes() {
        return this == POSTGRESQL;
    }

    /** A SQL literal holding a ciphertext: text as a string literal, bytes as a binary literal. */
    String literal(Object ciphertext) {
        if (ciphertext == null) {
            return "NULL";
        }
        if (ciphertext instanceof byte[] b) {
            String hex = HexFormat.of().formatHex(b);
            return this == POSTGRESQL ? "'\\x" + hex + "'::bytea" : "X'" + hex + "'";
        }
        // the text envelope alphabet (vl1: + base64url) has no quote, but escape anyway
        return "'" + ciphertext.toString().replace("'", "''") + "'";
    }
}
