package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.List;

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

    /** The (still encrypted) value of an encrypted column. */
    record Encrypted(ColumnPolicy column) implements Origin {
        @Override
        public ColumnPolicy encrypted() {
            return column;
        }
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
