package dev.veil.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Whether a live database session runs over TLS, as the server reports it for this very session:
 * PostgreSQL's {@code pg_stat_ssl} row of {@code pg_backend_pid()}, MariaDB's and MySQL's session
 * status {@code Ssl_version} and {@code Ssl_cipher}. One query.
 *
 * @param tls whether the session is encrypted
 * @param version the protocol version the server reports ({@code TLSv1.3}), or {@code null}
 * @param cipher the cipher suite the server reports, or {@code null}
 * @param source what was asked, for messages
 */
record SessionTls(boolean tls, String version, String cipher, String source) {
    /**
     * Reads the session's TLS state.
     *
     * @return {@code null} for databases that do not report it (H2 and others)
     * @throws SQLException when the server cannot be asked
     */
    static SessionTls read(Connection raw, SqlDialect dialect) throws SQLException {
        return switch (dialect) {
            case POSTGRESQL -> postgres(raw);
            case MYSQL -> mysql(raw);
            default -> null;
        };
    }

    private static SessionTls postgres(Connection raw) throws SQLException {
        String source = "pg_stat_ssl for pg_backend_pid()";
        try (Statement st = raw.createStatement();
             ResultSet rs = st.executeQuery("SELECT ssl, version, cipher FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()")) {
            if (!rs.next()) {
                return new SessionTls(false, null, null, source + " (no row)");
            }
            return new SessionTls(rs.getBoolean(1), rs.getString(2), rs.getString(3), source);
        }
    }

    private static SessionTls mysql(Connection raw) throws SQLException {
        String version = null;
        String cipher = null;
        try (Statement st = raw.createStatement();
             ResultSet rs = st.executeQuery("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')")) {
            while (rs.next()) {
                String value = rs.getString(2);
                if (value != null && value.isBlank()) {
                    value = null;
                }
                if ("Ssl_version".equalsIgnoreCase(rs.getString(1))) {
                    version = value;
                } else {
                    cipher = value;
                }
            }
        }
        return new SessionTls(cipher != null, version, cipher, "the session status Ssl_version and Ssl_cipher");
    }
}
