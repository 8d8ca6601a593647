package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
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
     * Commands that cannot change {@code sql_mode}, the client character set or H2's mode: they
     * cannot assign system variables, and the stored functions and triggers they reach run under
     * the rules stored with them and restore the caller's. ({@code BEGIN} is not here: on MariaDB
     * it may open a compound statement.)
     */
    private static final String[] KEEP_RULES = {"select", "insert", "update", "delete", "replace", "with", "values", "table",
        "commit", "rollback", "start", "savepoint", "release", "show", "describe", "desc", "explain"};

    /**
     * Whether the connection's rules must be read again after this text runs, fail-closed: true for
     * everything but one statement of a command known to leave them alone ({@link #KEEP_RULES}).
     * So any {@code SET} (several assignments, {@code SESSION}, {@code @@}, {@code NAMES},
     * {@code CHARSET}, {@code STATEMENT}), {@code CALL}, {@code EXECUTE}, a script (a {@code ;}
     * followed by more), a text that opens with an executable comment or a command Veil does not
     * know.
     */
    static boolean rereadAfter(String sql, SqlSyntax syntax) {
        if (syntax.family() == SqlSyntax.Family.POSTGRESQL) {
            return false;
        }
        return !keepsRules(sql);
    }

    private static boolean keepsRules(String sql) {
        int n = sql.length();
        int i = skipBlanksAndComments(sql);
        if (i < 0) {
            return false;
        }
        int start = i;
        while (i < n && isWordChar(sql.charAt(i))) {
            i++;
        }
        boolean known = false;
        for (String word : KEEP_RULES) {
            if (word.length() == i - start && sql.regionMatches(true, start, word, 0, word.length())) {
                known = true;
                break;
            }
        }
        if (!known) {
            return false;
        }
        // a script: whatever follows a ';' is not classified (a ';' in a string literal costs one read, no more)
        int semicolon = sql.indexOf(';', i);
        return semicolon < 0 || sql.substring(semicolon + 1).isBlank();
    }

    /** Where the first word starts after blanks and comments; -1 at an executable comment ({@code /*!}, {@code /*M!}), which is code. */
    private static int skipBlanksAndComments(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '-' && sql.startsWith("-- ", i)) {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                if (sql.startsWith("/*!", i) || sql.startsWith("/*M!", i) || sql.startsWith("/*m!", i)) {
                    return -1;
                }
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                return i;
            }
        }
        return i;
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
