package dev.veil.sql;

import dev.veil.policy.Identifier;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;

import java.util.Map;

/**
 * What a protected view's definition makes of its columns: the encrypted column each of its
 * columns carries, and which of its columns carry those columns' companion columns of the same
 * row, so a search through the view uses the view's own names (or is refused when it has none).
 *
 * @param policy the encrypted columns, by the view's column key
 * @param indexes per encrypted column key, the view's names of its companion columns by capability
 * @param companions per view column key that is a companion column, what it indexes (its name as the view spells it)
 * @param copies per encrypted column key whose values are a materialized view's stored copy, that
 *        view ({@code materialized view schema.name}; see {@link Origin.Encrypted#copiedBy})
 */
record ViewColumns(TablePolicy policy, Map<String, Map<SearchCapability, Identifier>> indexes,
                   Map<String, CompanionColumns.Companion> companions, Map<String, String> copies) {
    ViewColumns {
        indexes = Map.copyOf(indexes);
        companions = Map.copyOf(companions);
        copies = Map.copyOf(copies);
    }
}
