package dev.veil.search;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.EncryptionMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The leakage budget of a searchable column: what the database learns from each capability, how
 * many unrelated rows are expected to share a token at the planned length, and a recommended
 * length for the table's size. Pure arithmetic and text; {@code veil policy check} feeds it row
 * counts.
 *
 * <p>The planning rule follows CipherSweet's coincidence budget: with {@code R} rows and
 * {@code b}-bit tokens, about {@code C = R / 2^b} rows share any one token by chance. A length is
 * in the safe band when {@code 2 ≤ C < √R}: every token then stands for at least two rows (so an
 * index hit does not single out a value), and few enough that decrypting and dropping the
 * coincidences stays cheap. Full-length tokens (128 bits) have {@code C ≈ 0}: the index is exact,
 * and the database learns exactly which rows share a prefix, gram, folded value or bucket.
 */
public final class LeakagePlanner {
    private LeakagePlanner() {
    }

    /** Expected rows sharing one token by chance: {@code rows / 2^bits}. */
    public static double coincidences(long rows, int bits) {
        return rows / Math.pow(2, bits);
    }

    /**
     * The longest token length (a multiple of 8, at least {@link SearchSpec#MIN_BITS}) whose
     * coincidences stay in the safe band for {@code rows}; {@code -1} when no length does (too few
     * rows: any token length then either singles out values or matches most of the table).
     */
    public static int recommendedBits(long rows) {
        for (int bits = SearchSpec.EXACT_BITS - 8; bits >= SearchSpec.MIN_BITS; bits -= 8) {
            double c = coincidences(rows, bits);
            if (c >= 2 && c < Math.sqrt(rows)) {
                return bits;
            }
        }
        return -1;
    }

    /** One capability's budget, as reported. */
    public record Budget(SearchCapability capability, int bits, int tokensPerValue, double coincidences, int recommendedBits,
                         String learns) {
        /** Whether the planned length is outside the safe band for a table of {@code rows} rows (exact tokens never are). */
        public boolean outsideBand(long rows) {
            double c = LeakagePlanner.coincidences(rows, bits);
            return bits != SearchSpec.EXACT_BITS && (c < 2 || c >= Math.sqrt(rows));
        }
    }

    /** The budget of every capability of {@code column} for a table of {@code rows} rows. */
    public static List<Budget> budgets(ColumnPolicy column, long rows) {
        SearchSpec s = column.search();
        List<Budget> out = new ArrayList<>();
        for (SearchCapability c : s.capabilities()) {
            int bits = s.bits(c);
            out.add(new Budget(c, bits, tokensPerValue(column, c), coincidences(rows, bits), recommendedBits(rows), learns(column, c)));
        }
        return out;
    }

    /** How many tokens one value has (at most). */
    static int tokensPerValue(ColumnPolicy column, SearchCapability c) {
        SearchSpec s = column.search();
        return switch (c) {
            case PREFIX -> s.prefix().max();
            case SUBSTRING -> -1; // length - n + 1 distinct grams at most
            case CI -> 1;
            case RANGE -> RangeOrder.levels(column.type(), s.range());
        };
    }

    /** What the database learns from a capability, in a sentence. */
    public static String learns(ColumnPolicy column, SearchCapability c) {
        SearchSpec s = column.search();
        return switch (c) {
            case PREFIX -> "which rows share their first 1.." + s.prefix().max() + " characters, and each value's length up to "
                    + s.prefix().max() + " (frequency analysis of first letters applies, as to any deterministic index)";
            case SUBSTRING -> "which rows share each " + s.substring().ngram() + "-character sequence, and how many distinct ones a value "
                    + "has (about its length); for short values the set of grams nearly spells the value";
            case CI -> "which rows are equal up to case (a deterministic index of the folded value: frequency analysis applies)";
            case RANGE -> "which rows share each bucket of " + bucketText(column) + " (equality of values"
                    + (s.range().leaf() == 0 ? "" : " within 2^" + s.range().leaf() + " keys") + " and how they cluster); "
                    + "with the ranges queries ask, the order of values can be reconstructed over time (attacks on "
                    + "order-revealing schemes)";
        };
    }

    private static String bucketText(ColumnPolicy column) {
        SearchSpec.Range r = column.search().range();
        return RangeOrder.levels(column.type(), r) + " nested sizes (2^" + r.leaf() + " to 2^" + RangeOrder.topLevel(column.type(), r) + " keys)";
    }

    /**
     * Warnings about capabilities that together reveal more than each alone, or that undo what the
     * column's mode promises.
     */
    public static List<String> combinationWarnings(ColumnPolicy column) {
        SearchSpec s = column.search();
        List<String> out = new ArrayList<>();
        if (s.prefix() != null && s.substring() != null) {
            out.add("prefix and substring together show each value's first characters and its set of "
                    + s.substring().ngram() + "-grams: chaining grams from the known start recovers much of a short value's text for "
                    + "anyone who can guess the language; keep only the one the application needs");
        }
        if (column.mode() == EncryptionMode.RANDOMIZED && (s.ci() != null || s.range() != null && s.range().leaf() == 0
                || s.prefix() != null && s.prefix().max() >= 32)) {
            out.add("the column is randomized, but " + (s.ci() != null ? "ci" : s.range() != null && s.range().leaf() == 0 ? "range"
                    : "prefix") + " with exact tokens shows which rows hold equal values, as a deterministic column would");
        }
        if (s.ci() != null && column.isDeterministic()) {
            out.add("ci on a deterministic column adds little: equal values were already visible; it also shows values equal up to case");
        }
        return out;
    }

    /** A short form of a double for reports: {@code 0}, {@code 3.9}, {@code 1.2e-33}. */
    public static String format(double d) {
        if (d == 0) {
            return "0";
        }
        return d >= 0.01 && d < 1e6 ? String.format(Locale.ROOT, "%.2f", d) : String.format(Locale.ROOT, "%.1e", d);
    }
}
