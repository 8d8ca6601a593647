package dev.veil;

import java.sql.SQLException;

/**
 * The one exception type Veil throws. Its SQLState comes from {@link VeilState}.
 *
 * <p>Messages name files, lines, columns, key ids and statement positions; they never contain a
 * plaintext value, a ciphertext or key material.
 */
public class VeilException extends SQLException {
    private final VeilState state;

    public VeilException(VeilState state, String message) {
        super(message, state.sqlState());
        this.state = state;
    }

    public VeilException(VeilState state, String message, Throwable cause) {
        super(message, state.sqlState(), cause);
        this.state = state;
    }

    /** The documented state; {@link #getSQLState()} returns its code. */
    public VeilState state() {
        return state;
    }
}
