package dev.veil.jdbc;

import dev.veil.sql.SqlSyntax;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/** Reads a MariaDB, MySQL or H2 session's lexical rules from the database. */
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

    /** An H2 session's rules: its compatibility mode. */
    static SqlSyntax readH2(Connection raw) throws SQLException {
        try (Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'MODE'")) {
            return SqlSyntax.h2(rs.next() ? rs.getString(1) : null);
        }
    }

    /**
     * Whether a text may change the session's rules: {@code sql_mode} on MariaDB/MySQL, {@code MODE}
     * on H2 (a word search; errs on "yes").
     */
    static boolean mayChange(String sql, SqlSyntax syntax) {
        String word = syntax.family() == SqlSyntax.Family.H2 ? "mode" : "sql_mode";
        // runs for every statement: compares in place rather than lower-casing the text
        int n = sql.length();
        int last = n - word.length();
        char first = word.charAt(0);
        for (int at = 0; at <= last; at++) {
            if ((sql.charAt(at) | 0x20) == first && sql.regionMatches(true, at, word, 0, word.length())
                    && (at == 0 || !isWordChar(sql.charAt(at - 1)))
                    && (at == last || !isWordChar(sql.charAt(at + word.length())))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
