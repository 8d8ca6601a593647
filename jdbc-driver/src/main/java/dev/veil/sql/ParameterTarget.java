package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

/**
 * The encrypted column a bound parameter goes to (or is compared with).
 *
 * @param column the column whose cipher encrypts the value
 * @param array whether the parameter is an array whose elements are each encrypted
 *        ({@code col = ANY(?)} on a deterministic column)
 * @param lookup {@link LookupForm#NONE} for a value written into the column, else the shape of the
 *        comparison it takes part in
 * @param slots how many parameters of the SQL sent stand for this one: {@link StatementPlan#LOOKUP_SLOTS}
 *        for {@link LookupForm#EQUALS}, {@link LookupForm#NOT_EQUALS} and {@link LookupForm#LIST_ITEM}
 *        parameters; for a value written into a searchable column, 1 + one per companion column
 *        (its search tokens, in {@code CompanionColumns.of(column)} order); else 1
 */
public record ParameterTarget(ColumnPolicy column, boolean array, LookupForm lookup, int slots) {

    /** A value written into {@code column}. */
    public ParameterTarget(ColumnPolicy column, boolean array) {
        this(column, array, LookupForm.NONE, 1);
    }

    /** Whether the value is written into a searchable column and its search tokens are bound in the slots after it. */
    public boolean writesCompanions() {
        return lookup == LookupForm.NONE && slots > 1;
    }

    /** The same target, compared in the given form. */
    ParameterTarget as(LookupForm form) {
        boolean slotted = form == LookupForm.EQUALS || form == LookupForm.NOT_EQUALS || form == LookupForm.LIST_ITEM
                || form == LookupForm.NOT_DISTINCT || form == LookupForm.DISTINCT;
        return new ParameterTarget(column, array, form, slotted ? StatementPlan.LOOKUP_SLOTS : 1);
    }
}
