package dev.veil.sql;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, without parsing, whether a SQL text may involve an encrypted table: it looks for the
 * policy's table names as whole words, case-insensitively, anywhere in the text.
 *
 * <p>It errs on the side of "yes": a name inside a string literal, a comment or a quoted identifier
 * of different case also counts. A false "yes" only costs a parse; a false "no" would leak, so the
 * scan must never miss a real reference.
 */
final class FastPathFilter {
    /** Characters that can continue an unquoted identifier; a table lookup keeps the scan cheap. */
    private static final boolean[] WORD = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            WORD[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$';
        }
    }

    /** Names by their lower-cased first character (ASCII); everything else in {@link #other}. */
    private final String[][] byFirstChar = new String[128][];
    private final String[] other;
    /** All names, for the {@link String#indexOf} search used when there are few. */
    private final String[] names;

    /**
     * Up to this many names, lower-casing the text once and searching each name with the JDK's
     * vectorised {@code indexOf} beats the character-by-character scan (about 2x on typical
     * statements); with more names, the scan's cost does not grow with their number.
     */
    private static final int INDEX_OF_LIMIT = 8;

    FastPathFilter(Collection<String> tableKeys) {
        List<List<String>> buckets = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            buckets.add(new ArrayList<>());
        }
        List<String> rest = new ArrayList<>();
        for (String key : tableKeys) {
            String name = key.toLowerCase(Locale.ROOT);
            char first = name.charAt(0);
            (first < 128 ? buckets.get(first) : rest).add(name);
        }
        for (int i = 0; i < 128; i++) {
            byFirstChar[i] = buckets.get(i).isEmpty() ? null : buckets.get(i).toArray(new String[0]);
        }
        other = rest.toArray(new String[0]);
        java.util.Set<String> lower = new java.util.LinkedHashSet<>();
        for (String k : tableKeys) {
            lower.add(k.toLowerCase(Locale.ROOT));
        }
        names = lower.toArray(new String[0]);
    }

    /** Whether the text names any policy table as a word. */
    boolean mayMention(String sql) {
        return names.length <= INDEX_OF_LIMIT ? search(sql) : scan(sql, null);
    }

    private boolean search(String sql) {
        // returns sql itself when it has no upper-case letters: no allocation for lower-case SQL
        String text = sql.toLowerCase(Locale.ROOT);
        int n = text.length();
        for (String name : names) {
            int at = text.indexOf(name);
            while (at >= 0) {
                int end = at + name.length();
                if ((at == 0 || !isWordChar(text.charAt(at - 1))) && (end == n || !isWordChar(text.charAt(end)))) {
                    return true;
                }
                at = text.indexOf(name, at + 1);
            }
        }
        return false;
    }

    /** The policy table names (lower case) the text names as words, in order of first mention. */
    Set<String> mentioned(String sql) {
        Set<String> found = new LinkedHashSet<>();
        scan(sql, found);
        return found;
    }

    private boolean scan(String sql, Set<String> found) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (!isWordChar(c)) {
                i++;
                continue;
            }
            String[] candidates = candidates(c);
            if (candidates != null) {
                for (String name : candidates) {
                    int end = i + name.length();
                    if (end <= n && sql.regionMatches(true, i, name, 0, name.length())
                            && (end == n || !isWordChar(sql.charAt(end)))) {
                        if (found == null) {
                            return true;
                        }
                        found.add(name);
                    }
                }
            }
            // skip the rest of this word: names only match at word starts
            i++;
            while (i < n && isWordChar(sql.charAt(i))) {
                i++;
            }
        }
        return found != null && !found.isEmpty();
    }

    private String[] candidates(char c) {
        if (c < 128) {
            return byFirstChar[c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c];
        }
        return other.length == 0 ? null : other;
    }

    static boolean isWordChar(char c) {
        return c < 128 ? WORD[c] : Character.isLetterOrDigit(c);
    }
}
