package dev.veil.bench;

import dev.veil.Veil;
import dev.veil.crypto.ColumnCipher;

/**
 * The ciphers of the workload's encrypted columns ({@link TpccSchema#ENCRYPTED}) as the HAND
 * mode's application holds them: obtained once from an engine over the same policy as VEIL's, and
 * applied by the application itself ({@link HandCrypto}). {@link #NONE} (every cipher {@code null})
 * is RAW's and VEIL's: they bind and read plaintext.
 */
record TpccCiphers(ColumnCipher cLast, ColumnCipher cStreet1, ColumnCipher cCity, ColumnCipher cPhone, ColumnCipher cData, ColumnCipher hData) {
    static final TpccCiphers NONE = new TpccCiphers(null, null, null, null, null, null);

    /** The ciphers the engine would use for the six columns. */
    static TpccCiphers of(Veil engine) {
        return new TpccCiphers(cipher(engine, "customer", "c_last"), cipher(engine, "customer", "c_street_1"), cipher(engine, "customer", "c_city"),
                cipher(engine, "customer", "c_phone"), cipher(engine, "customer", "c_data"), cipher(engine, "history", "h_data"));
    }

    private static ColumnCipher cipher(Veil engine, String table, String column) {
        return engine.cipher(null, table, column).orElseThrow(() -> new IllegalStateException(table + "." + column + " is not in the policy"));
    }
}
