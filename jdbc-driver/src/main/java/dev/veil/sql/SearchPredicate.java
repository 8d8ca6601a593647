package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.search.SearchCapability;

import java.util.List;
import java.util.Map;

/**
 * A predicate on a searchable encrypted column that Veil answers from the column's companion
 * index instead of refusing it: {@code LIKE}, {@code ILIKE} without wildcards,
 * {@code lower(col) = lower(?)}, and {@code BETWEEN}, {@code <}, {@code <=}, {@code >},
 * {@code >=}. The text from {@link #start} to {@link #end} (the whole predicate) is sent as a
 * condition on the companion columns; which tokens it carries, and whether rows must then be
 * filtered, depends on the operand values, so it is decided when the statement runs.
 *
 * <p>Predicates stand only where a row that matches them is kept and one that does not is
 * dropped: in WHERE or ON, under AND and OR only. Under NOT, in CASE or in a select list the
 * companion condition would not mean what the predicate means, so they are refused there.
 *
 * @param column the searchable column
 * @param kind the predicate's form
 * @param columnSql the column reference as written (for {@code IS NOT NULL})
 * @param companions the companion columns the condition is sent on, by capability, qualified as the
 *        column was ({@code "o1_0.last_name_veil_prefix"}): those the column has and its relation exposes
 * @param low the pattern or value ({@link Kind#LIKE}, {@link Kind#ILIKE}, {@link Kind#CI_EQUALS}), or
 *        the lower bound of a range ({@code null}: none)
 * @param lowInclusive whether a range's lower bound is included
 * @param high the upper bound of a range ({@code null}: none)
 * @param highInclusive whether a range's upper bound is included
 * @param escape the LIKE escape character ({@code null}: PostgreSQL's default backslash; empty: none)
 * @param start offset of the predicate's first character in the SQL text
 * @param end offset just past it
 * @param resultColumn when rows can be filtered after the query, the (1-based) result column that
 *        holds the column's value of the same row; 0 when they cannot (a LIMIT, an aggregate, an
 *        OR, a sub-query...), so the predicate must be exact or is refused
 */
public record SearchPredicate(ColumnPolicy column, Kind kind, String columnSql, Map<SearchCapability, String> companions, Operand low,
                              boolean lowInclusive, Operand high, boolean highInclusive, String escape, int start, int end,
                              int resultColumn) {

    public SearchPredicate {
        companions = Map.copyOf(companions);
    }

    /** The form of a search predicate. */
    public enum Kind {
        /** {@code col LIKE pattern [ESCAPE 'c']}. */
        LIKE,
        /** {@code col ILIKE pattern} (served without wildcards only). */
        ILIKE,
        /** {@code lower(col) = lower(value)} or {@code upper(col) = upper(value)}. */
        CI_EQUALS,
        /** {@code BETWEEN}, {@code <}, {@code <=}, {@code >}, {@code >=}. */
        RANGE
    }

    /**
     * A value of the predicate: application parameter {@code parameter} (1-based), or a literal.
     *
     * @param parameter the parameter number, or 0 for a literal
     * @param literal the literal's value with quoting removed (a minus sign in front of a negative
     *        number), or {@code null} for a parameter
     */
    public record Operand(int parameter, String literal) {
        public boolean isParameter() {
            return parameter > 0;
        }

        @Override
        public String toString() {
            return isParameter() ? "?" + parameter : "literal"; // never the value
        }
    }

    /** The operands, low first; absent ones left out. */
    public List<Operand> operands() {
        return low == null ? high == null ? List.of() : List.of(high) : high == null ? List.of(low) : List.of(low, high);
    }

    /** Whether every operand is a parameter-free literal, so the condition can be written into the text. */
    public boolean literalOnly() {
        // checked on every run of a searching statement: no list, no stream
        return (low == null || !low.isParameter()) && (high == null || !high.isParameter());
    }

    /** Whether Veil can drop over-matching rows after the query by decrypting {@link #resultColumn}. */
    public boolean filterable() {
        return resultColumn > 0;
    }

    /** The same predicate with its result column set (0: not filterable). */
    SearchPredicate withResultColumn(int index) {
        return new SearchPredicate(column, kind, columnSql, companions, low, lowInclusive, high, highInclusive, escape, start, end,
                index);
    }

    @Override
    public String toString() {
        return "SearchPredicate[" + column.column() + " " + kind + " " + operands() + "]";
    }
}
