package dev.veil.sql;

import java.util.Locale;

/**
 * The lexical rules of one connection's SQL: what is code, what is a string, what is a comment.
 * The same text can mean different things under different rules (a backslash escapes a quote in
 * MariaDB unless {@code NO_BACKSLASH_ESCAPES}; {@code "x"} is a string there unless
 * {@code ANSI_QUOTES}; {@code /*! ... *}{@code /} is code there and a comment in PostgreSQL), so
 * plans are made and cached per syntax.
 *
 * @param family the database family
 * @param version the server version as MariaDB/MySQL write it in versioned comments
 *        ({@code 10.11.6} is {@code 101106}, {@code 8.0.36} is {@code 80036}); 0 when not relevant
 * @param backslashEscapes whether a backslash escapes the next character in a string
 *        (MariaDB/MySQL without {@code NO_BACKSLASH_ESCAPES})
 * @param ansiQuotes whether {@code "} quotes identifiers rather than strings (MariaDB/MySQL
 *        {@code ANSI_QUOTES}); for H2, whether the session is in a compatibility mode other than Regular
 * @param unreadableCharset MariaDB/MySQL: the session's client character set when it is one in
 *        which a backslash or quote byte can be the second byte of a multi-byte character
 *        ({@link #MULTI_BYTE_BACKSLASH_CHARSETS}), so the server may read a text's strings other
 *        than Veil does; every text is then ambiguous. {@code null} otherwise
 */
public record SqlSyntax(Family family, long version, boolean backslashEscapes, boolean ansiQuotes, String unreadableCharset) {

    /**
     * The MariaDB/MySQL client character sets whose multi-byte characters can end in the byte of
     * {@code \} (or {@code '}): the server reads such a byte as part of the character, while a
     * reader of the decoded text (Veil, and the driver encoding it) sees a backslash or none.
     */
    public static final java.util.Set<String> MULTI_BYTE_BACKSLASH_CHARSETS = java.util.Set.of("big5", "cp932", "gbk", "gb18030", "sjis");

    /** The database families whose lexical rules Veil knows. */
    public enum Family {
        /** PostgreSQL: dollar quotes, {@code E''}, nested comments. */
        POSTGRESQL,
        /** MariaDB: MySQL's rules, plus {@code /*M! *}{@code /} executable comments. */
        MARIADB,
        /** MySQL. */
        MYSQL,
        /**
         * H2 in its Regular mode: PostgreSQL's rules where H2's agree (quotes, {@code ''},
         * {@code --} comments); the rest ({@code //} and block comments, {@code $$} strings,
         * other quotes, other compatibility modes) is reported as ambiguous.
         */
        H2
    }

    /** PostgreSQL's rules (also used for the databases Veil has no rules of its own for). */
    public static final SqlSyntax POSTGRESQL = new SqlSyntax(Family.POSTGRESQL, 0, false, false, null);

    /**
     * The rules of a MariaDB or MySQL session.
     *
     * @param mariadb whether the server is MariaDB (its {@code VERSION()} says so)
     * @param serverVersion {@code VERSION()}, such as {@code 10.11.6-MariaDB-0+deb12u1} or {@code 8.0.36}
     * @param sqlMode the session's {@code @@sql_mode}
     */
    public static SqlSyntax mysql(boolean mariadb, String serverVersion, String sqlMode) {
        return mysql(mariadb, serverVersion, sqlMode, null);
    }

    /**
     * The rules of a MariaDB or MySQL session, as {@link #mysql(boolean, String, String)}.
     *
     * @param clientCharset the session's {@code @@character_set_client} ({@code null}: utf8mb4)
     */
    public static SqlSyntax mysql(boolean mariadb, String serverVersion, String sqlMode, String clientCharset) {
        String charset = clientCharset == null ? null : clientCharset.strip().toLowerCase(Locale.ROOT);
        String mode = "," + (sqlMode == null ? "" : sqlMode.toUpperCase(Locale.ROOT).replace(" ", "")) + ",";
        // ANSI is a combination mode; servers expand it in @@sql_mode, but accept it as written
        boolean ansi = mode.contains(",ANSI_QUOTES,") || mode.contains(",ANSI,");
        return new SqlSyntax(mariadb ? Family.MARIADB : Family.MYSQL, versionNumber(serverVersion),
                !mode.contains(",NO_BACKSLASH_ESCAPES,"), ansi, charset != null && MULTI_BYTE_BACKSLASH_CHARSETS.contains(charset) ? charset : null);
    }

    /**
     * The rules of an H2 session.
     *
     * @param mode the session's compatibility mode ({@code REGULAR} is the only one Veil reads; in
     *        another, every statement on an encrypted table is refused)
     */
    public static SqlSyntax h2(String mode) {
        return new SqlSyntax(Family.H2, 0, false, mode != null && !mode.strip().equalsIgnoreCase("REGULAR"), null);
    }

    /** {@code 10.11.6-MariaDB} to {@code 101106}: major, then minor and patch as two digits each. */
    static long versionNumber(String version) {
        if (version == null) {
            return 0;
        }
        long[] parts = new long[3];
        int part = 0;
        for (int i = 0; i < version.length() && part < 3; i++) {
            char c = version.charAt(i);
            if (c >= '0' && c <= '9') {
                parts[part] = parts[part] * 10 + (c - '0');
            } else if (c == '.') {
                part++;
            } else {
                break;
            }
        }
        return parts[0] * 10_000 + Math.min(parts[1], 99) * 100 + Math.min(parts[2], 99);
    }

    /** Whether this is MariaDB's or MySQL's syntax. */
    public boolean isMySqlFamily() {
        return family == Family.MARIADB || family == Family.MYSQL;
    }

    /** The literals of a text under these rules, and the text the parser is to see. */
    ScannedSql scan(String sql) {
        if (isMySqlFamily()) {
            return MySqlScanner.scan(sql, this);
        }
        ScannedSql scanned = LiteralScanner.scan(sql);
        return family == Family.H2 ? H2Lexicon.check(scanned, ansiQuotes) : scanned;
    }

    // Written out rather than generated: a record's generated equals and hashCode link through
    // ObjectMethods' method-handle bootstrap at first use, which cost a fresh JVM's first connection
    // milliseconds of spinning classes (and their JIT work) for one comparison of five fields.
    @Override
    public boolean equals(Object o) {
        return o instanceof SqlSyntax s && family == s.family && version == s.version && backslashEscapes == s.backslashEscapes
                && ansiQuotes == s.ansiQuotes && java.util.Objects.equals(unreadableCharset, s.unreadableCharset);
    }

    @Override
    public int hashCode() {
        int h = family.hashCode();
        h = 31 * h + Long.hashCode(version);
        h = 31 * h + Boolean.hashCode(backslashEscapes);
        h = 31 * h + Boolean.hashCode(ansiQuotes);
        return 31 * h + java.util.Objects.hashCode(unreadableCharset);
    }

    @Override
    public String toString() {
        return isMySqlFamily() ? family + "[" + version + (backslashEscapes ? "" : ",NO_BACKSLASH_ESCAPES")
                + (ansiQuotes ? ",ANSI_QUOTES" : "") + (unreadableCharset == null ? "" : "," + unreadableCharset) + "]" : family.toString();
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
     * Whether a text cannot change the connection's lexical rules, fail-closed: true only for one
     * statement of a command known to leave them alone ({@link #KEEP_RULES}). So false for any
     * {@code SET} (several assignments, {@code SESSION}, {@code @@}, {@code NAMES},
     * {@code CHARSET}, {@code STATEMENT}), {@code CALL}, {@code EXECUTE}, a script (a {@code ;}
     * followed by more), a text that opens with an executable comment, and a command Veil does not know.
     */
    public static boolean keepsRules(String sql) {
        int n = sql.length();
        int i = skipBlanksAndComments(sql);
        if (i < 0) {
            return false;
        }
        int start = i;
        while (i < n && FastPathFilter.isWordChar(sql.charAt(i))) {
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
}
