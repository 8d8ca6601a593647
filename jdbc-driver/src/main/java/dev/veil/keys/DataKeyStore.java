package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The data-key table (default {@code veil_keys}), reached through plain JDBC. Its DDL is portable
 * across PostgreSQL, MariaDB/MySQL and H2: times are epoch milliseconds, wrapped keys base64 text.
 * A unique constraint on (ring, version) makes concurrent rotations safe: of two processes that
 * try to create the same version, exactly one succeeds.
 */
public final class DataKeyStore {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    private static final String COLUMNS = "key_id, ring, version, state, created_at, expires_at, kek_id, wrapped_key";

    private final ConnectionFactory connections;
    private final String table;
    private volatile boolean tableReady;

    /**
     * @param table the table name, optionally schema-qualified (plain identifiers only)
     */
    public DataKeyStore(ConnectionFactory connections, String table) throws VeilException {
        if (!TABLE.matcher(table).matches()) {
            throw new VeilException(VeilState.POLICY_INVALID, "key table name '" + table + "' must be a plain identifier, optionally schema-qualified");
        }
        this.connections = connections;
        this.table = table;
    }

    public String table() {
        return table;
    }

    /** Creates the table when it is missing. Safe to call from several processes at once. */
    public void ensureTable() throws VeilException {
        if (tableReady) {
            return;
        }
        String base = table.substring(table.indexOf('.') + 1);
        String ddl = "CREATE TABLE IF NOT EXISTS " + table + " ("
                + "key_id INTEGER NOT NULL, "
                + "ring VARCHAR(64) NOT NULL, "
                + "version INTEGER NOT NULL, "
                + "state VARCHAR(16) NOT NULL, "
                + "created_at BIGINT NOT NULL, "
                + "expires_at BIGINT, "
                + "kek_id VARCHAR(255) NOT NULL, "
                + "wrapped_key VARCHAR(1024), "
                + "CONSTRAINT " + base + "_pk PRIMARY KEY (key_id), "
                + "CONSTRAINT " + base + "_ring_version UNIQUE (ring, version))";
        try (Connection c = connections.open()) {
            if (exists(c)) {
                tableReady = true;
                return;
            }
            try (Statement s = c.createStatement()) {
                s.execute(ddl);
            } catch (SQLException e) {
                // another process may have created it between our check and our CREATE
                if (!exists(c)) {
                    throw e;
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            tableReady = true;
        } catch (SQLException e) {
            throw storeFailure("create", e);
        }
    }

    private boolean exists(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT key_id FROM " + table + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            if (!autoCommit) {
                c.rollback();
            }
            return false;
        }
    }

    /**
     * Whether the table does not exist: its probe fails with "undefined table" (PostgreSQL 42P01,
     * MariaDB/MySQL 42S02, H2 42S02/42S04). Any other failure (no connection, no privilege) is
     * thrown, so it is reported as the failure it is rather than as an empty key table.
     */
    private boolean missing(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT key_id FROM " + table + " WHERE 1 = 0").close();
            return false;
        } catch (SQLException e) {
            if (!autoCommit) {
                c.rollback();
            }
            if (undefinedTable(e)) {
                return true;
            }
            throw e;
        }
    }

    /** Whether a statement on the key table failed because it does not exist (PostgreSQL 42P01, MariaDB/MySQL 42S02, H2 42S02/42S04). */
    private static boolean undefinedTable(SQLException e) {
        String state = e.getSQLState();
        return state != null && Set.of("42P01", "42S02", "42S04", "42102", "42104").contains(state);
    }

    /** The keys of a ring, by ascending version. */
    public List<KeyRecord> ring(String ring) throws VeilException {
        return query("SELECT " + COLUMNS + " FROM " + table + " WHERE ring = ? ORDER BY version", ring);
    }

    /**
     * {@link #ring(String)} read through a connection of the caller's, left open, which must reach
     * the key table's database and be in auto-commit mode: each statement is then its own
     * transaction, and the connection is left in the state it was found in.
     */
    public List<KeyRecord> ring(String ring, Connection c) throws VeilException {
        try {
            if (!c.getAutoCommit()) {
                throw new IllegalArgumentException("reading the key table through a connection needs auto-commit");
            }
            return query(c, "SELECT " + COLUMNS + " FROM " + table + " WHERE ring = ? ORDER BY version", ring);
        } catch (SQLException | IllegalArgumentException e) {
            throw storeFailure("read", e);
        }
    }

    /** The key with this id. */
    public Optional<KeyRecord> find(int keyId) throws VeilException {
        List<KeyRecord> r = query("SELECT " + COLUMNS + " FROM " + table + " WHERE key_id = ?", keyId);
        return r.stream().findFirst();
    }

    /** Every key, by ring and version. */
    public List<KeyRecord> all() throws VeilException {
        return query("SELECT " + COLUMNS + " FROM " + table + " ORDER BY ring, version");
    }

    /**
     * Adds {@code record} as its ring's active key and demotes every other active key of the ring
     * to decrypt-only, in one transaction.
     *
     * @return {@code false} if another process won the race (that ring version or key id already
     *         exists, or the database aborted this transaction against the other); the caller
     *         re-reads the ring
     */
    public boolean insertActive(KeyRecord record) throws VeilException {
        ensureTable();
        try (Connection c = connections.open()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setInt(1, record.keyId());
                    ps.setString(2, record.ring());
                    ps.setInt(3, record.version());
                    ps.setString(4, record.state().storedName());
                    ps.setLong(5, record.createdAt().toEpochMilli());
                    if (record.expiresAt() == null) {
                        ps.setNull(6, Types.BIGINT);
                    } else {
                        ps.setLong(6, record.expiresAt().toEpochMilli());
                    }
                    ps.setString(7, record.masterKeyId());
                    ps.setString(8, Base64.getEncoder().encodeToString(record.wrapped()));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = ? WHERE ring = ? AND state = ? AND key_id <> ?")) {
                    ps.setString(1, KeyState.DECRYPT_ONLY.storedName());
                    ps.setString(2, record.ring());
                    ps.setString(3, KeyState.ACTIVE.storedName());
                    ps.setInt(4, record.keyId());
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (lostRace(e)) {
                    return false;
                }
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw storeFailure("write", e);
        }
    }

    /** Changes a key's state. */
    public void setState(int keyId, KeyState state) throws VeilException {
        update("UPDATE " + table + " SET state = ? WHERE key_id = ?", state.storedName(), keyId);
    }

    /** Crypto-shreds a key: marks it destroyed and erases its wrapped bytes. */
    public void destroy(int keyId) throws VeilException {
        update("UPDATE " + table + " SET state = ?, wrapped_key = NULL WHERE key_id = ?", KeyState.DESTROYED.storedName(), keyId);
    }

    /** Replaces a key's wrapping (master-key rotation); the data key itself is unchanged. */
    public void rewrap(int keyId, String masterKeyId, byte[] wrapped) throws VeilException {
        update("UPDATE " + table + " SET kek_id = ?, wrapped_key = ? WHERE key_id = ? AND wrapped_key IS NOT NULL",
                masterKeyId, Base64.getEncoder().encodeToString(wrapped), keyId);
    }

    private void update(String sql, Object... args) throws VeilException {
        ensureTable();
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw storeFailure("write", e);
        }
    }

    /**
     * Reads keys. Never creates the table: read-only commands (and a process that only reads) leave
     * the database as they found it; a table that does not exist yet holds no keys.
     */
    private List<KeyRecord> query(String sql, Object... args) throws VeilException {
        try (Connection c = connections.open()) {
            return query(c, sql, args);
        } catch (SQLException | IllegalArgumentException e) {
            throw storeFailure("read", e);
        }
    }

    private List<KeyRecord> query(Connection c, String sql, Object... args) throws SQLException {
        if (!tableReady) {
            if (c.getAutoCommit()) {
                // each statement is its own transaction: the read itself tells a missing table, one round trip fewer
                try {
                    List<KeyRecord> out = read(c, sql, args);
                    tableReady = true;
                    return out;
                } catch (SQLException e) {
                    if (undefinedTable(e)) {
                        return List.of();
                    }
                    throw e;
                }
            }
            if (missing(c)) {
                return List.of();
            }
            tableReady = true;
        }
        return read(c, sql, args);
    }

    private static List<KeyRecord> read(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<KeyRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long expires = rs.getLong(6);
                    boolean noExpiry = rs.wasNull();
                    String wrapped = rs.getString(8);
                    out.add(new KeyRecord(rs.getInt(1), rs.getString(2), rs.getInt(3), KeyState.ofStoredName(rs.getString(4)),
                            Instant.ofEpochMilli(rs.getLong(5)), noExpiry ? null : Instant.ofEpochMilli(expires),
                            rs.getString(7), wrapped == null ? null : Base64.getDecoder().decode(wrapped)));
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return out;
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    /**
     * Whether a failed rotation insert means another process got there first: a unique violation
     * (class 23: PostgreSQL, H2) or a deadlock/serialization failure (class 40: MariaDB's InnoDB
     * resolves the same race by aborting one transaction). Either way the caller re-reads the ring.
     */
    static boolean lostRace(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("23") || s.getSQLState().startsWith("40"))) {
                return true;
            }
        }
        return false;
    }

    private VeilException storeFailure(String what, Exception e) {
        String detail = e instanceof SQLException s ? dev.veil.DatabaseFailure.describe(s) : "a stored key is damaged: " + e.getClass().getSimpleName();
        return new VeilException(VeilState.KEY_STORE_FAILURE, "cannot " + what + " data-key table " + table + " (" + detail + ")", e);
    }
}
