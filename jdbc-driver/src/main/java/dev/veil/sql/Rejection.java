package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;

/**
 * Thrown inside the analysis when a statement must be refused; turned into a {@link VeilException}
 * at the boundary. Unchecked so it can cross JSqlParser's visitors. Messages name columns and
 * reasons only, never a literal value.
 */
final class Rejection extends RuntimeException {
    private final VeilState state;

    Rejection(VeilState state, String message) {
        super(message, null, false, false);
        this.state = state;
    }

    /** The statement uses {@code column} in a way Veil cannot serve. */
    static Rejection unsupported(ColumnPolicy column, String reason) {
        return new Rejection(VeilState.UNSUPPORTED_SQL, name(column) + ": " + reason);
    }

    static Rejection unsupported(String message) {
        return new Rejection(VeilState.UNSUPPORTED_SQL, message);
    }

    /** {@code table.column} as the policy names it. */
    static String name(ColumnPolicy column) {
        return column.column().toString();
    }

    VeilState state() {
        return state;
    }

    VeilException toException() {
        return new VeilException(state, getMessage());
    }
}
