package dev.veil.jobs;

import dev.veil.VeilState;

import java.util.List;
import java.util.Map;

/**
 * What {@code verify} found: values per data key, and the primary keys (never the values) of
 * values that failed.
 *
 * @param table the table
 * @param rows rows read
 * @param valuesPerKey authenticated values per data-key id
 * @param nullValues NULLs (not encrypted)
 * @param legacyValues plaintext in columns marked {@code migrating}
 * @param failures values that are not authentic ciphertext, first {@value #MAX_FAILURES} of them
 * @param failureCount all failures
 */
public record VerifyReport(String table, long rows, Map<Integer, Long> valuesPerKey, long nullValues, long legacyValues,
                           List<Failure> failures, long failureCount) {
    public static final int MAX_FAILURES = 1000;

    /**
     * One value that failed.
     *
     * @param primaryKey the row's primary key, as text
     * @param column the column
     * @param state why: VE005 altered or not ciphertext, VE003 unknown key, VE004 destroyed key…
     */
    public record Failure(String primaryKey, String column, VeilState state) {
    }

    public boolean ok() {
        return failureCount == 0;
    }
}
