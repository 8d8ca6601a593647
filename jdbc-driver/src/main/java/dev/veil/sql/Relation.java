package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A named row source visible in a query block: a base table or a derived one (sub-select, CTE).
 */
sealed interface Relation {

    /** Whether a column qualifier ({@code schema.table} or alias) names this relation; {@code schemaKey} may be null. */
    boolean answersTo(String schemaKey, String nameKey);

    /**
     * The origin of a column of this relation, or {@code null} when it has no such column.
     *
     * @param useLiveColumns whether to ask the database for plain columns (else only encrypted
     *        and derived columns are found)
     */
    Origin column(String nameKey, boolean useLiveColumns);

    /** Whether every column is known, so that {@code null} from {@link #column} means "no such column". */
    boolean columnsKnown();

    /** The columns {@code *} stands for. */
    QueryResult star();

    /** Whether any column of this relation may hold encrypted values. */
    boolean hasEncrypted();

    /** How messages name this relation. */
    String describe();

    /**
     * A table of the database, or a view.
     *
     * @param policy its encrypted columns, or {@code null}
     * @param view for a protected view, its columns' mapping ({@link ViewColumns}); {@code null} for a
     *        table, whose companion columns are named as {@link CompanionColumns} names them
     */
    record BaseTable(String schema, String table, String aliasKey, TablePolicy policy, ViewColumns view, LiveColumns live)
            implements Relation {

        @Override
        public boolean answersTo(String schemaKey, String nameKey) {
            if (schemaKey == null && aliasKey != null && aliasKey.equals(nameKey)) {
                return true;
            }
            if (!Identifier.parse(table).key().equals(nameKey)) {
                return false;
            }
            return schemaKey == null || schema == null || Identifier.parse(schema).key().equals(schemaKey);
        }

        @Override
        public Origin column(String nameKey, boolean useLiveColumns) {
            if (policy != null) {
                ColumnPolicy c = policy.columns().get(nameKey);
                if (c != null) {
                    return encrypted(nameKey, c);
                }
                Origin.Companion k = companion(nameKey);
                if (k != null) {
                    return k;
                }
            }
            if (useLiveColumns) {
                for (String name : liveColumns()) {
                    if (Identifier.parse(name).key().equals(nameKey) || name.equalsIgnoreCase(nameKey)) {
                        return Origin.PLAIN;
                    }
                }
            }
            return null;
        }

        @Override
        public boolean columnsKnown() {
            return !liveColumns().isEmpty();
        }

        @Override
        public QueryResult star() {
            List<String> names = liveColumns();
            if (names.isEmpty()) {
                if (policy != null) {
                    throw Rejection.unsupported("cannot expand * over " + table
                            + ": its columns are unknown and it has encrypted columns");
                }
                return new QueryResult(List.of(), List.of(List.of()), 0);
            }
            List<OutputColumn> out = new ArrayList<>(names.size());
            for (String name : names) {
                String key = name.toLowerCase(Locale.ROOT);
                ColumnPolicy c = policy == null ? null : policy.columns().get(key);
                if (c == null && policy != null) {
                    c = policy.columns().get(name);
                }
                Origin o = c != null ? encrypted(key, c) : policy == null ? null : companion(key);
                out.add(new OutputColumn(key, o == null ? Origin.PLAIN : o));
            }
            return QueryResult.of(out, -1);
        }

        /** The value of encrypted column {@code c}, named {@code nameKey} here, with the names of its companion columns here. */
        private Origin.Encrypted encrypted(String nameKey, ColumnPolicy c) {
            if (!c.isSearchable()) {
                return new Origin.Encrypted(c, this, Map.of(), view == null ? null : view.copies().get(nameKey));
            }
            if (view != null) {
                return new Origin.Encrypted(c, this, view.indexes().getOrDefault(nameKey, Map.of()), view.copies().get(nameKey));
            }
            Map<SearchCapability, Identifier> names = new EnumMap<>(SearchCapability.class);
            for (CompanionColumns.Companion k : CompanionColumns.of(c)) {
                names.put(k.capability(), k.name());
            }
            return new Origin.Encrypted(c, this, names);
        }

        /** The companion column named {@code nameKey} here, or {@code null}. */
        private Origin.Companion companion(String nameKey) {
            CompanionColumns.Companion k = view != null ? view.companions().get(nameKey)
                    : CompanionColumns.find(policy, nameKey).orElse(null);
            return k == null ? null : new Origin.Companion(k.owner(), k.capability(), this);
        }

        @Override
        public boolean hasEncrypted() {
            return policy != null;
        }

        @Override
        public String describe() {
            return policy != null ? policy.name().toString() : table;
        }

        /** The table's columns as the database reports them, or an empty list when unknown. */
        List<String> liveColumns() {
            return live.of(schema == null ? null : Identifier.parse(schema).text(), Identifier.parse(table).text());
        }
    }

    /** A sub-select in FROM or a CTE, under its alias. */
    record DerivedTable(String aliasKey, QueryResult result) implements Relation {

        @Override
        public boolean answersTo(String schemaKey, String nameKey) {
            return schemaKey == null && aliasKey != null && aliasKey.equals(nameKey);
        }

        @Override
        public Origin column(String nameKey, boolean useLiveColumns) {
            OutputColumn c = result.column(nameKey);
            if (c == null) {
                return null;
            }
            if (c.origin() instanceof Origin.Encrypted e && e.column().isSearchable()) {
                Map<SearchCapability, Identifier> names = new EnumMap<>(SearchCapability.class);
                // output names are keys (lower case): quoted, a name that differs only in case fails at the database
                result.companions(e).forEach((capability, i) -> names.put(capability, new Identifier(result.columns().get(i).name(), true)));
                return new Origin.Encrypted(e.column(), this, names, e.copiedBy());
            }
            if (c.origin() instanceof Origin.Companion k) {
                // of this relation's row only when it goes with an encrypted column of the same row here
                return new Origin.Companion(k.owner(), k.capability(), result.pairs(k) ? this : null);
            }
            return c.origin();
        }

        @Override
        public boolean columnsKnown() {
            return result.exact();
        }

        @Override
        public QueryResult star() {
            return result;
        }

        @Override
        public boolean hasEncrypted() {
            for (OutputColumn c : result.columns()) {
                if (c.origin().encrypted() != null) {
                    return true;
                }
            }
            return !result.exact();
        }

        @Override
        public String describe() {
            return aliasKey == null ? "a sub-query" : aliasKey;
        }
    }
}
