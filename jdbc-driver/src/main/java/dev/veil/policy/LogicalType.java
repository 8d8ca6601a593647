package dev.veil.policy;

/**
 * The type of the plaintext a column holds, independent of how the ciphertext is stored. Encoding
 * is canonical per type, so deterministic ciphertexts do not depend on which setter the app used.
 */
public enum LogicalType {
    STRING("string", 1),
    BYTES("bytes", 2),
    /** Any integral value (short, int, long), stored as a 64-bit integer. */
    INTEGER("integer", 3),
    DECIMAL("decimal", 4),
    BOOLEAN("boolean", 5),
    DATE("date", 6),
    TIME("time", 7),
    /** A date and time without zone ({@code LocalDateTime}, {@code java.sql.Timestamp}). */
    TIMESTAMP("timestamp", 8),
    /** An instant ({@code Instant}, {@code OffsetDateTime}); read back in UTC. */
    TIMESTAMPTZ("timestamptz", 9),
    UUID("uuid", 10);

    private final String policyName;
    private final int code;

    LogicalType(String policyName, int code) {
        this.policyName = policyName;
        this.code = code;
    }

    /** The name used in policy files. */
    public String policyName() {
        return policyName;
    }

    /** A stable number bound into every ciphertext's associated data; never renumber. */
    public int code() {
        return code;
    }
}
