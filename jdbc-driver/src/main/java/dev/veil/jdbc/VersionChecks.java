package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.sql.LiteralTarget;
import dev.veil.sql.StatementPlan;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one statement must check before it runs while a ring that deterministic columns use has
 * more than one live data-key version (during a rotation, from the moment a new version is
 * created until the old one is retired):
 * <ul>
 * <li>joins, GROUP BY, DISTINCT over such a column are refused ({@code VE006}): values of two
 *     versions differ even when their plaintexts are equal;</li>
 * <li>a value written into such a column that has a unique index of its own is locked under
 *     every live version's form for the rest of the transaction (see {@link UniqueGuard}), then an
 *     INSERT is refused with SQLState {@code 23505} when a row already holds it under any version
 *     (the database's constraint only sees equal ciphertexts, so it cannot catch this itself); an
 *     UPDATE is checked after it ran instead, inside a savepoint, because before it runs the row
 *     it updates cannot be told from another row holding the same value. Under auto-commit the
 *     statement runs in a transaction of its own for this;</li>
 * <li>such a value written while only one version was live is noted in an open transaction, and
 *     checked at commit if a new version appeared meanwhile ({@link UniqueGuard#beforeCommit});</li>
 * <li>an upsert on such a column is refused ({@code VE006}): its conflict target cannot see rows of
 *     the other versions;</li>
 * <li>a write of such a column that is unique only together with other columns is refused
 *     ({@code VE006}): the check above would need the other columns' values too;</li>
 * <li>a prepared statement whose SQL has a literal compared with such a column is refused when the
 *     live versions changed since it was prepared.</li>
 * </ul>
 * Statements that need none of this cost one boolean test per execution. Not thread-safe: one per
 * statement, as the statement itself.
 */
final class VersionChecks {
    private final VeilConnection connection;
    private final StatementPlan plan;
    /** Deterministic columns the statement writes that carry a unique index of their own. */
    private final List<ColumnPolicy> unique;
    /** Deterministic columns the statement writes that are unique only together with other columns. */
    private final List<ColumnPolicy> uniqueWithOthers;
    private final boolean needed;
    /** For prepared statements: the data-key ids each lookup literal was encrypted under. */
    private final Map<ColumnPolicy, int[]> literalKeys;
    /** Ciphertexts bound now for the {@link #unique} columns, by parameter index, and those of the rows batched. */
    private Map<Integer, Bound> current;
    private Map<ColumnPolicy, List<Object>> batched;

    private record Bound(ColumnPolicy column, Object ciphertext) {
    }

    /** A statement execution. */
    @FunctionalInterface
    interface Execution<T> {
        T run() throws SQLException;
    }

    /** The checks of a statement that touches no encrypted column: none. */
    private static final VersionChecks NONE = new VersionChecks();

    private VersionChecks() {
        this.connection = null;
        this.plan = null;
        this.unique = List.of();
        this.uniqueWithOthers = List.of();
        this.literalKeys = null;
        this.needed = false;
    }

    /**
     * The checks of one statement.
     *
     * @param prepared whether the plan's text (and its literals) was sent once, at prepare time
     */
    static VersionChecks of(VeilConnection connection, StatementPlan plan, boolean prepared) throws SQLException {
        if (!plan.touchesEncrypted()) {
            return NONE;
        }
        // runs for every statement prepared: most write no deterministic column with a unique index
        // (an index loop: no iterator per statement)
        List<ColumnPolicy> u = List.of();
        List<ColumnPolicy> w = List.of();
        List<ColumnPolicy> writes = plan.deterministicWrites();
        for (int i = 0; i < writes.size(); i++) {
            ColumnPolicy c = writes.get(i);
            switch (connection.uniqueness(c)) {
                case ALONE -> u = added(u, c);
                case WITH_OTHERS -> w = added(w, c);
                case NONE -> {
                }
            }
        }
        if (u.isEmpty() && w.isEmpty() && plan.versionSensitive().isEmpty() && !(prepared && plan.hasLookupLiterals())) {
            return NONE; // needs nothing: every method returns at once
        }
        return new VersionChecks(connection, plan, prepared, u, w);
    }

    private static List<ColumnPolicy> added(List<ColumnPolicy> list, ColumnPolicy c) {
        List<ColumnPolicy> out = new ArrayList<>(list);
        out.add(c);
        return out;
    }

    private VersionChecks(VeilConnection connection, StatementPlan plan, boolean prepared, List<ColumnPolicy> u,
                          List<ColumnPolicy> w) throws SQLException {
        this.connection = connection;
        this.plan = plan;
        this.unique = u;
        this.uniqueWithOthers = w;
        Map<ColumnPolicy, int[]> keys = null;
        if (prepared && plan.hasLookupLiterals()) {
            keys = new IdentityHashMap<>();
            for (LiteralTarget l : plan.literals()) {
                if (l.lookup().isLookup()) {
                    keys.put(l.column(), cipher(l.column()).lookupKeyIds());
                }
            }
        }
        this.literalKeys = keys;
        this.needed = !u.isEmpty() || !w.isEmpty() || !plan.versionSensitive().isEmpty() || keys != null;
    }

    private ColumnCipher cipher(ColumnPolicy c) {
        return connection.runtime().veil().cipher(c);
    }

    /**
     * {@code ciphertext} is bound for deterministic column {@code column} at parameter
     * {@code index} ({@code null}: a NULL): kept when the column has a unique index.
     */
    void written(ColumnPolicy column, int index, Object ciphertext) {
        if (unique.isEmpty() || !unique.contains(column)) {
            return;
        }
        if (current == null) {
            current = new java.util.HashMap<>();
        }
        if (ciphertext == null) {
            current.remove(index);
        } else {
            current.put(index, new Bound(column, ciphertext));
        }
    }

    void addBatch() {
        if (current != null && !current.isEmpty()) {
            if (batched == null) {
                batched = new IdentityHashMap<>();
            }
            for (Bound b : current.values()) {
                batched.computeIfAbsent(b.column, k -> new ArrayList<>()).add(b.ciphertext);
            }
        }
    }

    void clear() {
        // NONE is shared between threads: never write to it
        if (current != null || batched != null) {
            current = null;
            batched = null;
        }
    }

    void clearParameters() {
        if (current != null) {
            current = null;
        }
    }

    /**
     * Runs the checks that refuse a statement before it (or its batch, when {@code single} is
     * false) runs.
     *
     * @throws SQLException {@code VE006} for a statement that cannot be exact now
     */
    void beforeRun(boolean single) throws SQLException {
        if (!needed) {
            return;
        }
        for (ColumnPolicy c : plan.versionSensitive()) {
            if (cipher(c).lookupVersions() > 1) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "values of " + c.column() + " meet each other here "
                        + "(a join, GROUP BY or DISTINCT), and ring '" + c.keyRing() + "' has more than one live "
                        + "data-key version, so equal values may differ; this is refused until the rotation ends: "
                        + "run veil rekey, then veil keys retire of the old version once 'veil keys list --usage' "
                        + "shows it holds no value");
            }
        }
        if (literalKeys != null) {
            for (Map.Entry<ColumnPolicy, int[]> e : literalKeys.entrySet()) {
                if (!Arrays.equals(e.getValue(), cipher(e.getKey()).lookupKeyIds())) {
                    throw new VeilException(VeilState.UNSUPPORTED_SQL, "this prepared statement compares " + e.getKey().column()
                            + " with a literal encrypted under the data-key versions live when it was prepared, and ring '"
                            + e.getKey().keyRing() + "' has changed since; prepare it again, or bind the value as a parameter");
                }
            }
        }
        for (ColumnPolicy c : uniqueWithOthers) {
            if (cipher(c).lookupVersions() > 1) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "writes of " + c.column() + " are refused while ring '"
                        + c.keyRing() + "' has more than one live data-key version: the column is unique together with other "
                        + "columns, and equal values under two versions differ, so the database cannot enforce that index "
                        + "and Veil cannot check it; the rotation ends after veil rekey and veil keys retire of the old "
                        + "version ('veil keys list --usage' shows when it holds no value)");
            }
        }
        if (plan.upsert()) {
            for (ColumnPolicy c : unique) {
                if (cipher(c).lookupVersions() > 1) {
                    throw new VeilException(VeilState.UNSUPPORTED_SQL, "an upsert on " + c.column() + " cannot see rows "
                            + "written under the other live data-key versions of ring '" + c.keyRing() + "' and is refused "
                            + "until the rotation ends (veil rekey, then veil keys retire of the old version)");
                }
            }
        }
    }

    /**
     * Whether {@link #run} would only run the statement: callers then run it themselves, without
     * making an {@link Execution} per call.
     */
    boolean runsPlain() {
        return !needed || unique.isEmpty();
    }

    /**
     * Runs the statement (or its batch, when {@code single} is false). When it writes a value into
     * a unique deterministic column whose ring has several live versions: in a transaction (its
     * own under auto-commit), after locking the values, checking an INSERT before it runs and an
     * UPDATE after it ran (inside a savepoint, rolled back on a duplicate). Values written while
     * one version is live are noted for the commit check of an open transaction.
     *
     * @throws SQLException {@code 23505} for a value another row holds under another version
     */
    <T> T run(Execution<T> execution, boolean single) throws SQLException {
        if (runsPlain()) {
            return execution.run();
        }
        Map<ColumnPolicy, List<Object>> values = values(single);
        if (!single) {
            batched = null;
        }
        if (values == null) {
            return execution.run();
        }
        Connection raw = connection.raw();
        UniqueGuard guard = connection.guard();
        Map<ColumnPolicy, List<Object[]>> locked = null;
        Map<ColumnPolicy, List<Object>> unlocked = null;
        for (Map.Entry<ColumnPolicy, List<Object>> e : values.entrySet()) {
            ColumnCipher cipher = cipher(e.getKey());
            if (cipher.lookupVersions() > 1) {
                List<Object[]> forms = new ArrayList<>();
                for (Object c : e.getValue()) {
                    forms.add(UniqueGuard.forms(cipher, c));
                }
                if (locked == null) {
                    locked = new IdentityHashMap<>();
                }
                locked.put(e.getKey(), forms);
            } else {
                if (unlocked == null) {
                    unlocked = new IdentityHashMap<>();
                }
                unlocked.put(e.getKey(), e.getValue());
            }
        }
        if (locked == null) {
            T result = execution.run();
            if (!raw.getAutoCommit()) {
                values.forEach(guard::note);
            }
            return result;
        }
        boolean auto = raw.getAutoCommit();
        Savepoint savepoint = null;
        if (auto) {
            raw.setAutoCommit(false);
        } else if (plan.update()) {
            savepoint = raw.setSavepoint();
        }
        boolean ok = false;
        try {
            boolean locking = guard.lockingReads(auto);
            for (Map.Entry<ColumnPolicy, List<Object[]>> e : locked.entrySet()) {
                guard.lock(e.getKey(), flat(e.getValue()));
            }
            if (!plan.update()) {
                for (Map.Entry<ColumnPolicy, List<Object[]>> e : locked.entrySet()) {
                    guard.precheck(e.getKey(), flat(e.getValue()), locking);
                }
            }
            T result = execution.run();
            if (plan.update()) {
                for (Map.Entry<ColumnPolicy, List<Object[]>> e : locked.entrySet()) {
                    guard.postcheck(e.getKey(), e.getValue(), locking);
                }
            }
            if (!auto && unlocked != null) {
                unlocked.forEach(guard::note);
            }
            ok = true;
            return result;
        } finally {
            if (auto) {
                try {
                    if (ok) {
                        raw.commit();
                    } else {
                        raw.rollback();
                    }
                } finally {
                    try {
                        guard.ended();
                    } finally {
                        raw.setAutoCommit(true);
                    }
                }
            } else if (savepoint != null) {
                if (ok) {
                    raw.releaseSavepoint(savepoint);
                } else {
                    raw.rollback(savepoint);
                }
            }
        }
    }

    /**
     * A plain statement's text is added to a batch: notes its unique values in an open
     * transaction, or refuses it while they would need the locks and checks of {@link #run}.
     */
    void batchedText() throws SQLException {
        if (!needed || unique.isEmpty()) {
            return;
        }
        Map<ColumnPolicy, List<Object>> values = values(true);
        if (values == null) {
            return;
        }
        for (ColumnPolicy c : values.keySet()) {
            if (cipher(c).lookupVersions() > 1) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "a statement batch that writes " + c.column() + " is "
                        + "refused while ring '" + c.keyRing() + "' has more than one live data-key version: each value of "
                        + "a unique column is locked and checked across versions as it is written; run the statements one "
                        + "by one, or as a prepared statement's batch");
            }
        }
        if (!connection.raw().getAutoCommit()) {
            values.forEach(connection.guard()::note);
        }
    }

    /** The ciphertexts the statement writes into {@link #unique} columns, parameters and literals, or {@code null}. */
    private Map<ColumnPolicy, List<Object>> values(boolean single) throws SQLException {
        Map<ColumnPolicy, List<Object>> out = null;
        if (batched != null) {
            out = new IdentityHashMap<>();
            for (Map.Entry<ColumnPolicy, List<Object>> e : batched.entrySet()) {
                out.put(e.getKey(), new ArrayList<>(e.getValue()));
            }
        }
        if (single && current != null) {
            for (Bound b : current.values()) {
                if (out == null) {
                    out = new IdentityHashMap<>();
                }
                out.computeIfAbsent(b.column, k -> new ArrayList<>()).add(b.ciphertext);
            }
        }
        for (LiteralTarget l : plan.literals()) {
            if (!l.lookup().isLookup() && l.value() != null && unique.contains(l.column())) {
                if (out == null) {
                    out = new IdentityHashMap<>();
                }
                out.computeIfAbsent(l.column(), k -> new ArrayList<>()).add(cipher(l.column()).encrypt(l.value()));
            }
        }
        return out;
    }

    private static List<Object> flat(List<Object[]> values) {
        List<Object> out = new ArrayList<>();
        for (Object[] v : values) {
            out.addAll(Arrays.asList(v));
        }
        return out;
    }
}
