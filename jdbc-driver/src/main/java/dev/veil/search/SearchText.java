package dev.veil.search;

import java.text.Normalizer;
import java.util.Locale;

/**
 * What the string capabilities index, defined once so that tokens, query operands and Veil's
 * client-side filter agree exactly.
 *
 * <ul>
 * <li>{@code prefix} and {@code substring} work on the value's code points as stored, without
 * normalisation: PostgreSQL's {@code LIKE} compares code points, and normalising would make a
 * value match a pattern it does not start with (or miss one it does).</li>
 * <li>{@code ci} compares {@link #foldCase folded} values: Unicode NFKC, then
 * {@code toLowerCase(Locale.ROOT)}. This is Veil's definition of case-insensitive equality; it
 * agrees with PostgreSQL's {@code lower()} on ASCII and on most letters under a UTF-8 locale, but
 * not everywhere (a database in the C locale folds ASCII only).</li>
 * </ul>
 */
public final class SearchText {
    private SearchText() {
    }

    /** The case-folded form {@code ci} tokens and Veil's filter compare: NFKC, then lower case (root locale). */
    public static String foldCase(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The first {@code n} code points of {@code s} (all of it when shorter). */
    public static String leadingCodePoints(String s, int n) {
        int count = s.codePointCount(0, s.length());
        return count <= n ? s : s.substring(0, s.offsetByCodePoints(0, n));
    }

    /** The number of code points of {@code s}. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }
}
