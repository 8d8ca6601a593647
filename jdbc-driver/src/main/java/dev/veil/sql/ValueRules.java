package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

/**
 * The rules for putting two values together: comparing them for equality, or writing one into a
 * column. Binds parameters and literals to the encrypted column they meet; rejects what would
 * compare or mix ciphertexts with anything but ciphertexts of the same context.
 */
final class ValueRules {
    private final Bindings bindings;

    ValueRules(Bindings bindings) {
        this.bindings = bindings;
    }

    /** {@code a op b} where {@code op} is an equality-like operator ({@code =}, {@code <>}, {@code IN}). */
    void equality(Origin a, Origin b, String op) {
        ColumnPolicy ca = a.encrypted();
        ColumnPolicy cb = b.encrypted();
        if (ca == null && cb == null) {
            return;
        }
        for (ColumnPolicy c : new ColumnPolicy[] {ca, cb}) {
            if (c != null && !c.isDeterministic()) {
                throw Rejection.unsupported(c, op + " needs deterministic encryption; the column is randomized");
            }
        }
        if (ca != null && cb != null) {
            if (!ca.context().equals(cb.context())) {
                throw Rejection.unsupported(ca, "cannot be compared with " + Rejection.name(cb)
                        + ", which is encrypted in a different context");
            }
            bindings.versionSensitive(ca);
            bindings.versionSensitive(cb);
            return;
        }
        ColumnPolicy c = ca != null ? ca : cb;
        Origin other = ca != null ? b : a;
        bind(other, c, "cannot be compared with a plain column or expression");
        bindings.lookup(other);
    }

    /** Writes {@code value} into {@code target} ({@code null} for a plain column named {@code targetName}). */
    void write(ColumnPolicy target, String targetName, Origin value) {
        ColumnPolicy source = value.encrypted();
        if (target == null) {
            if (source != null) {
                throw Rejection.unsupported(source, "cannot be copied into plain column " + targetName);
            }
            return;
        }
        if (value instanceof Origin.Default) {
            return;
        }
        if (source != null && !source.context().equals(target.context())) {
            throw Rejection.unsupported(target, "cannot take a value of " + Rejection.name(source)
                    + ", which is encrypted in a different context");
        }
        bind(value, target, "can only be written from a parameter, a literal, NULL, DEFAULT or a column of the same context");
    }

    /** Binds a parameter or literal to {@code column}; rejects plain values with {@code reason}. */
    void bind(Origin value, ColumnPolicy column, String reason) {
        if (value instanceof Origin.Several several) {
            several.values().forEach(v -> bind(v, column, reason));
        } else if (value instanceof Origin.Parameter p) {
            bindings.parameter(p.index(), column, p.array());
        } else if (value instanceof Origin.Literal l) {
            bindings.literal(l, column);
        } else if (value instanceof Origin.Encrypted e) {
            if (!e.column().context().equals(column.context())) {
                throw Rejection.unsupported(column, "cannot be used with " + Rejection.name(e.column())
                        + ", which is encrypted in a different context");
            }
        } else if (!(value instanceof Origin.Null)) {
            throw Rejection.unsupported(column, reason);
        }
    }
}
