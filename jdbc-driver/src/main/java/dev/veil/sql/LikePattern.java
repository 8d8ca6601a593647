package dev.veil.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A SQL {@code LIKE} pattern read as PostgreSQL reads it: {@code %} matches any run of characters,
 * {@code _} exactly one, and the escape character (backslash unless {@code ESCAPE} names another;
 * none with {@code ESCAPE ''}) makes the next character literal. Characters are Unicode code
 * points, compared exactly (case-sensitively). Immutable; never prints the pattern.
 */
public final class LikePattern {
    /** Pattern elements: a code point {@code >= 0}, or {@link #ANY} ({@code %}) or {@link #ONE} ({@code _}). */
    private static final int ANY = -1;
    private static final int ONE = -2;
    private final int[] elements;

    private LikePattern(int[] elements) {
        this.elements = elements;
    }

    /**
     * Reads a pattern.
     *
     * @param pattern the pattern text
     * @param escape the ESCAPE clause's value; {@code null} for the default (backslash)
     * @throws IllegalArgumentException when the escape is more than one character or the pattern
     *         ends with the escape character (PostgreSQL refuses both)
     */
    public static LikePattern parse(String pattern, String escape) {
        int esc;
        if (escape == null) {
            esc = '\\';
        } else if (escape.isEmpty()) {
            esc = -1;
        } else if (escape.codePointCount(0, escape.length()) == 1) {
            esc = escape.codePointAt(0);
        } else {
            throw new IllegalArgumentException("the ESCAPE string must be empty or one character");
        }
        int[] cps = pattern.codePoints().toArray();
        int[] out = new int[cps.length];
        int n = 0;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (c == esc) {
                if (++i >= cps.length) {
                    throw new IllegalArgumentException("a LIKE pattern must not end with the escape character");
                }
                out[n++] = cps[i];
            } else if (c == '%') {
                if (n == 0 || out[n - 1] != ANY) {
                    out[n++] = ANY;
                }
            } else {
                out[n++] = c == '_' ? ONE : c;
            }
        }
        return new LikePattern(java.util.Arrays.copyOf(out, n));
    }

    /** The literal characters before the first wildcard (all of them when there is none). */
    public String literalPrefix() {
        StringBuilder sb = new StringBuilder();
        for (int e : elements) {
            if (e < 0) {
                break;
            }
            sb.appendCodePoint(e);
        }
        return sb.toString();
    }

    /** Whether the pattern has no wildcard: it matches one string, {@link #literalPrefix()}. */
    public boolean isLiteral() {
        for (int e : elements) {
            if (e < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the pattern is a literal followed by one {@code %} and nothing else ({@code 'abc%'}, also {@code '%'}). */
    public boolean isPrefix() {
        int n = elements.length;
        if (n == 0 || elements[n - 1] != ANY) {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            if (elements[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The runs of literal characters between wildcards, in order (empty runs left out). */
    public List<String> literalRuns() {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int e : elements) {
            if (e >= 0) {
                sb.appendCodePoint(e);
            } else if (sb.length() > 0) {
                out.add(sb.toString());
                sb.setLength(0);
            }
        }
        if (sb.length() > 0) {
            out.add(sb.toString());
        }
        return out;
    }

    /** Whether {@code value} matches the pattern, as PostgreSQL's {@code LIKE} decides it. */
    public boolean matches(String value) {
        int[] s = value.codePoints().toArray();
        int p = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length) {
            if (p < elements.length && (elements[p] == ONE || elements[p] == s[i])) {
                p++;
                i++;
            } else if (p < elements.length && elements[p] == ANY) {
                star = p++;
                mark = i;
            } else if (star >= 0) {
                p = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (p < elements.length && elements[p] == ANY) {
            p++;
        }
        return p == elements.length;
    }

    @Override
    public String toString() {
        return "LikePattern[" + elements.length + " elements]"; // the pattern is plaintext: never print it
    }
}
