package dev.veil.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a SQL text under MariaDB's or MySQL's lexical rules: finds its literals and builds the text
 * JSqlParser is to see (see {@link ScannedSql}), which is the text the server executes.
 *
 * <p>The rules, one small scanner each: strings in {@code '} (and in {@code "} unless
 * {@code ANSI_QUOTES}) with backslash escapes (unless {@code NO_BACKSLASH_ESCAPES}) and doubled
 * quotes; identifiers in back-quotes (and in {@code "} under {@code ANSI_QUOTES}); comments
 * {@code #}, {@code -- } (two dashes then a space or control character) and {@code /* *}{@code /}
 * (not nested); executable comments {@code /*! *}{@code /}, {@code /*!NNNNN *}{@code /} and, on
 * MariaDB, {@code /*M! *}{@code /}, whose content is code when the server runs it; introducers
 * ({@code _utf8mb4'..'}), {@code N'..'}, {@code X'..'}, {@code B'..'}, {@code 0x..} and
 * {@code 0b..}.
 *
 * <p>In the parser's text, comments become a space and the markers of executable comments the
 * server runs become spaces, so their content is parsed as the code it is. Whatever the server
 * could read in more than one way, or in a way the parser would not, is reported as an ambiguity
 * (see {@link ScannedSql#ambiguity()}): adjacent strings (which the server joins), comments or
 * {@code ?} inside executable comments, version numbers of unclear length, unclosed strings and
 * comments.
 */
final class MySqlScanner {
    private final String sql;
    private final SqlSyntax syntax;
    private final int n;
    private final StringBuilder out;
    private final List<SqlLiteral> literals = new ArrayList<>();
    private int depth;
    private boolean balanced = true;
    private int markers;
    private int[] markerOffsets = new int[4];
    private String ambiguity;
    /** Inside an executable comment the server runs: its {@code *}{@code /} ends it. */
    private boolean inExecutable;
    /** The last token was a string literal (comments and whitespace do not count). */
    private boolean afterString;

    private MySqlScanner(String sql, SqlSyntax syntax) {
        this.sql = sql;
        this.syntax = syntax;
        this.n = sql.length();
        this.out = new StringBuilder(n + 16);
    }

    static ScannedSql scan(String sql, SqlSyntax syntax) {
        return new MySqlScanner(sql, syntax).run();
    }

    private ScannedSql run() {
        if (syntax.unreadableCharset() != null) {
            ambiguous("the client character set " + syntax.unreadableCharset() + ", in which a backslash or quote byte can be "
                    + "the second byte of a multi-byte character, so the server may read its strings otherwise (SET NAMES utf8mb4)");
        }
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' && !syntax.ansiQuotes()) {
                i = string(i, i, "");
            } else if (c == '`' || c == '"') {
                i = identifier(i, c);
            } else if (c == '#') {
                i = lineComment(i);
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' && (i + 2 >= n || sql.charAt(i + 2) <= ' ')) {
                i = lineComment(i);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = blockComment(i);
            } else if (c == '*' && inExecutable && i + 1 < n && sql.charAt(i + 1) == '/') {
                inExecutable = false;
                out.append(' ');
                i += 2;
            } else if (Character.isWhitespace(c)) {
                out.append(c);
                i++;
            } else if (c == '?') {
                token();
                if (markers == markerOffsets.length) {
                    markerOffsets = java.util.Arrays.copyOf(markerOffsets, markers * 2);
                }
                markerOffsets[markers++] = i;
                if (inExecutable) {
                    ambiguous("a parameter marker inside an executable comment");
                }
                out.append(c);
                i++;
            } else if (c == '(' || c == ')') {
                token();
                depth += c == '(' ? 1 : -1;
                balanced &= depth >= 0;
                out.append(c);
                i++;
            } else if (isDigit(c) || c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)) && !afterWord(i)) {
                i = number(i);
            } else if (FastPathFilter.isWordChar(c)) {
                i = word(i);
            } else {
                token();
                out.append(c);
                i++;
            }
        }
        if (inExecutable) {
            ambiguous("an executable comment is not closed");
        }
        return new ScannedSql(sql, out.toString(), literals, balanced && depth == 0, java.util.Arrays.copyOf(markerOffsets, markers), ambiguity);
    }

    /** A string whose opening quote is at {@code quote}; {@code start} includes any prefix. */
    private int string(int start, int quote, String prefix) {
        if (afterString) {
            ambiguous("adjacent string literals, which the server joins into one");
        }
        char q = sql.charAt(quote);
        boolean escapes = syntax.backslashEscapes() && !prefix.equals("X") && !prefix.equals("B");
        StringBuilder value = new StringBuilder();
        int i = quote + 1;
        int end = -1;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == q) {
                if (i + 1 < n && sql.charAt(i + 1) == q) {
                    value.append(q);
                    i += 2;
                    continue;
                }
                end = i + 1;
                break;
            }
            if (c == '\\' && escapes && i + 1 < n) {
                value.append(unescape(sql.charAt(i + 1)));
                i += 2;
                continue;
            }
            value.append(c);
            i++;
        }
        if (end < 0) {
            ambiguous("a string that is not closed");
            end = n;
        }
        literal(new SqlLiteral(start, end, false, prefix, value.toString()));
        afterString = true;
        return end;
    }

    /** What a backslash followed by {@code c} stands for; {@code \%} and {@code \_} keep their backslash. */
    private static String unescape(char c) {
        return switch (c) {
            case '0' -> "\0";
            case 'b' -> "\b";
            case 'n' -> "\n";
            case 'r' -> "\r";
            case 't' -> "\t";
            case 'Z' -> "\u001a";
            case '%', '_' -> "\\" + c;
            default -> String.valueOf(c);
        };
    }

    private void literal(SqlLiteral literal) {
        if (out.length() > 0 && FastPathFilter.isWordChar(out.charAt(out.length() - 1))) {
            out.append(' '); // `x` then '0' must not read as the hex literal x'0'
        }
        String ordinal = Integer.toString(literals.size());
        if (literal.number()) {
            out.append(ordinal);
        } else {
            out.append('\'').append(ordinal).append('\'');
        }
        literals.add(literal);
    }

    /** A quoted identifier: copied as written; its quote doubled inside stands for itself. */
    private int identifier(int start, char q) {
        token();
        int i = start + 1;
        while (i < n) {
            if (sql.charAt(i) == q) {
                if (i + 1 < n && sql.charAt(i + 1) == q) {
                    i += 2;
                    continue;
                }
                out.append(sql, start, i + 1);
                return i + 1;
            }
            i++;
        }
        ambiguous("a quoted name that is not closed");
        out.append(sql, start, n);
        return n;
    }

    private int lineComment(int i) {
        if (inExecutable) {
            ambiguous("a line comment inside an executable comment");
        }
        int end = sql.indexOf('\n', i);
        out.append(' ');
        return end < 0 ? n : end;
    }

    private int blockComment(int start) {
        int i = start + 2;
        if (inExecutable) {
            ambiguous("a comment inside an executable comment");
        } else if (i < n && sql.charAt(i) == '!') {
            return executable(start, i + 1);
        } else if (syntax.family() == SqlSyntax.Family.MARIADB && i + 1 < n && sql.charAt(i) == 'M' && sql.charAt(i + 1) == '!') {
            return executable(start, i + 2);
        }
        return skipComment(start);
    }

    /** An executable comment whose content (after any version number) starts at {@code content}. */
    private int executable(int start, int content) {
        int i = content;
        while (i < n && isDigit(sql.charAt(i))) {
            i++;
        }
        int digits = i - content;
        boolean runs = true;
        if (digits == 5 || digits == 6 && syntax.family() == SqlSyntax.Family.MARIADB) {
            runs = Long.parseLong(sql.substring(content, i)) <= syntax.version();
        } else if (digits != 0) {
            ambiguous("an executable comment whose version number has " + digits + " digits");
        }
        if (!runs) {
            return skipComment(start);
        }
        inExecutable = true;
        out.append(' ');
        return i;
    }

    /** A comment from {@code start} to the first {@code *}{@code /}: comments do not nest here. */
    private int skipComment(int start) {
        int end = sql.indexOf("*/", start + 2);
        out.append(' ');
        if (end < 0) {
            ambiguous("a comment that is not closed");
            return n;
        }
        return end + 2;
    }

    private int number(int start) {
        token();
        int i = start;
        if (sql.charAt(i) == '0' && i + 1 < n && (sql.charAt(i + 1) | 0x20) == 'x' || sql.charAt(i) == '0' && i + 1 < n && (sql.charAt(i + 1) | 0x20) == 'b') {
            int end = skipWord(i);
            String prefix = (sql.charAt(i + 1) | 0x20) == 'x' ? "0X" : "0B";
            if (end > i + 2 && digitsOnly(i + 2, end, prefix.equals("0X") ? 16 : 2)) {
                literal(new SqlLiteral(start, end, false, prefix, sql.substring(i + 2, end)));
                return end;
            }
        }
        while (i < n && isDigit(sql.charAt(i))) {
            i++;
        }
        if (i < n && sql.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(sql.charAt(i))) {
                i++;
            }
        }
        if (i < n && (sql.charAt(i) | 0x20) == 'e') {
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
            // 1abc: a name that starts with digits
            int end = skipWord(start);
            out.append(sql, start, end);
            return end;
        }
        literal(new SqlLiteral(start, i, true, "", sql.substring(start, i)));
        return i;
    }

    private boolean digitsOnly(int from, int to, int radix) {
        for (int i = from; i < to; i++) {
            if (Character.digit(sql.charAt(i), radix) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A word: a keyword or name, or the prefix of a string ({@code N'..'}, {@code _utf8mb4'..'}). */
    private int word(int start) {
        int end = skipWord(start);
        if (end < n) {
            char next = sql.charAt(end);
            String word = sql.substring(start, end).toUpperCase(Locale.ROOT);
            boolean quote = next == '\'' || next == '"' && !syntax.ansiQuotes();
            if (next == '\'' && (word.equals("X") || word.equals("B")) || quote && (word.equals("N") || word.charAt(0) == '_')) {
                return string(start, end, word);
            }
        }
        token();
        out.append(sql, start, end);
        return end;
    }

    private int skipWord(int i) {
        while (i < n && FastPathFilter.isWordChar(sql.charAt(i))) {
            i++;
        }
        return i;
    }

    private boolean afterWord(int i) {
        return i > 0 && FastPathFilter.isWordChar(sql.charAt(i - 1));
    }

    /** A token that is not a string: the next string is not adjacent to an earlier one. */
    private void token() {
        afterString = false;
    }

    private void ambiguous(String why) {
        if (ambiguity == null) {
            ambiguity = why;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
