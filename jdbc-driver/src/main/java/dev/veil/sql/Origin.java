package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.search.SearchCapability;

import java.util.List;
import java.util.Map;

/**
 * What an expression yields, as far as encryption cares: a value of an encrypted column, a value
 * the application supplies (parameter, literal), or something else.
 */
sealed interface Origin {

    /** Any value that is not an encrypted column's value, a parameter, a literal or NULL. */
    Origin PLAIN = new Plain();
    /** The NULL literal: it stays NULL in any column. */
    Origin NULL = new Null();
    /** The DEFAULT keyword in VALUES or SET. */
    Origin DEFAULT = new Default();

    /** The encrypted column behind this value, or {@code null}. */
    default ColumnPolicy encrypted() {
        return null;
    }

    record Plain() implements Origin {
    }

    record Null() implements Origin {
    }

    record Default() implements Origin {
    }

    /**
     * The (still encrypted) value of an encrypted column.
     *
     * @param column the encrypted column
     * @param source the relation of the query block that yields it ({@code null} when it comes from no
     *        one relation): a {@link Companion} of the same source belongs to the same row
     * @param companions the names under which {@code source} exposes the column's companion columns,
     *        by capability; a capability missing here cannot be searched through {@code source}
     * @param copiedBy the materialized view whose stored copy the value is read from (directly, or
     *        through views and sub-queries over it), as {@code materialized view schema.name}; else
     *        {@code null}. No guard covers such a copy, so it is not searched.
     */
    record Encrypted(ColumnPolicy column, Relation source, Map<SearchCapability, Identifier> companions, String copiedBy) implements Origin {
        public Encrypted {
            companions = companions == null ? Map.of() : Map.copyOf(companions);
        }

        /** The value as read from {@code source}, not from a materialized view's copy. */
        public Encrypted(ColumnPolicy column, Relation source, Map<SearchCapability, Identifier> companions) {
            this(column, source, companions, null);
        }

        /** A value that comes from no one relation (a UNION, a write): no companion column goes with it. */
        public Encrypted(ColumnPolicy column) {
            this(column, null, Map.of());
        }

        @Override
        public ColumnPolicy encrypted() {
            return column;
        }
    }

    /**
     * A companion column's value (plain tokens) that indexes {@code owner} for {@code capability},
     * read from {@code source}: it pairs with the {@link Encrypted} value of {@code owner} from the
     * same source, so a view or sub-query can be searched only through the companion of its own row.
     */
    record Companion(ColumnPolicy owner, SearchCapability capability, Relation source) implements Origin {
    }

    /** A JDBC parameter, 1-based; {@code array} for {@code = ANY(?)}. */
    record Parameter(int index, boolean array) implements Origin {
    }

    /**
     * Several parameters or literals meeting in one column of a multi-row VALUES or a UNION: whatever
     * that column meets, each of them meets.
     */
    record Several(List<Origin> values) implements Origin {
        public Several {
            values = List.copyOf(values);
        }
    }

    /** Literal number {@code ordinal} of the text; {@code negative} when written under a minus sign. */
    record Literal(int ordinal, boolean negative) implements Origin {
    }
}
