package dev.veil.policy;

import java.util.Locale;

/**
 * A SQL identifier with the usual folding rule: unquoted names compare case-insensitively, quoted
 * names ({@code "Name"}) exactly. {@link #key()} is the canonical form used for lookups.
 *
 * @param text the name without quotes
 * @param quoted whether it was written in double quotes (or back-quotes)
 */
public record Identifier(String text, boolean quoted) {

    public Identifier {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty identifier");
        }
    }

    /** Parses one identifier part, removing surrounding double quotes or back-quotes. */
    public static Identifier parse(String raw) {
        String s = raw.strip();
        if (s.length() >= 2 && (s.charAt(0) == '"' && s.endsWith("\"") || s.charAt(0) == '`' && s.endsWith("`"))) {
            String inner = s.substring(1, s.length() - 1);
            return new Identifier(s.charAt(0) == '"' ? inner.replace("\"\"", "\"") : inner.replace("``", "`"), true);
        }
        return new Identifier(s, false);
    }

    /** The lookup key: unquoted names folded to lower case, quoted names as written. */
    public String key() {
        return quoted ? text : text.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return quoted ? '"' + text + '"' : text;
    }
}
