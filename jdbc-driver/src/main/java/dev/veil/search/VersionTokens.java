package dev.veil.search;

import java.util.List;

/**
 * The tokens of a query operand under one data-key version of the column's ring. A row's tokens
 * are all under the version that encrypted its value, so a query that needs several tokens at once
 * (substring grams) must find them all under one version: match each {@code VersionTokens} as a
 * group and OR the groups.
 *
 * @param keyId the data-key id of the version
 * @param tokens the tokens (shared, do not modify)
 */
public record VersionTokens(int keyId, List<byte[]> tokens) {
    public VersionTokens {
        tokens = List.copyOf(tokens);
    }

    @Override
    public String toString() {
        return "VersionTokens[key " + keyId + ", " + tokens.size() + " tokens]";
    }
}
