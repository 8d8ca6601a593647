package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

/**
 * One item of an {@code ORDER BY} that Veil answers itself because it sorts by an encrypted
 * column: after the query ran, Veil reads every row, decrypts, and serves the rows in this order
 * (see {@code docs/search.md}, "ORDER BY").
 *
 * @param resultColumn the (1-based) result column holding the key's value
 * @param encrypted the encrypted column behind it, or {@code null} for a plaintext key
 * @param descending {@code DESC}
 * @param nullsFirst where NULLs go: {@code NULLS FIRST}, or PostgreSQL's default (first when descending)
 */
public record SortKey(int resultColumn, ColumnPolicy encrypted, boolean descending, boolean nullsFirst) {
    @Override
    public String toString() {
        return "SortKey[" + resultColumn + (encrypted == null ? "" : " " + encrypted.column()) + (descending ? " DESC" : "")
                + (nullsFirst ? " NULLS FIRST" : " NULLS LAST") + "]";
    }
}
