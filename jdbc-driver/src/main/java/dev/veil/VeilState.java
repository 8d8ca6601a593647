package dev.veil;

/**
 * The stable SQLStates Veil reports, all in the implementation-defined class {@code VE}.
 *
 * <p>Codes are part of Veil's public contract: applications and operators may match on them, so a
 * code is never reused for a different meaning. README.md lists them with what to do about each.
 */
public enum VeilState {
    /** The policy file cannot be read or is invalid; the message names file, line and column. */
    POLICY_INVALID("VE001"),
    /** The master key cannot be used: keystore missing or unreadable, wrong password, HSM unreachable. */
    MASTER_KEY_UNAVAILABLE("VE002"),
    /** A ciphertext names a data key that is not in the key store. */
    KEY_NOT_FOUND("VE003"),
    /** A ciphertext names a data key that was destroyed (crypto-shredded). */
    KEY_DESTROYED("VE004"),
    /** A value failed authentication: tampered, truncated, or copied from another column. */
    DECRYPTION_FAILED("VE005"),
    /** A statement uses an encrypted column in a way Veil cannot serve safely. */
    UNSUPPORTED_SQL("VE006"),
    /** A statement that may touch an encrypted table could not be parsed. */
    UNPARSEABLE_SQL("VE007"),
    /** A value cannot be converted to or from the column's declared logical type. */
    VALUE_CONVERSION("VE008"),
    /** The data-key store cannot be read or written. */
    KEY_STORE_FAILURE("VE009"),
    /** A data key could not be wrapped or unwrapped by the master key. */
    KEY_UNWRAP_FAILED("VE010"),
    /**
     * Veil's configuration (connection properties, URL) is invalid, or a connection's link to the
     * database does not satisfy the policy's {@code transport} section (not TLS, the driver not set
     * to verify the server, an older TLS version); the message names the setting.
     */
    CONFIGURATION_INVALID("VE011"),
    /** A key operation was refused: the key still protects rows, or is its ring's active key. */
    KEY_IN_USE("VE012"),
    /**
     * A bulk job (migrate, rekey, verify) or an operator command could not read or write the
     * application's tables; the message names the job, the table and what to check, and the
     * database's own message is the exception's cause. Bulk jobs resume after their last
     * committed batch when run again.
     */
    JOB_FAILED("VE013");

    private final String sqlState;

    VeilState(String sqlState) {
        this.sqlState = sqlState;
    }

    /** The five-character SQLState, for example {@code VE005}. */
    public String sqlState() {
        return sqlState;
    }
}
