package dev.veil.sql;

/**
 * How a value compared for equality with a deterministic column is written, which says how Veil
 * makes the comparison match every data-key version that may hold values (see
 * {@link StatementPlan}).
 */
public enum LookupForm {
    /** Not a lookup: the value is written into the column, under the ring's write key only. */
    NONE,
    /** {@code col = ?} or {@code col = 'v'}: sent as {@code col IN (one per version)}. */
    EQUALS,
    /** {@code col <> ?} or {@code col != 'v'}: sent as {@code col NOT IN (one per version)}. */
    NOT_EQUALS,
    /** An item of {@code IN (...)} or of {@code ARRAY[...]} under {@code = ANY}: becomes one item per version. */
    LIST_ITEM,
    /** An array parameter of {@code col = ANY(?)} or {@code col <> ALL(?)}: each element is sent once per version. */
    ARRAY,
    /**
     * {@code col IS NOT DISTINCT FROM ?}: sent as {@code (col IS NOT DISTINCT FROM ? OR …)}, one
     * per version, so a NULL still matches exactly the NULL rows.
     */
    NOT_DISTINCT,
    /** {@code col IS DISTINCT FROM ?}: sent as {@code (col IS DISTINCT FROM ? AND …)}, one per version. */
    DISTINCT,
    /**
     * Any other shape ({@code ? = col}, a cast, a row comparison, a literal after
     * {@code IS [NOT] DISTINCT FROM}): it can match one version only, so it is refused while the
     * ring has more than one live version.
     */
    FIXED;

    /** Whether the value is compared rather than written. */
    public boolean isLookup() {
        return this != NONE;
    }
}
