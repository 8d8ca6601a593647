package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ValueCodec;
import dev.veil.search.RangeOrder;
import dev.veil.search.SearchCapability;
import dev.veil.search.SearchText;
import dev.veil.search.SearchTokens;
import dev.veil.search.VersionTokens;
import dev.veil.sql.LikePattern;
import dev.veil.sql.SearchPredicate;
import dev.veil.sql.SearchSql;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * How one search predicate is answered for its operand values: which arm of its condition, with
 * which tokens, whether the index answers it exactly, and (when it does not) the test Veil applies
 * to each candidate row's decrypted value.
 *
 * @param arm the arm, or {@code null} when no row can match (an operand is NULL)
 * @param tokens for {@link SearchSql.Arm#SUBSTRING} one list per version, else one list of every version's tokens
 * @param exact whether every row the condition matches satisfies the predicate
 * @param test whether a decrypted value satisfies the predicate (never {@code null})
 * @param why when not exact, what makes the index over-match, for refusals
 */
record SearchDecision(SearchSql.Arm arm, List<List<byte[]>> tokens, boolean exact, Predicate<Object> test, String why) {

    /** No row matches: {@code col LIKE NULL}, {@code col < NULL}. */
    static final SearchDecision NONE = new SearchDecision(null, List.of(), true, v -> false, null);

    /**
     * Decides how to answer {@code p} for the given operand values.
     *
     * @param low the pattern, value or lower bound as bound or written ({@code null}: SQL NULL)
     * @param high the upper bound of a range
     * @throws VeilException {@code VE006} for a shape the column's capabilities cannot serve, {@code VE008}
     *         for a value that does not convert, {@code 22025} for a malformed pattern, key errors
     */
    static SearchDecision of(SearchPredicate p, Object low, Object high, SearchTokens tokens) throws VeilException {
        return switch (p.kind()) {
            case LIKE -> low == null ? NONE : like(p, text(p, low), tokens);
            case ILIKE -> low == null ? NONE : ilike(p, text(p, low), tokens);
            case CI_EQUALS -> low == null ? NONE : ci(text(p, low), tokens);
            case RANGE -> p.low() != null && low == null || p.high() != null && high == null ? NONE : range(p, low, high, tokens);
        };
    }

    private static String text(SearchPredicate p, Object v) throws VeilException {
        return (String) ValueCodec.canonical(p.column().type(), v, p.column().column());
    }

    private static LikePattern pattern(SearchPredicate p, String pattern) throws VeilException {
        try {
            return LikePattern.parse(pattern, p.escape());
        } catch (IllegalArgumentException e) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, p.column().column() + ": invalid LIKE pattern or ESCAPE ("
                    + e.getMessage() + ")");
        }
    }

    private static SearchDecision like(SearchPredicate p, String text, SearchTokens tokens) throws VeilException {
        LikePattern pattern = pattern(p, text);
        Predicate<Object> test = v -> v != null && pattern.matches((String) v);
        boolean prefix = p.column().searchable(SearchCapability.PREFIX);
        boolean substring = p.column().searchable(SearchCapability.SUBSTRING);
        String lead = pattern.literalPrefix();
        if (pattern.isPrefix()) {
            if (lead.isEmpty()) {
                return new SearchDecision(SearchSql.Arm.ALL, List.of(), true, test, null); // LIKE '%': every non-null value
            }
            if (prefix) {
                boolean exact = tokens.prefixExact(lead);
                return new SearchDecision(SearchSql.Arm.PREFIX, List.of(flat(tokens.prefixQuery(lead))), exact, test,
                        exact ? null : "the prefix is longer than the indexed prefixes, or the prefix tokens are shortened");
            }
        }
        if (prefix && !lead.isEmpty()) {
            return new SearchDecision(SearchSql.Arm.PREFIX, List.of(flat(tokens.prefixQuery(lead))), false, test,
                    "only the pattern's leading literal is looked up in the prefix index");
        }
        if (substring) {
            List<List<byte[]>> perVersion = new ArrayList<>();
            for (String run : pattern.literalRuns()) {
                List<VersionTokens> grams = tokens.substringQuery(run);
                for (int v = 0; v < grams.size(); v++) {
                    if (perVersion.size() <= v) {
                        perVersion.add(new ArrayList<>());
                    }
                    perVersion.get(v).addAll(grams.get(v).tokens());
                }
            }
            if (!perVersion.isEmpty() && !perVersion.get(0).isEmpty()) {
                if (perVersion.size() > SearchSql.VERSION_SLOTS) {
                    throw tooManyVersions(p, perVersion.size());
                }
                return new SearchDecision(SearchSql.Arm.SUBSTRING, perVersion, false, test,
                        "n-grams say which fragments a value holds, not where");
            }
        }
        if (!prefix && !substring || !substring && !pattern.isLiteral() && lead.isEmpty()) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, p.column().column() + ": this LIKE pattern (one that does not start "
                    + "with its literal text) cannot be served by the prefix index; add substring to the column's search: entry, "
                    + "or search by a leading literal ('abc%')");
        }
        return new SearchDecision(SearchSql.Arm.ALL, List.of(), false, test,
                "the pattern has no literal part the index holds, so every row is a candidate");
    }

    private static SearchDecision ilike(SearchPredicate p, String text, SearchTokens tokens) throws VeilException {
        LikePattern pattern = pattern(p, text);
        if (!pattern.isLiteral()) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, p.column().column() + ": ILIKE with wildcards (% or _) cannot be "
                    + "served by the search index; search: [ci] serves ILIKE without wildcards and lower(col) = lower(?), and "
                    + "prefix / substring serve case-sensitive LIKE");
        }
        return ci(pattern.literalPrefix(), tokens);
    }

    private static SearchDecision ci(String value, SearchTokens tokens) throws VeilException {
        String folded = SearchText.foldCase(value);
        boolean exact = tokens.ciExact();
        return new SearchDecision(SearchSql.Arm.CI, List.of(flat(tokens.ciQuery(value))), exact,
                v -> v != null && SearchText.foldCase((String) v).equals(folded), exact ? null : "the ci tokens are shortened");
    }

    private static SearchDecision range(SearchPredicate p, Object low, Object high, SearchTokens tokens) throws VeilException {
        RangeOrder order = new RangeOrder(p.column());
        OptionalLong lo = low == null ? OptionalLong.of(0) : order.lowerKey(low, p.lowInclusive());
        OptionalLong hi = high == null ? OptionalLong.of(-1L) : order.upperKey(high, p.highInclusive());
        Predicate<Object> test = v -> {
            if (v == null || lo.isEmpty() || hi.isEmpty()) {
                return false;
            }
            long k;
            try {
                k = order.storedKey(v);
            } catch (VeilException e) {
                return false;
            }
            return Long.compareUnsigned(k, lo.getAsLong()) >= 0 && Long.compareUnsigned(k, hi.getAsLong()) <= 0;
        };
        boolean exact = tokens.rangeExact();
        return new SearchDecision(SearchSql.Arm.RANGE, List.of(flat(tokens.rangeQuery(low, p.lowInclusive(), high, p.highInclusive()))),
                exact, test, exact ? null : "range buckets are wider than one value at their edges, or the range tokens are shortened");
    }

    private static List<byte[]> flat(List<VersionTokens> perVersion) {
        List<byte[]> out = new ArrayList<>();
        perVersion.forEach(v -> out.addAll(v.tokens()));
        return out;
    }

    private static VeilException tooManyVersions(SearchPredicate p, int versions) {
        return new VeilException(VeilState.UNSUPPORTED_SQL, "a search on " + p.column().column() + " must match " + versions
                + " data-key versions of ring '" + p.column().keyRing() + "', more than the " + SearchSql.VERSION_SLOTS
                + " a statement has room for; finish the rekey (veil rekey) and retire old versions (veil keys retire)");
    }

    /** The refusal of an inexact answer where Veil cannot drop the over-matched rows. */
    VeilException notExact(SearchPredicate p) {
        return new VeilException(VeilState.UNSUPPORTED_SQL, p.column().column() + ": the search index can match rows that do "
                + "not satisfy this " + p.kind().name().replace('_', ' ') + " (" + why + "), and Veil cannot drop them here: "
                + "the statement limits, counts, aggregates, joins, ORs or sub-selects rows, or changes them. Run it as a plain "
                + "SELECT of one table (Veil then filters the rows), or make it exact (a LIKE 'abc%' prefix within the "
                + "indexed length, full-length tokens)");
    }

    @Override
    public String toString() {
        return "SearchDecision[" + arm + ", exact=" + exact + "]";
    }
}
