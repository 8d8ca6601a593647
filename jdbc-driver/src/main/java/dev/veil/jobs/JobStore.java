package dev.veil.jobs;

import dev.veil.keys.ConnectionFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The checkpoint tables: {@code veil_jobs} (one row per job) and {@code veil_job_chunks} (the
 * primary-key ranges workers claim). Chunks are claimed with {@code FOR UPDATE SKIP LOCKED} under a
 * lease, so any number of workers in any number of processes share the work, and a chunk whose
 * worker died is taken over when its lease runs out.
 */
final class JobStore {
    static final String JOBS = "veil_jobs";
    static final String CHUNKS = "veil_job_chunks";

    private final ConnectionFactory connections;

    JobStore(ConnectionFactory connections) {
        this.connections = connections;
    }

    /** A claimed chunk: keys in (lo, hi], resuming after {@code lastKey}. */
    record Chunk(int number, String lo, String hi, String lastKey, long rowsDone) {
    }

    /** The job row. */
    record Job(String id, String state, long totalRows) {
        boolean finished() {
            return "finished".equals(state);
        }
    }

    void ensureTables() throws SQLException {
        try (Connection c = connections.open(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + JOBS + " (job_id VARCHAR(300) NOT NULL PRIMARY KEY, kind VARCHAR(16) NOT NULL, "
                    + "table_name VARCHAR(256) NOT NULL, state VARCHAR(16) NOT NULL, total_rows BIGINT NOT NULL, "
                    + "started_at BIGINT NOT NULL, finished_at BIGINT)");
            s.execute("CREATE TABLE IF NOT EXISTS " + CHUNKS + " (job_id VARCHAR(300) NOT NULL, chunk_no INTEGER NOT NULL, "
                    + "lo_key VARCHAR(2000), hi_key VARCHAR(2000), state VARCHAR(16) NOT NULL, owner VARCHAR(200), "
                    + "lease_until BIGINT NOT NULL, last_key VARCHAR(2000), rows_done BIGINT NOT NULL, "
                    + "PRIMARY KEY (job_id, chunk_no))");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    Job job(String jobId) throws SQLException {
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT state, total_rows FROM " + JOBS + " WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Job(jobId, rs.getString(1), rs.getLong(2)) : null;
            }
        }
    }

    /**
     * Records a planned job and its chunks in one transaction.
     *
     * @return false when another process planned it first
     */
    boolean plan(String jobId, JobKind kind, String table, long totalRows, List<String> boundaries) throws SQLException {
        try (Connection c = connections.open()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + JOBS
                        + " (job_id, kind, table_name, state, total_rows, started_at) VALUES (?, ?, ?, 'running', ?, ?)")) {
                    ps.setString(1, jobId);
                    ps.setString(2, kind.label());
                    ps.setString(3, table);
                    ps.setLong(4, totalRows);
                    ps.setLong(5, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + CHUNKS
                        + " (job_id, chunk_no, lo_key, hi_key, state, lease_until, rows_done) VALUES (?, ?, ?, ?, 'pending', 0, 0)")) {
                    String lo = null;
                    for (int i = 0; i <= boundaries.size(); i++) {
                        String hi = i < boundaries.size() ? boundaries.get(i) : null;
                        ps.setString(1, jobId);
                        ps.setInt(2, i);
                        ps.setString(3, lo);
                        ps.setString(4, hi);
                        ps.addBatch();
                        lo = hi;
                    }
                    ps.executeBatch();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                if (e.getSQLState() != null && (e.getSQLState().startsWith("23") || e.getSQLState().startsWith("40"))) {
                    return false;
                }
                throw e;
            }
        }
    }

    /**
     * Claims the next pending chunk, or one whose lease ran out; null when none is left to claim.
     * Runs in its own transaction on the worker's connection {@code c} (auto-commit off), which it
     * commits: a worker keeps one connection for its claims and chunks, since opening one (a TLS
     * handshake, authentication) costs as much as rewriting thousands of rows.
     */
    static Chunk claim(Connection c, String jobId, String owner, long leaseMillis) throws SQLException {
        try {
            long now = System.currentTimeMillis();
            Chunk chunk = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT chunk_no, lo_key, hi_key, last_key, rows_done FROM " + CHUNKS
                    + " WHERE job_id = ? AND (state = 'pending' OR (state = 'running' AND lease_until < ?))"
                    + " ORDER BY chunk_no FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, jobId);
                ps.setLong(2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        chunk = new Chunk(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5));
                    }
                }
            }
            if (chunk != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + CHUNKS
                        + " SET state = 'running', owner = ?, lease_until = ? WHERE job_id = ? AND chunk_no = ?")) {
                    ps.setString(1, owner);
                    ps.setLong(2, now + leaseMillis);
                    ps.setString(3, jobId);
                    ps.setInt(4, chunk.number());
                    ps.executeUpdate();
                }
            }
            c.commit();
            return chunk;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    /**
     * Hands a chunk this owner holds back for the next claim, keeping its checkpoint, in its own
     * transaction on {@code c} (auto-commit off): a job that stopped on an error or an interrupt
     * is resumed at once by the next run instead of after the lease.
     */
    static void release(Connection c, String jobId, int chunk, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + CHUNKS
                + " SET state = 'pending', owner = NULL, lease_until = 0 WHERE job_id = ? AND chunk_no = ? AND owner = ? AND state = 'running'")) {
            ps.setString(1, jobId);
            ps.setInt(2, chunk);
            ps.setString(3, owner);
            ps.executeUpdate();
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    /**
     * Records progress inside the caller's transaction, so a batch's updates and its checkpoint
     * commit together: after a crash the next run resumes exactly after the last committed batch.
     */
    static void checkpoint(Connection tx, String jobId, int chunk, String lastKey, long rowsDone, long leaseUntil, boolean done)
            throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("UPDATE " + CHUNKS
                + " SET last_key = ?, rows_done = ?, lease_until = ?, state = ? WHERE job_id = ? AND chunk_no = ?")) {
            ps.setString(1, lastKey);
            ps.setLong(2, rowsDone);
            ps.setLong(3, leaseUntil);
            ps.setString(4, done ? "done" : "running");
            ps.setString(5, jobId);
            ps.setInt(6, chunk);
            ps.executeUpdate();
        }
    }

    /** Rows done over all chunks, and whether every chunk is done. */
    long[] totals(String jobId) throws SQLException {
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE(SUM(rows_done), 0), SUM(CASE WHEN state = 'done' THEN 0 ELSE 1 END) FROM " + CHUNKS + " WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Whether unfinished chunks exist that are not held by {@code owner} (another process, or a dead one). */
    boolean heldByOthers(String jobId, String owner) throws SQLException {
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + CHUNKS
                + " WHERE job_id = ? AND state <> 'done' AND (owner IS NULL OR owner <> ?)")) {
            ps.setString(1, jobId);
            ps.setString(2, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** Marks the job finished once no chunk is left. */
    void finish(String jobId) throws SQLException {
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement("UPDATE " + JOBS
                + " SET state = 'finished', finished_at = ? WHERE job_id = ? AND state <> 'finished'")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setString(2, jobId);
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    /** Forgets a job so it can run again from the start. */
    void reset(String jobId) throws SQLException {
        try (Connection c = connections.open()) {
            for (String table : new String[] {CHUNKS, JOBS}) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE job_id = ?")) {
                    ps.setString(1, jobId);
                    ps.executeUpdate();
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }
}
