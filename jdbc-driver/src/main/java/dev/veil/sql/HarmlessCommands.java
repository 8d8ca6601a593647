package dev.veil.sql;

import java.util.Locale;
import java.util.Set;

/**
 * Recognises single commands that carry no values for encrypted columns (DDL, locks, maintenance),
 * so they pass through even when JSqlParser cannot parse them.
 */
final class HarmlessCommands {
    private static final Set<String> KEYWORDS = Set.of("alter", "drop", "truncate", "lock", "vacuum", "analyze",
            "cluster", "reindex", "refresh", "grant", "revoke", "comment", "discard", "checkpoint", "security");

    private HarmlessCommands() {
    }

    /**
     * Whether {@code normalized} (a text with literals replaced, see {@link ScannedSql}) is one
     * command starting with a harmless keyword. A {@code ;} anywhere but at the end disqualifies it,
     * so a harmless first command cannot carry a harmful second one.
     */
    static boolean isHarmless(String normalized) {
        String text = normalized.strip();
        while (text.endsWith(";")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        if (text.indexOf(';') >= 0) {
            return false;
        }
        int i = skipComments(text);
        int start = i;
        while (i < text.length() && FastPathFilter.isWordChar(text.charAt(i))) {
            i++;
        }
        String first = text.substring(start, i).toLowerCase(Locale.ROOT);
        if (KEYWORDS.contains(first)) {
            return true;
        }
        // CREATE [UNIQUE] INDEX, but not CREATE TABLE ... AS SELECT
        String rest = text.substring(i).strip().toLowerCase(Locale.ROOT);
        return first.equals("create") && (rest.startsWith("index") || rest.startsWith("unique index") || isPartition(rest));
    }

    /**
     * {@code [UNLOGGED] TABLE [IF NOT EXISTS] name PARTITION OF parent ...}: a new partition holds
     * no values, and once it exists the catalog snapshot protects it like its parent.
     */
    private static boolean isPartition(String rest) {
        String[] words = rest.split("\\s+", 9);
        int i = 0;
        if (i < words.length && words[i].equals("unlogged")) {
            i++;
        }
        if (i >= words.length || !words[i].equals("table")) {
            return false;
        }
        i++;
        if (i + 2 < words.length && words[i].equals("if") && words[i + 1].equals("not") && words[i + 2].equals("exists")) {
            i += 3;
        }
        return i + 2 < words.length && words[i + 1].equals("partition") && words[i + 2].equals("of");
    }

    /**
     * Whether a text starts with a command that may change which tables exist or what columns they
     * have ({@code CREATE}, {@code ALTER}, {@code DROP}, MySQL's {@code RENAME}). Runs for every
     * statement, so almost every text is answered by its first character.
     */
    static boolean mayChangeTables(String sql) {
        int i = skipComments(sql);
        if (i >= sql.length()) {
            return false;
        }
        String keyword = switch (sql.charAt(i) | 0x20) {
            case 'a' -> "alter";
            case 'c' -> "create";
            case 'd' -> "drop";
            case 'r' -> "rename";
            default -> null;
        };
        int end = keyword == null ? 0 : i + keyword.length();
        return keyword != null && sql.regionMatches(true, i, keyword, 0, keyword.length())
                && (end == sql.length() || !FastPathFilter.isWordChar(sql.charAt(end)));
    }

    /** The offset of the first character of {@code text} after leading whitespace and comments. */
    static int skipComments(String text) {
        int i = 0;
        while (i < text.length()) {
            if (Character.isWhitespace(text.charAt(i))) {
                i++;
            } else if (text.startsWith("--", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end + 1;
            } else if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? text.length() : end + 2;
            } else {
                break;
            }
        }
        return i;
    }
}
