package dev.veil.jdbc;

import dev.veil.sql.SqlSyntax;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/** Reads a MariaDB or MySQL session's lexical rules from the server. */
final class SqlModes {
    private SqlModes() {
    }

    /** The session's rules: {@code VERSION()} says MariaDB or MySQL and which versioned comments run; {@code @@sql_mode} the quoting. */
    static SqlSyntax read(Connection raw) throws SQLException {
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery("SELECT VERSION(), @@SESSION.sql_mode")) {
            if (!rs.next()) {
                throw new SQLException("the server returned no row for VERSION() and @@sql_mode");
            }
            String version = rs.getString(1);
            boolean mariadb = version != null && version.toLowerCase(Locale.ROOT).contains("mariadb");
            return SqlSyntax.mysql(mariadb, version, rs.getString(2));
        }
    }

    /** Whether a text may change the session's {@code sql_mode} (a word search; errs on "yes"). */
    static boolean mayChange(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("sql_mode");
        while (at >= 0) {
            int end = at + "sql_mode".length();
            if ((at == 0 || !Character.isLetterOrDigit(lower.charAt(at - 1)) && lower.charAt(at - 1) != '_')
                    && (end == lower.length() || !Character.isLetterOrDigit(lower.charAt(end)) && lower.charAt(end) != '_')) {
                return true;
            }
            at = lower.indexOf("sql_mode", at + 1);
        }
        return false;
    }
}
