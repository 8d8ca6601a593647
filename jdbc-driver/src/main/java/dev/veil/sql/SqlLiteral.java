package dev.veil.sql;

/**
 * One literal found by {@link LiteralScanner}.
 *
 * @param start offset of its first character (the prefix or opening quote) in the original text
 * @param end offset just past it
 * @param number whether it is a numeric literal
 * @param prefix the string prefix ({@code E}, {@code N}, {@code X}, {@code B}, {@code U&}, {@code $tag$})
 *        in upper case, or the empty string for a plain quoted string or a number
 * @param value the value with quoting removed, or the number as written
 */
record SqlLiteral(int start, int end, boolean number, String prefix, String value) {
    @Override
    public String toString() {
        // the value is plaintext: never print it
        return "SqlLiteral[" + start + ".." + end + "]";
    }
}
