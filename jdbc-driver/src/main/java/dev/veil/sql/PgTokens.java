package dev.veil.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits PostgreSQL text into tokens, following the server's lexical rules for what is code and
 * what is data: {@code '…'} with doubled quotes, {@code E'…'} with backslash escapes, {@code U&'…'},
 * {@code $tag$…$tag$}, {@code "quoted"} names, {@code --} and nested {@code /* *}{@code /} comments.
 * Comments are dropped. Used for the statements the parser does not model (server-side code, DDL).
 */
final class PgTokens {

    /** What a token is. */
    enum Kind {
        /** An unquoted name or keyword; {@link Token#key} is its lower-case text. */
        WORD,
        /** A {@code "quoted"} name; {@link Token#key} is its exact text without quotes. */
        QUOTED,
        /** A string constant in any form; {@link Token#key} is its body as written. */
        STRING,
        NUMBER,
        /** One punctuation character, or {@code ::}; {@link Token#key} is its text. */
        SYMBOL
    }

    /**
     * One token.
     *
     * @param kind what it is
     * @param key see {@link Kind}
     * @param start offset of its first character in the text
     * @param end offset after its last character
     */
    record Token(Kind kind, String key, int start, int end) {
        boolean is(String word) {
            return kind == Kind.WORD && key.equals(word);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && key.equals(symbol);
        }

        /** Whether this is a name (quoted or not). */
        boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED;
        }
    }

    private PgTokens() {
    }

    /** The tokens of {@code sql}; an unterminated string or comment runs to the end of the text. */
    static List<Token> of(String sql) {
        List<Token> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = blockComment(sql, i);
            } else if (c == '\'') {
                int end = quoted(sql, i, '\'', false);
                out.add(new Token(Kind.STRING, body(sql, i + 1, end), i, end));
                i = end;
            } else if (c == '"') {
                int end = quoted(sql, i, '"', false);
                out.add(new Token(Kind.QUOTED, body(sql, i + 1, end).replace("\"\"", "\""), i, end));
                i = end;
            } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
                int tagEnd = dollarTagEnd(sql, i);
                String tag = sql.substring(i, tagEnd);
                int close = sql.indexOf(tag, tagEnd);
                int end = close < 0 ? n : close + tag.length();
                out.add(new Token(Kind.STRING, sql.substring(tagEnd, close < 0 ? n : close), i, end));
                i = end;
            } else if (isDigit(c) || c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && (isDigit(sql.charAt(end)) || sql.charAt(end) == '.' || sql.charAt(end) == '_'
                        || Character.isLetter(sql.charAt(end)))) {
                    end++;
                }
                out.add(new Token(Kind.NUMBER, sql.substring(i, end), i, end));
                i = end;
            } else if (isWordStart(c)) {
                int end = i + 1;
                while (end < n && isWordPart(sql.charAt(end))) {
                    end++;
                }
                String word = sql.substring(i, end);
                String upper = word.toUpperCase(Locale.ROOT);
                if (end < n && sql.charAt(end) == '\'' && (upper.equals("E") || upper.equals("B") || upper.equals("X") || upper.equals("N"))) {
                    int close = quoted(sql, end, '\'', upper.equals("E"));
                    out.add(new Token(Kind.STRING, body(sql, end + 1, close), i, close));
                    i = close;
                } else if (upper.equals("U") && end + 1 < n && sql.charAt(end) == '&' && (sql.charAt(end + 1) == '\'' || sql.charAt(end + 1) == '"')) {
                    char q = sql.charAt(end + 1);
                    int close = quoted(sql, end + 1, q, false);
                    out.add(new Token(q == '\'' ? Kind.STRING : Kind.QUOTED, body(sql, end + 2, close), i, close));
                    i = close;
                } else {
                    out.add(new Token(Kind.WORD, word.toLowerCase(Locale.ROOT), i, end));
                    i = end;
                }
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                out.add(new Token(Kind.SYMBOL, "::", i, i + 2));
                i += 2;
            } else {
                out.add(new Token(Kind.SYMBOL, String.valueOf(c), i, i + 1));
                i++;
            }
        }
        return out;
    }

    /**
     * The statements of a script: token lists split at {@code ;} outside strings, names, comments and
     * parentheses (a {@code CREATE RULE … DO ( … ; … )} stays one statement). Empty statements are dropped.
     */
    static List<List<Token>> statements(String sql) {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int depth = 0;
        for (Token t : of(sql)) {
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth = Math.max(0, depth - 1);
            }
            if (t.isSymbol(";") && depth == 0) {
                if (!current.isEmpty()) {
                    out.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** The end of a {@code $tag$} opening at {@code i}, or -1 when {@code $} starts none there. */
    static int dollarTagEnd(String sql, int i) {
        if (i > 0 && isWordPart(sql.charAt(i - 1))) {
            return -1; // a$b$ is a name, $1 a parameter
        }
        int j = i + 1;
        int n = sql.length();
        if (j < n && isDigit(sql.charAt(j))) {
            return -1;
        }
        while (j < n && sql.charAt(j) != '$') {
            char c = sql.charAt(j);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return -1;
            }
            j++;
        }
        return j < n ? j + 1 : -1;
    }

    private static int quoted(String sql, int open, char quote, boolean backslashes) {
        int n = sql.length();
        int i = open + 1;
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    /** The text between an opening quote before {@code from} and a closing one before {@code end}. */
    private static String body(String sql, int from, int end) {
        return sql.substring(Math.min(from, end), Math.max(from, end - 1));
    }

    private static int blockComment(String sql, int i) {
        int depth = 0;
        int n = sql.length();
        while (i < n) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                i += 2;
                if (--depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordStart(char c) {
        return c == '_' || Character.isLetter(c);
    }

    private static boolean isWordPart(char c) {
        return c == '_' || c == '$' || Character.isLetterOrDigit(c);
    }
}
