package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.StorageFormat;
import dev.veil.sql.StatementPlan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransactionRollbackException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps a unique deterministic column unique across data-key versions for one connection, while
 * its ring has more than one live version (a rotation, pending or under way):
 * <ul>
 * <li>a writer of a value takes a lock keyed by the value's form under every live version
 *     (PostgreSQL {@code pg_advisory_xact_lock}; MariaDB/MySQL {@code GET_LOCK}, released by Veil
 *     when the transaction ends through this connection), so two writers of one value, under
 *     whichever versions, run one after the other and the second one's check sees the first
 *     one's row;</li>
 * <li>a value written in a transaction while only one version was live is noted, and checked
 *     under the lock at commit if a new version appeared meanwhile: a transaction open across
 *     the moment the new version became the write key cannot commit a duplicate.</li>
 * </ul>
 * Not thread-safe: one per connection, as the connection itself.
 */
final class UniqueGuard {
    /** Values per check query. */
    private static final int CHUNK = 200;
    /** Values of one transaction noted for the commit check; past this the commit is refused if a rotation began. */
    static final int MAX_NOTED = 100_000;
    /** PostgreSQL: more values than this in one statement lock the whole column instead (the lock table is small). */
    private static final int MAX_VALUE_LOCKS = 64;
    /** How long MariaDB/MySQL wait for another transaction's lock on a value, in seconds. */
    private static final int LOCK_WAIT_SECONDS = 50;

    private final VeilConnection connection;
    /** MariaDB/MySQL lock names held until the transaction ends. */
    private final Set<String> held = new LinkedHashSet<>();
    /** Ciphertexts written in this transaction while their ring had one live version. */
    private Map<ColumnPolicy, List<Object>> noted;
    private int notedCount;
    private boolean overflow;

    UniqueGuard(VeilConnection connection) {
        this.connection = connection;
    }

    /**
     * Takes the transaction-scoped locks on {@code forms} (a value's forms under every live
     * version) of {@code column}, waiting for a transaction that holds one.
     *
     * @throws SQLException {@code VE006} when the database offers no such lock or the isolation
     *         level would hide the rows the check must see
     */
    void lock(ColumnPolicy column, List<Object> forms) throws SQLException {
        SqlDialect dialect = connection.dialect();
        Connection raw = connection.raw();
        if (dialect == SqlDialect.POSTGRESQL) {
            if (raw.getTransactionIsolation() == Connection.TRANSACTION_REPEATABLE_READ) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "writes of " + column.column() + " are refused in "
                        + "REPEATABLE READ transactions while ring '" + column.keyRing() + "' has more than one live "
                        + "data-key version: the check that keeps the column unique across versions must see rows other "
                        + "transactions committed; use READ COMMITTED or SERIALIZABLE until the rotation ends");
            }
            TreeSet<Long> keys = new TreeSet<>();
            for (Object f : forms) {
                keys.add(ByteBuffer.wrap(digest("", column, f)).getLong());
            }
            long columnKey = ByteBuffer.wrap(digest("", column, "")).getLong();
            // a few values: the column's lock shared, then each value's; many (a bulk insert): the
            // column's lock alone, exclusive, which keeps the lock table small and still orders
            // every writer of the column after this transaction
            List<String> calls = new ArrayList<>();
            List<Long> args = new ArrayList<>();
            if (keys.size() <= MAX_VALUE_LOCKS) {
                calls.add("pg_advisory_xact_lock_shared(?)");
                args.add(columnKey);
                for (long k : keys) {
                    calls.add("pg_advisory_xact_lock(?)");
                    args.add(k);
                }
            } else {
                calls.add("pg_advisory_xact_lock(?)");
                args.add(columnKey);
            }
            try (PreparedStatement ps = raw.prepareStatement("SELECT " + String.join(", ", calls))) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setLong(i + 1, args.get(i));
                }
                ps.executeQuery().close();
            }
        } else if (dialect == SqlDialect.MYSQL) {
            String database = String.valueOf(raw.getCatalog());
            TreeSet<String> names = new TreeSet<>();
            for (Object f : forms) {
                String name = "veil:" + java.util.HexFormat.of().formatHex(digest(database, column, f), 0, 16);
                if (!held.contains(name)) {
                    names.add(name);
                }
            }
            List<String> sorted = new ArrayList<>(names);
            for (int from = 0; from < sorted.size(); from += CHUNK) {
                List<String> chunk = sorted.subList(from, Math.min(sorted.size(), from + CHUNK));
                boolean all = true;
                try (PreparedStatement ps = raw.prepareStatement("SELECT "
                        + String.join(", ", Collections.nCopies(chunk.size(), "GET_LOCK(?, " + LOCK_WAIT_SECONDS + ")")))) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        for (int i = 0; i < chunk.size(); i++) {
                            if (rs.getInt(i + 1) == 1) {
                                held.add(chunk.get(i));
                            } else {
                                all = false;
                            }
                        }
                    }
                }
                if (!all) {
                    throw new SQLTransactionRollbackException("another transaction holds a value of " + column.column()
                            + " locked for longer than " + LOCK_WAIT_SECONDS + " s (Veil locks values of unique "
                            + "columns while ring '" + column.keyRing() + "' is rotated); retry", "40001");
                }
            }
        } else {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "writes of " + column.column() + " are refused while ring '"
                    + column.keyRing() + "' has more than one live data-key version: the column is unique, and on this "
                    + "database Veil has no lock to keep it unique across versions; the rotation ends after veil rekey "
                    + "and veil keys retire of the old version");
        }
    }

    /** SHA-256 over the database (MariaDB: lock names are server-wide), the column and one form. */
    private static byte[] digest(String database, ColumnPolicy column, Object form) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(database.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(column.column().toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(form instanceof byte[] b ? b : form.toString().getBytes(StandardCharsets.UTF_8));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the checks must read with locks to see the latest committed rows: on MariaDB/MySQL,
     * in a transaction Veil did not begin itself ({@code own}) that may hold an older snapshot
     * (REPEATABLE READ, SERIALIZABLE). A locking read takes gap locks there, so concurrent writers
     * may meet a deadlock ({@code 40001}) where a plain read would have missed a row.
     */
    boolean lockingReads(boolean own) throws SQLException {
        return connection.dialect() == SqlDialect.MYSQL && !own
                && connection.raw().getTransactionIsolation() > Connection.TRANSACTION_READ_COMMITTED;
    }

    /**
     * Refuses when a row of {@code column}'s table holds one of {@code forms} (a value about to be
     * inserted, in every live version's form).
     *
     * @param locking see {@link #lockingReads}
     */
    void precheck(ColumnPolicy column, List<Object> forms, boolean locking) throws SQLException {
        String lock = locking ? " LOCK IN SHARE MODE" : "";
        for (int from = 0; from < forms.size(); from += CHUNK) {
            List<Object> chunk = forms.subList(from, Math.min(forms.size(), from + CHUNK));
            String sql = "SELECT 1 FROM " + column.column().table() + " WHERE " + column.column().column() + " IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ") LIMIT 1" + lock;
            try (PreparedStatement ps = connection.raw().prepareStatement(sql)) {
                bind(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw duplicate(column);
                    }
                }
            }
        }
    }

    /**
     * Refuses when two rows of {@code column}'s table hold one of {@code values} (each given in
     * every live version's form), the rows this transaction wrote included.
     *
     * @param locking see {@link #lockingReads}
     */
    void postcheck(ColumnPolicy column, List<Object[]> values, boolean locking) throws SQLException {
        String lock = locking ? " LOCK IN SHARE MODE" : "";
        Map<Object, Integer> owner = new HashMap<>();
        List<Object> forms = new ArrayList<>();
        for (int v = 0; v < values.size(); v++) {
            for (Object f : values.get(v)) {
                if (owner.putIfAbsent(key(f), v) == null) {
                    forms.add(f);
                }
            }
        }
        int[] rows = new int[values.size()];
        for (int from = 0; from < forms.size(); from += CHUNK) {
            List<Object> chunk = forms.subList(from, Math.min(forms.size(), from + CHUNK));
            String sql = "SELECT " + column.column().column() + " FROM " + column.column().table() + " WHERE "
                    + column.column().column() + " IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")" + lock;
            try (PreparedStatement ps = connection.raw().prepareStatement(sql)) {
                bind(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object stored = column.storage() == StorageFormat.TEXT ? rs.getString(1) : rs.getBytes(1);
                        Integer v = owner.get(key(stored));
                        if (v != null && ++rows[v] > 1) {
                            throw duplicate(column);
                        }
                    }
                }
            }
        }
    }

    /** A value's form under every live version of its column's ring, from its stored ciphertext. */
    static Object[] forms(ColumnCipher cipher, Object ciphertext) throws SQLException {
        Object[] out = new Object[StatementPlan.LOOKUP_SLOTS];
        int n = cipher.encryptForLookup(cipher.decrypt(ciphertext), out);
        return Arrays.copyOf(out, n);
    }

    /**
     * Values written in this transaction into a unique column while its ring had one live
     * version: checked at commit if another version is live by then (see {@link #beforeCommit}).
     */
    void note(ColumnPolicy column, List<Object> ciphertexts) {
        if (overflow || ciphertexts.isEmpty()) {
            return;
        }
        notedCount += ciphertexts.size();
        if (notedCount > MAX_NOTED) {
            overflow = true;
        }
        if (noted == null) {
            noted = new IdentityHashMap<>();
        }
        noted.computeIfAbsent(column, c -> new ArrayList<>()).addAll(ciphertexts);
    }

    /**
     * Before the transaction commits: for each unique column written while its ring had one live
     * version and that has more now, locks the values written and checks that no other row holds
     * one of them under another version. On a duplicate, rolls the transaction back.
     *
     * @throws SQLException {@code 23505} for a value another row holds (the transaction is rolled
     *         back), {@code 40001} when too many values were written to check them
     */
    void beforeCommit() throws SQLException {
        if (noted == null) {
            return;
        }
        try {
            for (Map.Entry<ColumnPolicy, List<Object>> e : noted.entrySet()) {
                ColumnCipher cipher = connection.runtime().veil().cipher(e.getKey());
                if (cipher.lookupVersions() <= 1) {
                    continue;
                }
                if (overflow) {
                    throw new SQLTransactionRollbackException("this transaction wrote more than " + MAX_NOTED + " values of "
                            + "unique columns, " + e.getKey().column() + " among them, before a new data-key version of ring '"
                            + e.getKey().keyRing() + "' appeared, too many to check them across versions; it was rolled back: "
                            + "retry it", "40001");
                }
                List<Object[]> values = new ArrayList<>();
                List<Object> all = new ArrayList<>();
                for (Object c : e.getValue()) {
                    Object[] forms = forms(cipher, c);
                    values.add(forms);
                    all.addAll(Arrays.asList(forms));
                }
                if (connection.dialect() != SqlDialect.MYSQL) {
                    lock(e.getKey(), all);
                }
                // MariaDB: no named lock here, a locking read instead, whatever the isolation level. It waits
                // for a transaction that holds one of the forms uncommitted, while a named lock could close
                // a cycle with such a writer's own check (waiting on this transaction's row) that no
                // deadlock detector sees
                postcheck(e.getKey(), values, connection.dialect() == SqlDialect.MYSQL);
            }
        } catch (SQLException | RuntimeException failed) {
            try {
                connection.raw().rollback();
            } catch (SQLException suppressed) {
                failed.addSuppressed(suppressed);
            }
            ended();
            throw failed;
        }
    }

    /**
     * A {@code COMMIT} (or {@code END}, {@code PREPARE TRANSACTION}) sent as SQL text is about to
     * run. Veil cannot run {@link #beforeCommit()}'s check and release its locks around a text, so
     * while a check is due or locks are held the text is refused; otherwise the values noted so
     * far are forgotten, as the transaction ends.
     *
     * @throws VeilException {@code VE006} naming the column, when the commit must go through
     *         {@link java.sql.Connection#commit()}
     */
    void beforeTextCommit() throws SQLException {
        ColumnPolicy due = null;
        if (noted != null) {
            for (ColumnPolicy column : noted.keySet()) {
                if (overflow || connection.runtime().veil().cipher(column).lookupVersions() > 1) {
                    due = column;
                    break;
                }
            }
        }
        if (due != null || !held.isEmpty()) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, (due != null ? due.column() + ": " : "")
                    + "this transaction wrote a unique deterministic column while its ring has several live data-key "
                    + "versions; a COMMIT sent as SQL text would skip the check that keeps the column unique: "
                    + "commit through Connection.commit() (the transaction is still open)");
        }
        noted = null;
        notedCount = 0;
        overflow = false;
    }

    /** The transaction ended (commit, rollback, or the connection closes): releases MariaDB's locks, forgets noted values. */
    void ended() throws SQLException {
        noted = null;
        notedCount = 0;
        overflow = false;
        if (held.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(held);
        held.clear();
        for (int from = 0; from < names.size(); from += CHUNK) {
            List<String> chunk = names.subList(from, Math.min(names.size(), from + CHUNK));
            try (PreparedStatement ps = connection.raw().prepareStatement("SELECT "
                    + String.join(", ", Collections.nCopies(chunk.size(), "RELEASE_LOCK(?)")))) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                ps.executeQuery().close();
            }
        }
    }

    private static Object key(Object form) {
        return form instanceof byte[] b ? ByteBuffer.wrap(b) : form;
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

    static SQLException duplicate(ColumnPolicy column) {
        return new SQLIntegrityConstraintViolationException("duplicate value for unique column " + column.column()
                + ": a row already holds it under another data-key version of ring '" + column.keyRing()
                + "' (Veil checks this while the ring is being rotated)", "23505");
    }
}
