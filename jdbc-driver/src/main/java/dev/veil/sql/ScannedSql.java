package dev.veil.sql;

import java.util.List;

/**
 * A SQL text with each literal replaced by a numbered placeholder, so the parse tree says which
 * literal of the original text every literal node stands for.
 *
 * @param original the text as the application wrote it
 * @param normalized the text with literal {@code i} replaced by {@code 'i'} (strings) or {@code i} (numbers)
 * @param literals the literals of {@code original}, in order of appearance
 * @param balanced whether parentheses outside literals, comments and quoted names balance
 * @param markerOffsets the offset in {@code original} of each {@code ?} that stands outside literals,
 *        comments and quoted names, in order (parameter {@code i} is at {@code markerOffsets[i - 1]})
 * @param ambiguity why the text cannot be read with certainty under its dialect's rules (a
 *        statement on an encrypted table with it is refused), or {@code null}
 */
record ScannedSql(String original, String normalized, List<SqlLiteral> literals, boolean balanced,
                  int[] markerOffsets, String ambiguity) {

    ScannedSql {
        literals = List.copyOf(literals);
    }

    ScannedSql(String original, String normalized, List<SqlLiteral> literals, boolean balanced, int[] markerOffsets) {
        this(original, normalized, literals, balanced, markerOffsets, null);
    }

    /** How many {@code ?} stand outside literals, comments and quoted names. */
    int parameterMarkers() {
        return markerOffsets.length;
    }

    /** The literal a placeholder value stands for, or {@code null} if the value is no placeholder. */
    SqlLiteral literal(String placeholder, boolean number) {
        int ordinal;
        try {
            ordinal = Integer.parseInt(placeholder);
        } catch (NumberFormatException e) {
            return null;
        }
        if (ordinal < 0 || ordinal >= literals.size() || literals.get(ordinal).number() != number) {
            return null;
        }
        return literals.get(ordinal);
    }
}
