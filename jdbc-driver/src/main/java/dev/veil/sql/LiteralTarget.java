package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

/**
 * A literal in the SQL text that goes to (or is compared with) an encrypted column and must be
 * replaced by its ciphertext literal before the statement is sent.
 *
 * @param start offset of the literal's first character (its opening quote, for strings) in the SQL text
 * @param end offset just past its last character
 * @param column the column whose cipher encrypts it
 * @param value the literal's value with SQL quoting removed ({@code 'O''Brien'} gives {@code O'Brien});
 *        numbers as written
 * @param lookup {@link LookupForm#NONE} for a value written into the column, else the shape of the
 *        comparison it takes part in
 * @param from where the text replaced starts: {@code start}, or for {@link LookupForm#EQUALS} and
 *        {@link LookupForm#NOT_EQUALS} the offset of the operator, which is replaced with the literal
 */
public record LiteralTarget(int start, int end, ColumnPolicy column, String value, LookupForm lookup, int from) {

    public LiteralTarget(int start, int end, ColumnPolicy column, String value) {
        this(start, end, column, value, LookupForm.NONE, start);
    }

    @Override
    public String toString() {
        // the value is plaintext: never print it
        return "LiteralTarget[" + start + ".." + end + " -> " + column.column() + "]";
    }
}
