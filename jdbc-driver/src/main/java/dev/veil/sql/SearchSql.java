package dev.veil.sql;

import dev.veil.search.SearchCapability;

import java.util.HexFormat;
import java.util.List;

/**
 * The condition on companion columns a {@link SearchPredicate} is sent as (PostgreSQL). Written
 * so the indexes serve it: {@code prefix && tokens} and {@code sub @> tokens} on GIN,
 * {@code ci = ANY(tokens)} on btree, {@code range && tokens} on GIN.
 *
 * <p>A {@code LIKE} with a parameter cannot know its pattern's shape before it is bound, so it is
 * sent with one guarded arm per way of answering it, each switched on or off by a boolean
 * parameter ({@link #withMarkers}); PostgreSQL plans such statements per execution with the
 * values, so the arms switched off vanish from the plan:
 * <pre>
 * ((?::boolean AND col IS NOT NULL)                                 every non-null row
 *  OR (?::boolean AND q.col_veil_prefix &amp;&amp; ?::bytea[])                  prefix (if the column has it)
 *  OR (?::boolean AND (q.col_veil_sub @&gt; ?::bytea[] OR … per version)))  substring (if the column has it)
 * </pre>
 */
public final class SearchSql {
    /** Substring arms per version: the most data-key versions a lookup matches. */
    public static final int VERSION_SLOTS = StatementPlan.LOOKUP_SLOTS;

    private SearchSql() {
    }

    /** How a predicate is answered when it runs. */
    public enum Arm {
        /** Every non-null value is a candidate (a pattern with no usable literal part). */
        ALL,
        /** Prefix tokens, any of them ({@code &&}). */
        PREFIX,
        /** Per version, all of its n-gram tokens ({@code @>}), versions OR-ed. */
        SUBSTRING,
        /** Case-folded equality ({@code = ANY}). */
        CI,
        /** Range buckets, any of them ({@code &&}). */
        RANGE
    }

    /** How many parameter markers {@link #withMarkers} has. */
    public static int markers(SearchPredicate p) {
        if (p.kind() != SearchPredicate.Kind.LIKE) {
            return 1;
        }
        int n = 1;
        if (p.column().searchable(SearchCapability.PREFIX)) {
            n += 2;
        }
        if (p.column().searchable(SearchCapability.SUBSTRING)) {
            n += 1 + VERSION_SLOTS;
        }
        return n;
    }

    /** The condition with parameter markers, bound when the statement runs. */
    public static String withMarkers(SearchPredicate p) {
        return switch (p.kind()) {
            case ILIKE, CI_EQUALS -> companion(p, SearchCapability.CI) + " = ANY(?::bytea[])";
            case RANGE -> companion(p, SearchCapability.RANGE) + " && ?::bytea[]";
            case LIKE -> {
                StringBuilder sb = new StringBuilder("((?::boolean AND ").append(p.columnSql()).append(" IS NOT NULL)");
                if (p.column().searchable(SearchCapability.PREFIX)) {
                    sb.append(" OR (?::boolean AND ").append(companion(p, SearchCapability.PREFIX)).append(" && ?::bytea[])");
                }
                if (p.column().searchable(SearchCapability.SUBSTRING)) {
                    sb.append(" OR (?::boolean AND (");
                    for (int i = 0; i < VERSION_SLOTS; i++) {
                        sb.append(i == 0 ? "" : " OR ").append(companion(p, SearchCapability.SUBSTRING)).append(" @> ?::bytea[]");
                    }
                    sb.append("))");
                }
                yield sb.append(')').toString();
            }
        };
    }

    /**
     * The condition with its tokens written in, for a predicate whose operands are literals.
     *
     * @param tokens for {@link Arm#SUBSTRING} one list per version; otherwise one list (of every version)
     */
    public static String inline(SearchPredicate p, Arm arm, List<List<byte[]>> tokens) {
        return switch (arm) {
            case ALL -> "(" + p.columnSql() + " IS NOT NULL)";
            case PREFIX -> "(" + companion(p, SearchCapability.PREFIX) + " && " + array(tokens.get(0)) + ")";
            case CI -> "(" + companion(p, SearchCapability.CI) + " = ANY(" + array(tokens.get(0)) + "))";
            case RANGE -> "(" + companion(p, SearchCapability.RANGE) + " && " + array(tokens.get(0)) + ")";
            case SUBSTRING -> {
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < tokens.size(); i++) {
                    sb.append(i == 0 ? "" : " OR ").append(companion(p, SearchCapability.SUBSTRING)).append(" @> ").append(array(tokens.get(i)));
                }
                yield sb.append(')').toString();
            }
        };
    }

    /** The companion column of a predicate's column, qualified as the column was. */
    static String companion(SearchPredicate p, SearchCapability c) {
        return p.companions().get(c);
    }

    private static String array(List<byte[]> tokens) {
        if (tokens.isEmpty()) {
            return "'{}'::bytea[]";
        }
        StringBuilder sb = new StringBuilder("ARRAY[");
        for (int i = 0; i < tokens.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append("'\\x").append(HexFormat.of().formatHex(tokens.get(i))).append("'::bytea");
        }
        return sb.append("]").toString();
    }
}
