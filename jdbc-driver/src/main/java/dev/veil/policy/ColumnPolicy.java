package dev.veil.policy;

import dev.veil.search.SearchCapability;
import dev.veil.search.SearchSpec;

/**
 * How one column is protected.
 *
 * @param column the column
 * @param mode randomized or deterministic
 * @param type the logical type of its plaintext
 * @param keyRing the name of the data-key ring that encrypts it
 * @param domain the shared ciphertext domain, or {@code null} when the column stands alone
 * @param storage text or binary ciphertext
 * @param migrating whether legacy plaintext is still being read (it is returned unchanged)
 * @param mark where the column was declared
 * @param scale for a decimal column, the number of decimal places every value is read back with
 *        (and the most a written value may have); {@code null} when the policy declares none
 * @param search the search capabilities beyond equality ({@code search:}); {@link SearchSpec#NONE}
 *        (never {@code null}) when it has none
 */
public record ColumnPolicy(ColumnRef column, EncryptionMode mode, LogicalType type, String keyRing,
                           String domain, StorageFormat storage, boolean migrating, SourceMark mark, Integer scale,
                           SearchSpec search) {

    public ColumnPolicy {
        search = search == null ? SearchSpec.NONE : search;
    }

    /** A column without search capabilities. */
    public ColumnPolicy(ColumnRef column, EncryptionMode mode, LogicalType type, String keyRing,
                        String domain, StorageFormat storage, boolean migrating, SourceMark mark, Integer scale) {
        this(column, mode, type, keyRing, domain, storage, migrating, mark, scale, SearchSpec.NONE);
    }

    /** A column with no declared decimal scale. */
    public ColumnPolicy(ColumnRef column, EncryptionMode mode, LogicalType type, String keyRing,
                        String domain, StorageFormat storage, boolean migrating, SourceMark mark) {
        this(column, mode, type, keyRing, domain, storage, migrating, mark, null);
    }

    /** Whether the column has any search capability beyond equality (companion columns to maintain). */
    public boolean isSearchable() {
        return !search.isEmpty();
    }

    /** Whether the column has search capability {@code c}. */
    public boolean searchable(SearchCapability c) {
        return search.has(c);
    }

    /** Whether equality predicates can be served by comparing ciphertexts. */
    public boolean isDeterministic() {
        return mode == EncryptionMode.DETERMINISTIC;
    }

    /**
     * The identity a ciphertext is bound to: the domain when set, else the column. Values can be
     * copied between two columns exactly when their contexts are equal.
     */
    public String context() {
        return domain != null ? "domain:" + domain : "column:" + column.table().name().key() + "." + column.column().key();
    }
}
