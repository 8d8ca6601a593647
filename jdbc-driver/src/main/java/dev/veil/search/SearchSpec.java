package dev.veil.search;

import java.util.EnumSet;
import java.util.Set;

/**
 * The search capabilities a column's policy opts into, with their parameters. Each part is
 * {@code null} when the column lacks that capability; {@link #NONE} has none.
 *
 * <p>{@code bits} is the token length of a capability: {@link #EXACT_BITS} (the default) keeps
 * 128 bits, so distinct inputs practically never share a token and an index hit is exact; a
 * shorter planned length makes unrelated values share tokens on purpose (so the database cannot
 * tell them apart), and every query on it is then filtered by Veil after decryption.
 *
 * @param prefix leading substrings, or {@code null}
 * @param substring n-grams, or {@code null}
 * @param ci case-insensitive equality, or {@code null}
 * @param range order buckets, or {@code null}
 */
public record SearchSpec(Prefix prefix, Substring substring, CaseInsensitive ci, Range range) {
    /** Token length when the policy names none: 128 bits. */
    public static final int EXACT_BITS = 128;
    /** The shortest token length a policy may plan. */
    public static final int MIN_BITS = 8;
    /** A column without search capabilities. */
    public static final SearchSpec NONE = new SearchSpec(null, null, null, null);

    /**
     * {@code prefix: { max, bits }}: prefixes of 1..{@code max} code points are indexed.
     *
     * @param max the longest indexed prefix, in code points (default {@link #DEFAULT_MAX})
     * @param bits token length
     */
    public record Prefix(int max, int bits) {
        public static final int DEFAULT_MAX = 8;
        public static final int LIMIT = 64;
    }

    /**
     * {@code substring: { ngram, bits }}: every distinct run of {@code ngram} code points is indexed.
     *
     * @param ngram gram length in code points (default {@link #DEFAULT_NGRAM})
     * @param bits token length
     */
    public record Substring(int ngram, int bits) {
        public static final int DEFAULT_NGRAM = 3;
        public static final int LIMIT = 16;
    }

    /**
     * {@code ci: { bits }}: one token of the value folded by {@link SearchText#foldCase}.
     *
     * @param bits token length
     */
    public record CaseInsensitive(int bits) {
    }

    /**
     * {@code range: { branch-bits, leaf-bits, bits }}: the value's 64-bit order key (see
     * {@link RangeOrder}) is indexed by the aligned buckets that contain it, one per level. Levels
     * cover the key {@code branch} bits at a time above the leaf; the leaf bucket holds
     * 2^{@code leaf} adjacent keys (0: every key its own bucket, so a range query is exact at its
     * edges).
     *
     * @param branch bits per level, 1..8 (default {@link #DEFAULT_BRANCH}: 16 buckets per parent)
     * @param leaf bits below the leaf level, 0..56 (default 0)
     * @param bits token length
     */
    public record Range(int branch, int leaf, int bits) {
        public static final int DEFAULT_BRANCH = 4;
        public static final int MAX_BRANCH = 8;
        public static final int MAX_LEAF = 56;

        /** The number of levels: how many tokens each value has. */
        public int levels() {
            return (64 - leaf + branch - 1) / branch;
        }
    }

    /** Whether the column has no search capability. */
    public boolean isEmpty() {
        return prefix == null && substring == null && ci == null && range == null;
    }

    /** Whether the column has {@code c}. */
    public boolean has(SearchCapability c) {
        return switch (c) {
            case PREFIX -> prefix != null;
            case SUBSTRING -> substring != null;
            case CI -> ci != null;
            case RANGE -> range != null;
        };
    }

    /** The capabilities the column has, in declaration order of {@link SearchCapability}. */
    public Set<SearchCapability> capabilities() {
        EnumSet<SearchCapability> s = EnumSet.noneOf(SearchCapability.class);
        for (SearchCapability c : SearchCapability.values()) {
            if (has(c)) {
                s.add(c);
            }
        }
        return s;
    }

    /**
     * The token length of {@code c} in bits.
     *
     * @throws IllegalArgumentException when the column lacks {@code c}
     */
    public int bits(SearchCapability c) {
        return switch (c) {
            case PREFIX -> require(prefix, c).bits();
            case SUBSTRING -> require(substring, c).bits();
            case CI -> require(ci, c).bits();
            case RANGE -> require(range, c).bits();
        };
    }

    /** Whether tokens of {@code c} are full length, so equal tokens mean equal inputs. */
    public boolean exactTokens(SearchCapability c) {
        return bits(c) == EXACT_BITS;
    }

    private static <T> T require(T part, SearchCapability c) {
        if (part == null) {
            throw new IllegalArgumentException("the column has no " + c.policyName() + " capability");
        }
        return part;
    }
}
