package dev.veil.policy;

/** How a column is encrypted. */
public enum EncryptionMode {
    /** AES-256-GCM with a random nonce: equal plaintexts give different ciphertexts; no lookups. */
    RANDOMIZED("randomized"),
    /** AES-256-GCM-SIV with a fixed nonce: equal plaintexts give equal ciphertexts, so equality works. */
    DETERMINISTIC("deterministic");

    private final String policyName;

    EncryptionMode(String policyName) {
        this.policyName = policyName;
    }

    /** The name used in policy files. */
    public String policyName() {
        return policyName;
    }
}
