package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.sql.SqlSyntax;
import dev.veil.sql.StatementPlan;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a MariaDB, MySQL or H2 session's lexical rules from the database. */
final class SqlModes {
    private SqlModes() {
    }

    /**
     * The session's rules: {@code VERSION()} says MariaDB or MySQL and which versioned comments run;
     * {@code @@sql_mode} the quoting; {@code @@character_set_client} whether Veil can read the
     * server's strings at all.
     */
    static SqlSyntax read(Connection raw) throws SQLException {
        try (Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION(), @@SESSION.sql_mode, @@SESSION.character_set_client")) {
            if (!rs.next()) {
                throw new SQLException("the server returned no row for VERSION() and @@sql_mode");
            }
            String version = rs.getString(1);
            boolean mariadb = version != null && version.toLowerCase(Locale.ROOT).contains("mariadb");
            return SqlSyntax.mysql(mariadb, version, rs.getString(2), rs.getString(3));
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
     * Whether the connection's rules must be read again after the plan's text runs, fail-closed:
     * true for everything but one statement of a command known to leave them alone (see
     * {@link SqlSyntax#keepsRules(String)}), on MariaDB, MySQL and H2.
     */
    static boolean rereadAfter(StatementPlan plan, SqlSyntax syntax) {
        return syntax.family() != SqlSyntax.Family.POSTGRESQL && !plan.keepsRules();
    }

    /** Compiled at first use only: every statement's plan asks {@link #rereadAfter}, a PostgreSQL connection never needs these. */
    private static final class ReconnectUrls {
        /** MariaDB Connector/J and MySQL Connector/J URL forms that open a new server connection under the same JDBC one. */
        static final Pattern FAILOVER_URL = Pattern.compile(
                "(?i)^jdbc:(mariadb:(sequential|loadbalance|load-balance|replication|failover|aurora)|mysql:(loadbalance|replication)|mysql\\+srv):.*");
        static final Pattern HOSTS = Pattern.compile("(?i)^jdbc:[a-z:+-]*//([^/?]*)");
    }
    private static final List<String> RECONNECTING_PROPERTIES = List.of("autoreconnect", "autoreconnectforpools", "transactionreplay");

    /**
     * Whether the driver behind a MariaDB or MySQL URL may replace the server connection under the
     * JDBC one without the application (or Veil) seeing it: {@code autoReconnect},
     * {@code autoReconnectForPools}, {@code transactionReplay}, a fail-over or load-balancing URL,
     * or several hosts. The new server connection starts from the server's default {@code sql_mode}
     * and character set, not from those a {@code SET} made, so once a text that may change them ran,
     * such a connection reads them again before every statement. An unknown URL counts as one.
     */
    static boolean mayReconnectSilently(String url, Properties info) {
        if (url == null) {
            return true;
        }
        if (ReconnectUrls.FAILOVER_URL.matcher(url).matches()) {
            return true;
        }
        Matcher hosts = ReconnectUrls.HOSTS.matcher(url);
        if (hosts.find() && hosts.group(1).indexOf(',') >= 0) {
            return true;
        }
        int q = url.indexOf('?');
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("[&;]")) {
                int eq = pair.indexOf('=');
                String key = (eq < 0 ? pair : pair.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                if (RECONNECTING_PROPERTIES.contains(key) && !isFalse(eq < 0 ? "" : pair.substring(eq + 1))) {
                    return true;
                }
            }
        }
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                if (RECONNECTING_PROPERTIES.contains(name.toLowerCase(Locale.ROOT)) && !isFalse(info.getProperty(name))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isFalse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("false") || v.equals("0") || v.equals("no") || v.equals("off");
    }

    private static boolean mayChangeCharset(String sql) {
        return hasWord(sql, "set") && (hasWord(sql, "names") || hasWord(sql, "character") || hasWord(sql, "charset")
                || hasWord(sql, "character_set_client"));
    }

    /**
     * Refuses, before it runs, a text that may set the client character set to one Veil cannot read
     * ({@link SqlSyntax#MULTI_BYTE_BACKSLASH_CHARSETS}). A change Veil does not see coming (through
     * a variable, say) is found when the session is read again before the next statement, which
     * then makes every statement on an encrypted table ambiguous.
     *
     * @throws VeilException {@code VE006}
     */
    static void refuseUnreadableCharset(String sql) throws VeilException {
        if (!mayChangeCharset(sql)) {
            return;
        }
        for (String charset : SqlSyntax.MULTI_BYTE_BACKSLASH_CHARSETS) {
            if (hasWord(sql, charset)) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "this statement may set the client character set to "
                        + charset + ", in which a backslash or quote byte can be the second byte of a multi-byte character: "
                        + "the server would read strings differently than Veil, so Veil refuses it. Use utf8mb4");
            }
        }
    }

    /** Whether {@code word} (lower case) occurs in {@code sql} as a whole word, in any case. */
    private static boolean hasWord(String sql, String word) {
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
