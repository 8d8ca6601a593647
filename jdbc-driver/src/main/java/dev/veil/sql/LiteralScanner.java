package dev.veil.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the string and number literals of a SQL text, skipping comments and quoted identifiers,
 * and builds the placeholder form the parser sees (see {@link ScannedSql}).
 *
 * <p>Doing this ourselves gives exact character offsets: JSqlParser's token positions are missing
 * for some nodes (a literal under a sign, a parameter under a cast).
 */
final class LiteralScanner {

    private LiteralScanner() {
    }

    static ScannedSql scan(String sql) {
        List<SqlLiteral> literals = new ArrayList<>();
        StringBuilder out = null;
        int copied = 0;
        int depth = 0;
        boolean balanced = true;
        int markers = 0;
        int[] markerOffsets = new int[4];
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int literalEnd = -1;
            SqlLiteral literal = null;
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                i = skipLine(sql, i);
                continue;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlockComment(sql, i);
                continue;
            } else if (c == '"' || c == '`') {
                i = skipQuoted(sql, i, c);
                continue;
            } else if (c == '?') {
                if (markers == markerOffsets.length) {
                    markerOffsets = java.util.Arrays.copyOf(markerOffsets, markers * 2);
                }
                markerOffsets[markers++] = i;
                i++;
                while (i < n && isDigit(sql.charAt(i))) {
                    i++; // ?1: a numbered marker, refused later, never a literal
                }
                continue;
            } else if (c == '(' || c == ')') {
                depth += c == '(' ? 1 : -1;
                balanced &= depth >= 0;
                i++;
                continue;
            } else if (c == '\'') {
                literal = string(sql, i, i, "");
            } else if (c == '$' && (i == 0 || !FastPathFilter.isWordChar(sql.charAt(i - 1)))) {
                literal = dollarQuoted(sql, i);
                if (literal == null) {
                    i++;
                    continue;
                }
            } else if (isDigit(c) || c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1))) {
                if (i > 0 && (FastPathFilter.isWordChar(sql.charAt(i - 1)) || sql.charAt(i - 1) == '.' && c == '.')) {
                    i++;
                    continue;
                }
                literal = number(sql, i);
                if (literal == null) {
                    i = skipWord(sql, i);
                    continue;
                }
            } else if (FastPathFilter.isWordChar(c)) {
                int wordEnd = skipWord(sql, i);
                literal = prefixedString(sql, i, wordEnd);
                if (literal == null) {
                    i = wordEnd;
                    continue;
                }
            } else {
                i++;
                continue;
            }
            literalEnd = literal.end();
            if (out == null) {
                out = new StringBuilder(n + 16);
            }
            out.append(sql, copied, literal.start());
            String ordinal = Integer.toString(literals.size());
            if (literal.number()) {
                out.append(ordinal);
            } else {
                out.append('\'').append(ordinal).append('\'');
            }
            copied = literalEnd;
            literals.add(literal);
            i = literalEnd;
        }
        if (out == null) {
            return new ScannedSql(sql, sql, List.of(), balanced && depth == 0, java.util.Arrays.copyOf(markerOffsets, markers));
        }
        out.append(sql, copied, n);
        return new ScannedSql(sql, out.toString(), literals, balanced && depth == 0, java.util.Arrays.copyOf(markerOffsets, markers));
    }

    /** A string literal whose quote is at {@code quote}; {@code start} includes any prefix. */
    private static SqlLiteral string(String sql, int start, int quote, String prefix) {
        boolean backslashes = prefix.equals("E");
        StringBuilder value = new StringBuilder();
        int n = sql.length();
        int i = quote + 1;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                    continue;
                }
                return new SqlLiteral(start, i + 1, false, prefix, value.toString());
            }
            if (backslashes && c == '\\' && i + 1 < n) {
                // E'...' escapes are kept raw; such literals are never rewritten (see PlanTemplate)
                value.append(c).append(sql.charAt(i + 1));
                i += 2;
                continue;
            }
            value.append(c);
            i++;
        }
        // unterminated: treat the rest as the literal; the parser will reject the statement
        return new SqlLiteral(start, n, false, prefix, value.toString());
    }

    private static SqlLiteral prefixedString(String sql, int start, int wordEnd) {
        int n = sql.length();
        String word = sql.substring(start, wordEnd).toUpperCase(Locale.ROOT);
        if (wordEnd < n && sql.charAt(wordEnd) == '\''
                && (word.equals("E") || word.equals("N") || word.equals("X") || word.equals("B"))) {
            return string(sql, start, wordEnd, word);
        }
        if (word.equals("U") && wordEnd + 1 < n && sql.charAt(wordEnd) == '&' && sql.charAt(wordEnd + 1) == '\'') {
            return string(sql, start, wordEnd + 1, "U&");
        }
        return null;
    }

    private static SqlLiteral dollarQuoted(String sql, int start) {
        int n = sql.length();
        int i = start + 1;
        while (i < n && (Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '_')) {
            i++;
        }
        if (i >= n || sql.charAt(i) != '$') {
            return null;
        }
        String tag = sql.substring(start, i + 1);
        int close = sql.indexOf(tag, i + 1);
        if (close < 0) {
            return null;
        }
        return new SqlLiteral(start, close + tag.length(), false, tag, sql.substring(i + 1, close));
    }

    private static SqlLiteral number(String sql, int start) {
        int n = sql.length();
        int i = start;
        while (i < n && isDigit(sql.charAt(i))) {
            i++;
        }
        if (i < n && sql.charAt(i) == '.' && !(i + 1 < n && sql.charAt(i + 1) == '.')) {
            i++;
            while (i < n && isDigit(sql.charAt(i))) {
                i++;
            }
        }
        if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
                j++;
            }
            if (j < n && isDigit(sql.charAt(j))) {
                i = j;
                while (i < n && isDigit(sql.charAt(i))) {
                    i++;
                }
            }
        }
        if (i < n && FastPathFilter.isWordChar(sql.charAt(i))) {
            return null; // 0x1F, 1abc: not a plain number, leave it to the parser
        }
        return new SqlLiteral(start, i, true, "", sql.substring(start, i));
    }

    private static int skipWord(String sql, int i) {
        int n = sql.length();
        while (i < n && FastPathFilter.isWordChar(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipLine(String sql, int i) {
        int end = sql.indexOf('\n', i);
        return end < 0 ? sql.length() : end + 1;
    }

    private static int skipBlockComment(String sql, int i) {
        int depth = 0;
        int n = sql.length();
        while (i < n) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    /** The offset just past the {@code quote}-quoted token starting at {@code i}, a doubled quote standing for itself. */
    static int skipQuoted(String sql, int i, char quote) {
        int n = sql.length();
        i++;
        while (i < n) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
