package dev.veil.sql;

/**
 * One column a query produces.
 *
 * @param name its lookup key ({@link dev.veil.policy.Identifier#key()}), or {@code null} when unnamed
 * @param origin what it yields
 */
record OutputColumn(String name, Origin origin) {
}
