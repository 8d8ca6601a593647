package dev.veil.search;

import dev.veil.policy.LogicalType;

import java.util.EnumSet;
import java.util.Set;

/**
 * A way an encrypted column can be searched beyond equality, each backed by keyed tokens in a
 * companion column that Veil maintains (see {@link CompanionColumns}). Opt-in per column in the
 * policy ({@code search: [prefix, ci]}); what each one lets the database learn is in
 * {@code docs/search.md}.
 */
public enum SearchCapability {
    /** {@code col LIKE 'abc%'}: a token per leading substring of 1..max code points. */
    PREFIX("prefix", "_veil_prefix", true, EnumSet.of(LogicalType.STRING)),
    /** {@code col LIKE '%abc%'}: a token per distinct n-gram of code points. */
    SUBSTRING("substring", "_veil_sub", true, EnumSet.of(LogicalType.STRING)),
    /** {@code lower(col) = lower(?)}, {@code col ILIKE ?} without wildcards: one token of the case-folded value. */
    CI("ci", "_veil_ci", false, EnumSet.of(LogicalType.STRING)),
    /** {@code BETWEEN}, {@code <}, {@code <=}, {@code >}, {@code >=}: a token per enclosing bucket at each level. */
    RANGE("range", "_veil_range", true, EnumSet.of(LogicalType.INTEGER, LogicalType.DECIMAL, LogicalType.DATE,
            LogicalType.TIME, LogicalType.TIMESTAMP, LogicalType.TIMESTAMPTZ));

    private final String policyName;
    private final String suffix;
    private final boolean array;
    private final Set<LogicalType> types;

    SearchCapability(String policyName, String suffix, boolean array, Set<LogicalType> types) {
        this.policyName = policyName;
        this.suffix = suffix;
        this.array = array;
        this.types = types;
    }

    /** The name used in policy files; also bound into the capability's key derivation, so never rename. */
    public String policyName() {
        return policyName;
    }

    /** What is appended to the column's name to name its companion column. */
    public String suffix() {
        return suffix;
    }

    /** Whether a value has a set of tokens ({@code bytea[]}, GIN index) rather than one ({@code bytea}, btree). */
    public boolean isArray() {
        return array;
    }

    /** Whether columns of {@code type} can have this capability. */
    public boolean appliesTo(LogicalType type) {
        return types.contains(type);
    }

    /** The logical types this capability applies to, for messages. */
    public Set<LogicalType> types() {
        return types;
    }
}
