package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.sql.LiteralTarget;
import dev.veil.sql.StatementPlan;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one statement must check before it runs while a ring that deterministic columns use has
 * more than one live data-key version (during a rotation, until the old version is retired):
 * <ul>
 * <li>joins, GROUP BY, DISTINCT over such a column are refused ({@code VE006}): values of two
 *     versions differ even when their plaintexts are equal;</li>
 * <li>a value inserted into such a column that has a unique index is looked up under the other live
 *     versions first, and refused with SQLState {@code 23505} when a row holds it (the database's
 *     constraint only sees equal ciphertexts, so it cannot catch this itself); a prepared UPDATE is
 *     checked after it ran instead, inside a savepoint (or a transaction of its own under
 *     auto-commit) that is rolled back on a duplicate, because before it runs the row it updates
 *     cannot be told from another row holding the same value;</li>
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
    /** Values per precheck query. */
    private static final int CHUNK = 200;

    private final VeilConnection connection;
    private final StatementPlan plan;
    /** Deterministic columns the statement writes; how each takes part in unique indexes is read on first need. */
    private final List<ColumnPolicy> written;
    /**
     * Of {@link #written}, those that carry a unique index of their own, and those that are unique
     * only together with other columns; {@code null} until a written column's ring has several live
     * versions (only then do they matter, and in the common case the catalog is never asked).
     */
    private List<ColumnPolicy> unique;
    private List<ColumnPolicy> uniqueWithOthers;
    private final boolean needed;
    /** For prepared statements: the data-key ids each lookup literal was encrypted under. */
    private final Map<ColumnPolicy, int[]> literalKeys;
    /** Forms under the other live versions of the values bound now, and of the rows batched. */
    private Map<ColumnPolicy, List<Object>> current;
    private Map<ColumnPolicy, List<Object>> batched;
    /** For an UPDATE: every live version's form of each value bound now, and of the rows batched. */
    private Map<ColumnPolicy, List<Object[]>> currentUpdated;
    private Map<ColumnPolicy, List<Object[]>> batchedUpdated;

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
        this.written = List.of();
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
        return plan.touchesEncrypted() ? new VersionChecks(connection, plan, prepared) : NONE;
    }

    private VersionChecks(VeilConnection connection, StatementPlan plan, boolean prepared) throws VeilException {
        this.connection = connection;
        this.plan = plan;
        this.written = plan.deterministicWrites();
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
        this.needed = !written.isEmpty() || !plan.versionSensitive().isEmpty() || keys != null;
    }

    /**
     * Reads (once per statement) how the written columns take part in unique indexes, when one of
     * their rings has several live versions now; otherwise leaves both lists unread. Returns whether
     * they were read.
     */
    private boolean rotating() throws SQLException {
        if (unique != null) {
            return true;
        }
        boolean any = false;
        for (ColumnPolicy c : written) {
            if (cipher(c).lookupVersions() > 1) {
                any = true;
                break;
            }
        }
        if (!any) {
            return false;
        }
        List<ColumnPolicy> u = new ArrayList<>();
        List<ColumnPolicy> w = new ArrayList<>();
        for (ColumnPolicy c : written) {
            switch (connection.uniqueness(c)) {
                case ALONE -> u.add(c);
                case WITH_OTHERS -> w.add(c);
                case NONE -> {
                }
            }
        }
        uniqueWithOthers = w;
        unique = u;
        return true;
    }

    private ColumnCipher cipher(ColumnPolicy c) {
        return connection.runtime().veil().cipher(c);
    }

    /** A value is bound for deterministic column {@code column}: notes its forms under the other live versions when it has a unique index. */
    void written(ColumnPolicy column, ColumnCipher cipher, Object value) throws SQLException {
        if (cipher.lookupVersions() <= 1 || !rotating() || !unique.contains(column)) {
            return;
        }
        Object[] forms = new Object[StatementPlan.LOOKUP_SLOTS];
        int n = cipher.encryptForLookup(value, forms);
        if (plan.update()) {
            if (currentUpdated == null) {
                currentUpdated = new IdentityHashMap<>();
            }
            currentUpdated.computeIfAbsent(column, c -> new ArrayList<>()).add(Arrays.copyOf(forms, n));
            return;
        }
        if (current == null) {
            current = new IdentityHashMap<>();
        }
        current.computeIfAbsent(column, c -> new ArrayList<>()).addAll(Arrays.asList(forms).subList(1, n));
    }

    void addBatch() {
        if (!needed) {
            return;
        }
        if (current != null) {
            if (batched == null) {
                batched = new IdentityHashMap<>();
            }
            current.forEach((c, forms) -> batched.computeIfAbsent(c, k -> new ArrayList<>()).addAll(forms));
            current = null;
        }
        if (currentUpdated != null) {
            if (batchedUpdated == null) {
                batchedUpdated = new IdentityHashMap<>();
            }
            currentUpdated.forEach((c, values) -> batchedUpdated.computeIfAbsent(c, k -> new ArrayList<>()).addAll(values));
            currentUpdated = null;
        }
    }

    void clear() {
        if (!needed) {
            return;
        }
        current = null;
        batched = null;
        currentUpdated = null;
        batchedUpdated = null;
    }

    void clearParameters() {
        if (!needed) {
            return;
        }
        current = null;
        currentUpdated = null;
    }

    /**
     * Runs the checks before the statement (or its batch, when {@code single} is false) runs.
     *
     * @throws SQLException {@code VE006} for a statement that cannot be exact now, {@code 23505}
     *         for a value that another live version already holds in a unique column
     */
    void beforeRun(boolean single) throws SQLException {
        if (!needed) {
            return;
        }
        try {
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
            if (!rotating()) {
                return;
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
            for (ColumnPolicy c : unique) {
                if (cipher(c).lookupVersions() <= 1) {
                    continue;
                }
                if (plan.upsert()) {
                    throw new VeilException(VeilState.UNSUPPORTED_SQL, "an upsert on " + c.column() + " cannot see rows "
                            + "written under the other live data-key versions of ring '" + c.keyRing() + "' and is refused "
                            + "until the rotation ends (veil rekey, then veil keys retire of the old version)");
                }
                if (plan.update()) {
                    continue; // checked after it runs: see run()
                }
                List<Object> forms = new ArrayList<>();
                if (batched != null && batched.get(c) != null) {
                    forms.addAll(batched.get(c));
                }
                if (single && current != null && current.get(c) != null) {
                    forms.addAll(current.get(c));
                }
                for (LiteralTarget l : plan.literals()) {
                    if (l.column() == c && !l.lookup().isLookup()) {
                        Object[] out = new Object[StatementPlan.LOOKUP_SLOTS];
                        int n = cipher(c).encryptForLookup(l.value(), out);
                        forms.addAll(Arrays.asList(out).subList(1, n));
                    }
                }
                precheck(c, forms);
            }
        } finally {
            if (!single) {
                batched = null;
            }
        }
    }

    /**
     * Runs the statement; for an UPDATE that writes a value into a unique deterministic column
     * whose ring has several live versions, inside a savepoint (or, under auto-commit, a
     * transaction of its own), checking afterwards that no two rows hold the value under any
     * versions, and rolling back when they do.
     *
     * @throws SQLException {@code 23505} for a value two rows now hold, after the rollback
     */
    <T> T run(Execution<T> execution, boolean single) throws SQLException {
        Map<ColumnPolicy, List<Object[]>> values = needed && plan.update() ? updatedValues(single) : null;
        if (!single) {
            batchedUpdated = null;
        }
        if (values == null) {
            return execution.run();
        }
        Connection raw = connection.raw();
        boolean auto = raw.getAutoCommit();
        java.sql.Savepoint savepoint = null;
        if (auto) {
            raw.setAutoCommit(false);
        } else {
            savepoint = raw.setSavepoint();
        }
        boolean ok = false;
        try {
            T result = execution.run();
            for (Map.Entry<ColumnPolicy, List<Object[]>> e : values.entrySet()) {
                postcheck(e.getKey(), e.getValue());
            }
            ok = true;
            return result;
        } finally {
            try {
                if (auto) {
                    if (ok) {
                        raw.commit();
                    } else {
                        raw.rollback();
                    }
                } else if (ok) {
                    raw.releaseSavepoint(savepoint);
                } else {
                    raw.rollback(savepoint);
                }
            } finally {
                if (auto) {
                    raw.setAutoCommit(true);
                }
            }
        }
    }

    /** The values an UPDATE writes into unique columns whose ring has several live versions, or {@code null}. */
    private Map<ColumnPolicy, List<Object[]>> updatedValues(boolean single) throws SQLException {
        if (!rotating()) {
            return null;
        }
        Map<ColumnPolicy, List<Object[]>> out = null;
        for (ColumnPolicy c : unique) {
            ColumnCipher cipher = cipher(c);
            if (cipher.lookupVersions() <= 1) {
                continue;
            }
            List<Object[]> values = new ArrayList<>();
            if (batchedUpdated != null && batchedUpdated.get(c) != null) {
                values.addAll(batchedUpdated.get(c));
            }
            if (single && currentUpdated != null && currentUpdated.get(c) != null) {
                values.addAll(currentUpdated.get(c));
            }
            for (LiteralTarget l : plan.literals()) {
                if (l.column() == c && !l.lookup().isLookup()) {
                    Object[] forms = new Object[StatementPlan.LOOKUP_SLOTS];
                    values.add(Arrays.copyOf(forms, cipher.encryptForLookup(l.value(), forms)));
                }
            }
            if (!values.isEmpty()) {
                if (out == null) {
                    out = new IdentityHashMap<>();
                }
                out.put(c, values);
            }
        }
        return out;
    }

    /** Refuses when two rows of {@code column}'s table hold one of {@code values} (each given in every live version's form). */
    private void postcheck(ColumnPolicy column, List<Object[]> values) throws SQLException {
        Map<Object, Integer> owner = new java.util.HashMap<>();
        List<Object> forms = new ArrayList<>();
        for (int v = 0; v < values.size(); v++) {
            for (Object f : values.get(v)) {
                if (owner.putIfAbsent(key(f), v) == null) {
                    forms.add(f);
                }
            }
        }
        int[] rows = new int[values.size()];
        Connection raw = connection.raw();
        for (int from = 0; from < forms.size(); from += CHUNK) {
            List<Object> chunk = forms.subList(from, Math.min(forms.size(), from + CHUNK));
            String sql = "SELECT " + column.column().column() + " FROM " + column.column().table() + " WHERE "
                    + column.column().column() + " IN (" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
            try (PreparedStatement ps = raw.prepareStatement(sql)) {
                bind(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object stored = column.storage() == dev.veil.policy.StorageFormat.TEXT ? rs.getString(1) : rs.getBytes(1);
                        Integer v = owner.get(key(stored));
                        if (v != null && ++rows[v] > 1) {
                            throw duplicate(column);
                        }
                    }
                }
            }
        }
    }

    private static Object key(Object form) {
        return form instanceof byte[] b ? java.nio.ByteBuffer.wrap(b) : form;
    }

    private static void bind(PreparedStatement ps, List<Object> forms) throws SQLException {
        for (int i = 0; i < forms.size(); i++) {
            Object f = forms.get(i);
            if (f instanceof String s) {
                ps.setString(i + 1, s);
            } else {
                ps.setBytes(i + 1, (byte[]) f);
            }
        }
    }

    private static SQLException duplicate(ColumnPolicy column) {
        return new SQLIntegrityConstraintViolationException("duplicate value for unique column " + column.column()
                + ": a row already holds it under another data-key version of ring '" + column.keyRing()
                + "' (Veil checks this while the ring is being rotated)", "23505");
    }

    /** Refuses when a row of {@code column}'s table already holds one of {@code forms}. */
    private void precheck(ColumnPolicy column, List<Object> forms) throws SQLException {
        Connection raw = connection.raw();
        for (int from = 0; from < forms.size(); from += CHUNK) {
            List<Object> chunk = forms.subList(from, Math.min(forms.size(), from + CHUNK));
            String sql = "SELECT 1 FROM " + column.column().table() + " WHERE " + column.column().column() + " IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ") LIMIT 1";
            try (PreparedStatement ps = raw.prepareStatement(sql)) {
                bind(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw duplicate(column);
                    }
                }
            }
        }
    }
}
