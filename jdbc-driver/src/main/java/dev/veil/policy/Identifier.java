package dev.veil.policy;

import java.util.Locale;

/**
 * A SQL identifier. A policy name written unquoted matches any spelling of the name regardless of
 * case; a quoted one ({@code "Name"}) matches only that exact text. Matching errs on the side of
 * treating a column as encrypted, which fails closed. {@link #key()} (lower case) indexes lookups.
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

    // equals and hashCode written out, as the record's own: part of cache keys asked for every statement

    @Override
    public boolean equals(Object o) {
        return o instanceof Identifier i && quoted == i.quoted && text.equals(i.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + (quoted ? 1 : 0);
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

    /** The name as PostgreSQL's catalog stores it: quoted as written, unquoted folded to lower case. */
    public String folded() {
        return quoted ? text : key();
    }

    /** The index key: the text in lower case. Two policy names with one key are ambiguous. */
    public String key() {
        return text.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a name as written in SQL or reported by the database ({@code "Name"} quoted, or
     * plain) denotes this policy identifier.
     */
    public boolean matches(String name) {
        String other = parse(name).text();
        return quoted ? text.equals(other) : text.equalsIgnoreCase(other);
    }

    @Override
    public String toString() {
        return quoted ? '"' + text + '"' : text;
    }
}
