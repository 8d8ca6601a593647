package dev.veil.bench;

import dev.veil.crypto.ColumnCipher;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The benchmark application's data access for one accounts table, written as a plain JDBC app
 * would write it. With ciphers (the HAND mode) it encrypts email and ssn before binding and
 * decrypts them after reading; without, it binds and reads plaintext and leaves any encryption
 * to the driver underneath.
 */
final class AccountsClient {
    /** The table, with the SQL type of the two columns that are encrypted in the HAND and VEIL tables. */
    static final String DDL = "CREATE TABLE %1$s (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email %2$s, ssn %2$s, balance NUMERIC(12,2))";
    static final String EMAIL_INDEX = "CREATE INDEX %1$s_email ON %1$s (email)";

    private final DataSource pool;
    private final ColumnCipher email;
    private final ColumnCipher ssn;
    private final String insert;
    private final String byId;
    private final String byEmail;
    private final String scan;

    /**
     * @param email the email column's cipher when the application encrypts by hand, else {@code null}
     * @param ssn the ssn column's cipher when the application encrypts by hand, else {@code null}
     */
    AccountsClient(DataSource pool, String table, ColumnCipher email, ColumnCipher ssn) {
        this.pool = pool;
        this.email = email;
        this.ssn = ssn;
        this.insert = "INSERT INTO " + table + " (id, name, email, ssn, balance) VALUES (?, ?, ?, ?, ?)";
        this.byId = "SELECT id, name, email, ssn, balance FROM " + table + " WHERE id = ?";
        this.byEmail = "SELECT id, name, email, ssn, balance FROM " + table + " WHERE email = ?";
        this.scan = "SELECT id, name, email, ssn, balance FROM " + table;
    }

    /** Single-row INSERT of the row with this id, auto-commit. */
    long insert(long id) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(insert)) {
            bind(ps, id);
            return ps.executeUpdate();
        }
    }

    /** Point SELECT by primary key; the row must exist. */
    long selectById(long id) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(byId)) {
            ps.setLong(1, id);
            return readOne(ps, id);
        }
    }

    /** SELECT by the deterministic column; the row must exist, which proves equality search works. */
    long selectByEmail(long id) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(byEmail)) {
            HandCrypto.set(ps, 1, email, Rows.email(id));
            return readOne(ps, id);
        }
    }

    /** The three statements of the OLTP mix. */
    enum Kind { INSERT, BY_ID, BY_EMAIL }

    /**
     * Runs one statement of the mix as {@link #insert}, {@link #selectById} and {@link #selectByEmail}
     * do, or with {@code execute} false only prepares and binds it and closes it unrun: the client's
     * own part of a statement, which involves no server.
     */
    long run(Kind kind, long id, boolean execute) throws SQLException {
        if (execute) {
            return switch (kind) {
                case INSERT -> insert(id);
                case BY_ID -> selectById(id);
                case BY_EMAIL -> selectByEmail(id);
            };
        }
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(kind == Kind.INSERT ? insert : kind == Kind.BY_ID ? byId : byEmail)) {
            switch (kind) {
                case INSERT -> bind(ps, id);
                case BY_ID -> ps.setLong(1, id);
                case BY_EMAIL -> HandCrypto.set(ps, 1, email, Rows.email(id));
            }
        }
        return 1;
    }

    /** Inserts rows {@code first..first+count-1} in JDBC batches of {@code batchSize}, one commit per batch. */
    long batchInsert(long first, int count, int batchSize) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                for (int i = 0; i < count; i++) {
                    bind(ps, first + i);
                    ps.addBatch();
                    if ((i + 1) % batchSize == 0 || i == count - 1) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            } finally {
                c.setAutoCommit(true);
            }
        }
        return count;
    }

    /** Reads every row, both encrypted columns included; returns the row count. */
    long scan() throws SQLException {
        long rows = 0;
        long h = 0;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(scan); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                h += read(rs, -1);
                rows++;
            }
        }
        TimedRunner.sink += h;
        return rows;
    }

    private void bind(PreparedStatement ps, long id) throws SQLException {
        ps.setLong(1, id);
        ps.setString(2, Rows.name(id));
        HandCrypto.set(ps, 3, email, Rows.email(id));
        HandCrypto.set(ps, 4, ssn, Rows.ssn(id));
        ps.setBigDecimal(5, Rows.balance(id));
    }

    private long readOne(PreparedStatement ps, long id) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("row " + id + " not found: the lookup did not match what was written");
            }
            TimedRunner.sink += read(rs, id);
            return 1;
        }
    }

    /** Reads a row; with {@code expectedId >= 0} also checks that the application sees that row's plaintext e-mail. */
    private long read(ResultSet rs, long expectedId) throws SQLException {
        long id = rs.getLong(1);
        String name = rs.getString(2);
        String mail = HandCrypto.get(rs, 3, email);
        String nationalId = HandCrypto.get(rs, 4, ssn);
        BigDecimal balance = rs.getBigDecimal(5);
        if (expectedId >= 0 && !mail.equals(Rows.email(expectedId))) {
            throw new IllegalStateException("row " + expectedId + " read back a different e-mail: the driver did not decrypt");
        }
        return id + name.length() + mail.length() + nationalId.length() + balance.scale();
    }
}
