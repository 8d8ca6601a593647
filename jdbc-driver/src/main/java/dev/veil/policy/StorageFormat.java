package dev.veil.policy;

/** How the ciphertext is stored in the database column. */
public enum StorageFormat {
    /** A short text prefix plus base64, for text/varchar columns. */
    TEXT("text"),
    /** The raw envelope bytes, for bytea/BLOB/VARBINARY columns. */
    BINARY("binary");

    private final String policyName;

    StorageFormat(String policyName) {
        this.policyName = policyName;
    }

    public String policyName() {
        return policyName;
    }
}
