package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

/**
 * The encrypted column a bound parameter goes to (or is compared with).
 *
 * @param column the column whose cipher encrypts the value
 * @param array whether the parameter is an array whose elements are each encrypted
 *        ({@code col = ANY(?)} on a deterministic column)
 */
public record ParameterTarget(ColumnPolicy column, boolean array) {
}
