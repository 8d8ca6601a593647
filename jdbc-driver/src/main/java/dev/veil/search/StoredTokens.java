package dev.veil.search;

import java.util.EnumMap;
import java.util.Map;

/**
 * The companion-column values of one stored value: for each capability of its column, a token
 * set ({@code byte[][]}, for {@code bytea[]}) or one token ({@code byte[]}, for {@code bytea}),
 * all under the data-key version that encrypted the value. A NULL value has NULL tokens.
 *
 * @param keyId the data-key id the tokens are under, -1 for a NULL value
 */
public record StoredTokens(int keyId, Map<SearchCapability, Object> byCapability) {
    public StoredTokens {
        byCapability = java.util.Collections.unmodifiableMap(new EnumMap<>(byCapability.isEmpty()
                ? new EnumMap<>(SearchCapability.class) : byCapability));
    }

    /** The tokens of a NULL value: every companion column NULL. */
    public static StoredTokens ofNull() {
        return new StoredTokens(-1, Map.of());
    }

    /**
     * The value for {@code c}'s companion column: {@code byte[][]} for array capabilities, {@code byte[]}
     * for {@link SearchCapability#CI}, {@code null} for a NULL value.
     */
    public Object get(SearchCapability c) {
        return byCapability.get(c);
    }

    @Override
    public String toString() {
        return "StoredTokens[key " + keyId + ", " + byCapability.keySet() + "]";
    }
}
