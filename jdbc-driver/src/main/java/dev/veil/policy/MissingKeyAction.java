package dev.veil.policy;

/**
 * What reading an encrypted column gives when this process lacks the column's data key: its
 * master key is not available here, cannot unwrap the data key, or the key is not in the key
 * table. Never applied to values that fail authentication (tampering stays an error).
 */
public enum MissingKeyAction {
    /** Fail with the key error ({@code VE002}, {@code VE003} or {@code VE010}). */
    ERROR("error"),
    /** Read SQL NULL. */
    NULL("null"),
    /** Read {@link #MASK} for string columns and SQL NULL for other types. */
    MASK("mask");

    /** What a masked string column reads. */
    public static final String MASK_TEXT = "****";

    private final String policyName;

    MissingKeyAction(String policyName) {
        this.policyName = policyName;
    }

    /** The name used in policy files. */
    public String policyName() {
        return policyName;
    }
}
