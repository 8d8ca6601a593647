package dev.veil.cli.inventory;

import java.util.List;

/**
 * The algorithms Veil uses, with what a CycloneDX 1.6 {@code algorithmProperties} says of them.
 * Security levels are in bits (classical) and NIST categories (quantum: 5 for AES-256, whose
 * best known quantum attack is key search).
 *
 * @param ref the inventory's {@code bom-ref}
 * @param name the algorithm as the inventory names it
 * @param primitive CycloneDX primitive ({@code ae}, {@code mac}, …)
 * @param mode CycloneDX mode ({@code gcm}, or {@code other} for modes the schema has no name for)
 * @param oid the object identifier, or {@code null} where none is assigned
 * @param functions CycloneDX crypto functions Veil uses it for
 * @param classicalBits classical security level
 * @param quantumCategory NIST quantum security category, or {@code null}
 * @param use what Veil uses it for, in words
 */
record CryptoAlgorithm(String ref, String name, String primitive, String mode, String oid, List<String> functions,
                       int classicalBits, Integer quantumCategory, String use) {
    /** Randomized columns: 96-bit random nonce, 128-bit tag. */
    static final CryptoAlgorithm AES_256_GCM = new CryptoAlgorithm("algorithm:aes-256-gcm", "AES-256-GCM", "ae", "gcm",
            "2.16.840.1.101.3.4.1.46", List.of("encrypt", "decrypt"), 256, 5,
            "randomized columns: 96-bit random nonce, 128-bit tag, AAD binds the column (or domain) and logical type");
    /** Deterministic columns (RFC 8452); no OID is assigned to it. */
    static final CryptoAlgorithm AES_256_GCM_SIV = new CryptoAlgorithm("algorithm:aes-256-gcm-siv", "AES-256-GCM-SIV", "ae", "other",
            null, List.of("encrypt", "decrypt"), 256, 5,
            "deterministic columns (RFC 8452): equal plaintexts give equal ciphertexts under one data key, for equality lookups");
    /** Data keys wrapped by PKCS#12 and environment master keys (RFC 5649). */
    static final CryptoAlgorithm AES_256_KWP = new CryptoAlgorithm("algorithm:aes-256-kwp", "AES-256-KWP", "ae", "other",
            "2.16.840.1.101.3.4.1.48", List.of("encrypt", "decrypt"), 256, 5,
            "wraps data keys under a master key (AES key wrap with padding, RFC 5649)");
    /** Data keys wrapped inside an HSM (PKCS#11), where AES-KWP is not offered. */
    static final CryptoAlgorithm AES_256_GCM_WRAP = new CryptoAlgorithm("algorithm:aes-256-gcm-keywrap", "AES-256-GCM (key wrap)", "ae",
            "gcm", "2.16.840.1.101.3.4.1.46", List.of("encrypt", "decrypt"), 256, 5,
            "wraps data keys inside the HSM (PKCS#11) under a master key that never leaves it");
    /** Search tokens: keyed HMAC under per-column derived keys, truncated to a planned length. */
    static final CryptoAlgorithm HMAC_SHA256 = new CryptoAlgorithm("algorithm:hmac-sha256", "HMAC-SHA256", "mac", null,
            "1.2.840.113549.2.9", List.of("tag"), 256, null,
            "search tokens: HMAC under a per-column derived key, truncated to the planned length");
}
