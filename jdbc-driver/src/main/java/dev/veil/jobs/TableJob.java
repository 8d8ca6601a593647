package dev.veil.jobs;

import dev.veil.Veil;
import dev.veil.DatabaseFailure;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.StorageFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Migrates or re-keys one table online: keyset pagination over the primary key in batches, inside
 * key ranges (chunks) that workers of any number of processes claim from {@code veil_job_chunks}.
 *
 * <p>Every row is written with a compare-and-set on the exact values it read, so an application
 * write that lands between our read and our update is never overwritten: the row is read again
 * and, if it still needs work, retried. Each batch's updates and its checkpoint commit in one
 * transaction, so after a crash or a kill the next run resumes right after the last committed
 * batch, and redoing a batch is harmless (a value already encrypted, or already under the active
 * key, is left alone — nothing is ever encrypted twice).
 */
public final class TableJob {
    private static final Logger LOG = LoggerFactory.getLogger(TableJob.class);
    private static final int MAX_RETRIES = 5;

    private final Veil veil;
    private final ConnectionFactory db;
    private final String table;
    private final JobKind kind;
    private final JobOptions options;
    private final ProgressListener listener;
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);

    private final AtomicLong scanned = new AtomicLong();
    private final AtomicLong changed = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    /** The search tokens written with the values (set once the table's shape is read). */
    private volatile JobTokens search;

    /**
     * @param db plain (not Veil-wrapped) connections to the application's database
     * @param table the table, optionally schema-qualified, as the policy names it
     */
    public TableJob(Veil veil, ConnectionFactory db, String table, JobKind kind, JobOptions options, ProgressListener listener) {
        if (kind == JobKind.VERIFY) {
            throw new IllegalArgumentException("verify is read-only: use Verifier");
        }
        this.veil = veil;
        this.db = db;
        this.table = table;
        this.kind = kind;
        this.options = options;
        this.listener = listener;
    }

    /**
     * The id under which a table's job is checkpointed. A rekey moves data to the rings' current
     * keys, so its id names them: after the next rotation, rekey is a new job, not a finished one.
     */
    String jobId(TableShape shape) throws VeilException {
        String id = kind.label() + ":" + shape.qualifiedName();
        if (kind == JobKind.REKEY) {
            java.util.TreeSet<String> keys = new java.util.TreeSet<>();
            for (ColumnCipher c : shape.ciphers()) {
                keys.add(c.policy().keyRing() + "=" + veil.keys().activeKey(c.policy().keyRing(), false).id());
            }
            id += "@" + String.join(",", keys);
        }
        return id;
    }

    /**
     * A new version of a ring that deterministic columns use becomes its write key only once every
     * process can have seen it ({@code keys.refresh-after} after its creation); a rekey waits for
     * that, since moving values to it earlier would hide them from processes that look up under the
     * older versions only.
     */
    private void awaitWriteKeys(TableShape shape) throws VeilException, InterruptedException {
        for (ColumnCipher c : shape.ciphers()) {
            String ring = c.policy().keyRing();
            java.time.Instant until = veil.keys().pendingUntil(ring);
            if (until != null) {
                LOG.info("rekey of {} waits until {}: the newest version of ring '{}' is written from then on, once every "
                        + "process has seen it and locks unique values under it (2 x keys.refresh-after)", shape.qualifiedName(), until, ring);
                long millis = java.time.Duration.between(java.time.Instant.now(), until).toMillis();
                if (millis > 0) {
                    Thread.sleep(millis + 1);
                }
                veil.keys().forget(ring);
            }
        }
    }

    /**
     * Forgets a table's job (its checkpoints), so the next run starts from the first row.
     *
     * @throws VeilException when the table is not in the policy or has no primary key
     */
    public static void reset(ConnectionFactory db, JobKind kind, String table, Veil veil) throws SQLException {
        try {
            JobStore store = new JobStore(db);
            store.ensureTables();
            TableShape shape;
            try (Connection c = db.open()) {
                shape = TableShape.of(c, veil, table);
            }
            store.reset(new TableJob(veil, db, table, kind, JobOptions.defaults(), ProgressListener.NONE).jobId(shape));
        } catch (VeilException e) {
            throw e;
        } catch (SQLException e) {
            throw failure(kind, table, "forget its checkpoints", e);
        }
    }

    /**
     * The {@code VE013} a job reports for a database error: which job, which table, what it was
     * doing, what to check; the driver's exception is the cause.
     */
    static VeilException failure(JobKind kind, String table, String doing, SQLException cause) {
        String again = kind == JobKind.VERIFY ? "run it again" : "run the same command again: it continues after the last committed batch";
        return new VeilException(VeilState.JOB_FAILED, kind.label() + " of table " + table + " failed: cannot " + doing + " ("
                + DatabaseFailure.describe(cause) + "); when fixed, " + again, cause);
    }

    /**
     * Runs until every chunk is done (waiting out the leases of chunks whose worker died).
     *
     * @throws VeilException when the table has no primary key or is not in the policy, or a key is unavailable
     */
    public JobResult run() throws SQLException, InterruptedException {
        String[] doing = {"connect to the database"};
        try {
            return run(doing);
        } catch (VeilException e) {
            throw e;
        } catch (SQLException e) {
            throw failure(kind, table, doing[0], e);
        }
    }

    private JobResult run(String[] doing) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        JobStore store = new JobStore(db);
        doing[0] = "create its checkpoint tables " + JobStore.JOBS + " and " + JobStore.CHUNKS;
        store.ensureTables();
        TableShape shape;
        doing[0] = "read the table's primary key and columns";
        try (Connection c = db.open()) {
            shape = TableShape.of(c, veil, table);
        }
        search = new JobTokens(veil, shape);
        if (search.any() && !shape.postgres()) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "table " + table + " has searchable columns, and search is "
                    + "PostgreSQL-only; remove 'search' from the policy for this database");
        }
        if (kind == JobKind.REKEY) {
            // A process caches its view of each ring's active key for keys.refresh-after. A rekey
            // started on a stale view would move values written under a newer key back to an older
            // one, so it starts from what the key table says now.
            for (ColumnCipher c : shape.ciphers()) {
                veil.keys().forget(c.policy().keyRing());
            }
            awaitWriteKeys(shape);
        }
        String jobId = jobId(shape);
        doing[0] = "plan its chunks";
        JobStore.Job job = store.job(jobId);
        if (job == null) {
            plan(store, shape, jobId);
            job = store.job(jobId);
        }
        if (job.finished()) {
            return new JobResult(shape.qualifiedName(), kind, 0, 0, 0, true, true, Duration.ofNanos(System.nanoTime() - started));
        }
        long doneBefore = store.totals(jobId)[0];
        Progress progress = new Progress(shape.qualifiedName(), job.totalRows(), doneBefore);
        RateLimiter limiter = new RateLimiter(options.maxRowsPerSecond());
        ExecutorService pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "veil-" + kind.label() + "-" + shape.table());
            t.setDaemon(true);
            return t;
        });
        doing[0] = "read and write its rows";
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (int i = 0; i < options.workers(); i++) {
                workers.add(pool.submit(() -> {
                    work(store, shape, jobId, limiter, progress);
                    return null;
                }));
            }
            for (Future<Void> f : workers) {
                await(f);
            }
        } finally {
            // a worker that is told to stop first lets its batch in flight commit or roll back and
            // hands its chunk back: wait for that, so the caller (or the JVM's exit) does not cut it short
            pool.shutdownNow();
            awaitStopped(pool);
        }
        doing[0] = "record its progress";
        long[] totals = store.totals(jobId);
        boolean finished = totals[1] == 0;
        if (finished) {
            store.finish(jobId);
        }
        progress.report(true);
        return new JobResult(shape.qualifiedName(), kind, scanned.get(), changed.get(), conflicts.get(), finished, false,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Splits the key space into chunks of about {@code chunkSize} rows by reading the primary key once. */
    private void plan(JobStore store, TableShape shape, String jobId) throws SQLException {
        List<String> boundaries = new ArrayList<>();
        long rows = 0;
        try (Connection c = db.open()) {
            c.setAutoCommit(false); // lets pgjdbc stream with a fetch size instead of loading every key
            try (PreparedStatement ps = c.prepareStatement("SELECT " + shape.keyList() + " FROM " + shape.sqlName() + " ORDER BY " + shape.keyList())) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        if (rows % options.chunkSize() == 0) {
                            boundaries.add(RowKey.read(rs, 1, shape.keyKinds()).encode());
                        }
                    }
                }
            }
            c.commit();
        }
        if (store.plan(jobId, kind, shape.qualifiedName(), rows, boundaries)) {
            LOG.info("planned {} of {}: {} rows in {} chunks", kind.label(), shape.qualifiedName(), rows, boundaries.size() + 1);
        }
    }

    private void work(JobStore store, TableShape shape, String jobId, RateLimiter limiter, Progress progress)
            throws SQLException, InterruptedException {
        long lease = options.lease().toMillis();
        // One connection for this worker's claims and writes, another for its reads, kept for all
        // its chunks; and a thread that writes one batch while this one reads and encrypts the next.
        ExecutorService writerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, Thread.currentThread().getName() + "-writer");
            t.setDaemon(true);
            return t;
        });
        try (Connection writer = db.open(); Connection reader = db.open()) {
            writer.setAutoCommit(false);
            while (!Thread.currentThread().isInterrupted()) {
                JobStore.Chunk chunk = JobStore.claim(writer, jobId, owner, lease);
                if (chunk == null) {
                    if (store.totals(jobId)[1] == 0 || !store.heldByOthers(jobId, owner)) {
                        return; // finished, or what is left belongs to this run's other workers
                    }
                    // chunks held by other processes: wait; if one died, its lease runs out and we take over
                    Thread.sleep(Math.min(500, lease));
                    continue;
                }
                processChunk(reader, writer, writerThread, shape, jobId, chunk, limiter, progress);
            }
        } finally {
            writerThread.shutdownNow();
        }
    }

    /**
     * Works through one claimed chunk in batches: reads a batch on {@code reader} and computes its
     * new values here, while {@code writerThread} writes the previous batch on {@code writer} and
     * commits it with its checkpoint. Reads run ahead by one batch at most and writes stay in key
     * order, so a checkpoint always follows everything before it; rows read early are safe to write
     * late because every write is a compare-and-set on what was read.
     */
    private void processChunk(Connection reader, Connection writer, ExecutorService writerThread, TableShape shape, String jobId,
                              JobStore.Chunk chunk, RateLimiter limiter, Progress progress) throws SQLException, InterruptedException {
        RowKey after = RowKey.decode(chunk.lastKey() != null ? chunk.lastKey() : chunk.lo(), shape.keyKinds());
        RowKey upTo = RowKey.decode(chunk.hi(), shape.keyKinds());
        long rowsDone = chunk.rowsDone();
        // on PostgreSQL each row's version (xmin) comes along: the bulk compare-and-set checks it
        String select = "SELECT " + shape.keyList() + ", " + String.join(", ", shape.columns().stream().map(shape::quote).toList())
                + (shape.postgres() ? ", xmin" : "") + search.needsSelect() + " FROM " + shape.sqlName() + " WHERE 1 = 1";
        Map<Long, CasBatch> updates = new HashMap<>();
        Future<?> writing = null;
        try {
            while (true) {
                limiter.acquire(options.batchSize());
                List<Row> rows = read(reader, shape, select, after, upTo);
                Prepared batch = prepare(shape, rows);
                if (!rows.isEmpty()) {
                    after = rows.get(rows.size() - 1).key();
                }
                rowsDone += rows.size();
                String checkpointKey = after == null ? null : after.encode();
                // a chunk ends at a key read when it was planned: reaching it spares a read that finds nothing
                boolean done = rows.size() < options.batchSize() || (chunk.hi() != null && chunk.hi().equals(checkpointKey));
                long checkpointRows = rowsDone;
                await(writing);
                writing = writerThread.submit(() -> {
                    // the batch and its checkpoint commit together or not at all
                    try {
                        write(writer, shape, batch, updates);
                        JobStore.checkpoint(writer, jobId, chunk.number(), checkpointKey, checkpointRows,
                                System.currentTimeMillis() + options.lease().toMillis(), done);
                        writer.commit();
                    } catch (SQLException e) {
                        writer.rollback();
                        throw explained(shape, e);
                    } catch (RuntimeException e) {
                        writer.rollback();
                        throw e;
                    }
                    scanned.addAndGet(rows.size());
                    progress.add(rows.size());
                    return null;
                });
                if (done) {
                    await(writing);
                    return;
                }
            }
        } catch (SQLException | RuntimeException | InterruptedException e) {
            // Never hand the connection back while a batch is being written: wait for it to commit
            // or roll back, even when interrupted (a write is one statement and a commit away).
            awaitQuietly(writing, e);
            try {
                JobStore.release(writer, jobId, chunk.number(), owner);
            } catch (SQLException releaseFailed) {
                e.addSuppressed(releaseFailed); // the lease runs out instead
            }
            throw e;
        } finally {
            for (CasBatch batch : updates.values()) {
                batch.ps.close();
            }
        }
    }

    /**
     * A unique violation while values move to another key means two rows hold one value under two
     * data-key versions of a deterministic column (admitted where the database's constraint could
     * not see it): the batch was rolled back, so nothing is lost, and the message says what to do.
     */
    private SQLException explained(TableShape shape, SQLException e) {
        if (kind != JobKind.REKEY || e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
            return e;
        }
        return new SQLException("rekey of " + shape.qualifiedName() + " stopped: moving a batch of values to the active keys "
                + "would give two rows the same value of a unique column, so two rows already hold one value under different "
                + "data-key versions; the batch was rolled back and nothing was changed. Find the rows (read the table "
                + "through Veil), remove or change the duplicate, then run the rekey again", e.getSQLState(), e);
    }

    /** Waits (up to a minute, interrupts kept for later) until the workers have stopped using their connections. */
    private static void awaitStopped(ExecutorService pool) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!pool.isTerminated()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warn("bulk job workers still busy a minute after being told to stop; not waiting longer");
                break;
            }
            try {
                pool.awaitTermination(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a worker or a batch's write ({@code null}: nothing to wait for) and rethrows what it failed with. */
    private static void await(Future<?> task) throws SQLException, InterruptedException {
        if (task == null) {
            return;
        }
        try {
            task.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Waits for a write to end however it ends, keeping an interrupt for later; its failure is added to {@code failure}. */
    private static void awaitQuietly(Future<?> writing, Exception failure) {
        boolean interrupted = false;
        while (writing != null) {
            try {
                writing.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() != failure) {
                    failure.addSuppressed(e.getCause());
                }
                break;
            }
        }
        if (interrupted && !(failure instanceof InterruptedException)) {
            Thread.currentThread().interrupt();
        }
    }

    /** The rows of a batch that need work, and for each its new values ({@code null} where a column needs none). */
    private record Prepared(List<Row> rows, List<Object[]> news, List<Long> masks, List<Object[][]> tokens) {
    }

    private Prepared prepare(TableShape shape, List<Row> rows) throws VeilException {
        List<Row> work = new ArrayList<>();
        List<Object[]> news = new ArrayList<>();
        List<Long> masks = new ArrayList<>();
        List<Object[][]> tokens = new ArrayList<>();
        for (Row row : rows) {
            Object[] replacements = new Object[row.values().length];
            long mask = replacements(shape, row, replacements);
            if (mask != 0) {
                work.add(row);
                news.add(replacements);
                masks.add(mask);
                tokens.add(tokens(replacements));
            }
        }
        return new Prepared(work, news, masks, tokens);
    }

    /** Writes a prepared batch with compare-and-set, in the writer's open transaction. */
    private void write(Connection c, TableShape shape, Prepared batch, Map<Long, CasBatch> updates) throws SQLException {
        if (shape.postgres()) {
            bulkCas(c, shape, batch);
            return;
        }
        for (int i = 0; i < batch.rows().size(); i++) {
            queue(c, shape, batch.rows().get(i), batch.news().get(i), batch.masks().get(i), updates);
        }
        for (CasBatch cas : updates.values()) {
            cas.execute(c, shape);
        }
    }

    /**
     * A row read: its key, the stored values of the encrypted columns, and on PostgreSQL the id of
     * the transaction that wrote this version of it ({@code xmin}, as text), else {@code null}.
     */
    private record Row(RowKey key, Object[] values, String version, long needsTokens) {
    }

    private List<Row> read(Connection c, TableShape shape, String select, RowKey after, RowKey upTo) throws SQLException {
        StringBuilder sql = new StringBuilder(select);
        if (after != null) {
            sql.append(" AND ").append(shape.keyCompare(">"));
        }
        if (upTo != null) {
            sql.append(" AND ").append(shape.keyCompare("<="));
        }
        sql.append(" ORDER BY ").append(shape.keyList()).append(" FETCH FIRST ").append(options.batchSize()).append(" ROWS ONLY");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            if (after != null) {
                i = shape.bindCompare(ps, i, after);
            }
            if (upTo != null) {
                shape.bindCompare(ps, i, upTo);
            }
            List<Row> rows = new ArrayList<>(options.batchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rowOf(rs, shape, shape.postgres(), search));
                }
            }
            return rows;
        }
    }

    /** A row read by a select of keys, values, the version when {@code withVersion}, then {@link JobTokens#needsSelect()}. */
    private static Row rowOf(ResultSet rs, TableShape shape, boolean withVersion, JobTokens search) throws SQLException {
        int k = shape.keyColumns().size();
        Object[] values = new Object[shape.columns().size()];
        for (int j = 0; j < values.length; j++) {
            values[j] = shape.ciphers().get(j).policy().storage() == StorageFormat.TEXT ? rs.getString(k + 1 + j) : rs.getBytes(k + 1 + j);
        }
        int after = k + values.length + 1;
        String version = withVersion ? rs.getString(after++) : null;
        return new Row(RowKey.read(rs, 1, shape.keyKinds()), values, version, search.needs(rs, after));
    }

    /** The value to write instead of {@code stored}, or null when it needs no work. */
    private Object replacement(ColumnCipher cipher, Object stored) throws VeilException {
        if (stored == null) {
            return null;
        }
        if (kind == JobKind.MIGRATE) {
            return ColumnCipher.isCiphertext(stored) ? null : cipher.encrypt(stored);
        }
        // legacy plaintext is migrate's business; current values are left alone; a value this process
        // cannot read fails the job (never replaced by the ring's on-missing-key mask or NULL)
        return cipher.reencrypt(stored, veil.keys().activeKey(cipher.policy().keyRing(), false).id());
    }

    /**
     * The replacements of a row's values, and the mask of columns that need one (0 = nothing to do).
     * A searchable value that needs no other work but has no search tokens is written back as it is,
     * with its tokens (the backfill).
     */
    private long replacements(TableShape shape, Row row, Object[] out) throws VeilException {
        Object[] values = row.values();
        long mask = 0;
        for (int j = 0; j < values.length; j++) {
            out[j] = replacement(shape.ciphers().get(j), values[j]);
            if (out[j] == null && (row.needsTokens() & (1L << j)) != 0 && ColumnCipher.isCiphertext(values[j])) {
                out[j] = values[j];
            }
            if (out[j] != null) {
                mask |= 1L << j;
            }
        }
        return mask;
    }

    /** The companion values of the replacements of a row, per column ({@code null} where none are written). */
    private Object[][] tokens(Object[] replacements) throws VeilException {
        Object[][] out = new Object[replacements.length][];
        for (int j = 0; j < replacements.length; j++) {
            if (replacements[j] != null && search.searchable(j)) {
                out[j] = search.of(j, replacements[j]);
            }
        }
        return out;
    }

    /** Queues the compare-and-set update of a row that needs work. */
    private void queue(Connection c, TableShape shape, Row row, Object[] replacements, long mask, Map<Long, CasBatch> updates)
            throws SQLException {
        CasBatch batch = updates.get(mask);
        if (batch == null) {
            batch = new CasBatch(c.prepareStatement(casSql(shape, mask)));
            updates.put(mask, batch);
        }
        bindCas(batch.ps, shape, row, replacements, mask, tokens(replacements));
        batch.ps.addBatch();
        batch.rows.add(row);
    }

    /**
     * The queued updates of one column combination. A row whose update matched nothing was
     * changed by the application after we read it: it is read again and, if it still needs
     * work, updated against its new value — never overwritten blindly.
     */
    private final class CasBatch {
        final PreparedStatement ps;
        final List<Row> rows = new ArrayList<>();

        CasBatch(PreparedStatement ps) {
            this.ps = ps;
        }

        void execute(Connection c, TableShape shape) throws SQLException {
            if (rows.isEmpty()) {
                return;
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < rows.size(); i++) {
                int count = i < counts.length ? counts[i] : java.sql.Statement.SUCCESS_NO_INFO;
                if (count > 0) {
                    changed.incrementAndGet();
                } else {
                    // 0: a concurrent write won; SUCCESS_NO_INFO (some drivers' batches): find out by reading
                    redo(c, shape, rows.get(i).key(), count == 0);
                }
            }
            rows.clear();
        }
    }

    /**
     * PostgreSQL: the whole batch's compare-and-set in one {@code UPDATE … FROM unnest(arrays)}.
     * Each row is written only where it is still the version we read: its {@code xmin}, the
     * transaction that wrote that version, is unchanged. Any later write by anyone makes a new
     * version with another {@code xmin}, so this is as strict as comparing every value, and the old
     * values need not travel back. {@code RETURNING} names the rows written; the others (a concurrent
     * write won) are re-read and redone. One statement instead of one per row is what makes the job
     * keep up with a plain UPDATE.
     */
    private void bulkCas(Connection c, TableShape shape, Prepared batch) throws SQLException {
        List<Row> work = batch.rows();
        List<Object[]> news = batch.news(); // null where a column needs nothing: the statement keeps its value
        if (work.isEmpty()) {
            return;
        }
        int k = shape.keyColumns().size();
        int n = shape.columns().size();
        boolean[] written = new boolean[work.size()];
        try (PreparedStatement ps = c.prepareStatement(bulkCasSql(shape))) {
            int p = 1;
            List<RowKey.Kind> kinds = shape.keyKinds();
            for (int i = 0; i < k; i++) {
                // Java arrays pgjdbc sends as int8[], bytea[] or text[]; the statement casts them to the key's type
                Object[] keys = switch (kinds.get(i)) {
                    case INTEGRAL -> new Long[work.size()];
                    case BYTES -> new byte[work.size()][];
                    case DECIMAL, TEXT -> new String[work.size()];
                };
                for (int r = 0; r < keys.length; r++) {
                    Object v = work.get(r).key().values().get(i);
                    keys[r] = v instanceof java.math.BigDecimal d ? d.toPlainString() : v;
                }
                ps.setObject(p++, keys);
            }
            String[] versions = new String[work.size()];
            for (int r = 0; r < versions.length; r++) {
                versions[r] = work.get(r).version();
            }
            ps.setObject(p++, versions);
            for (int j = 0; j < n; j++) {
                // String[] and byte[][] go to pgjdbc as Java arrays, which it sends in binary:
                // no quoting on our side, no array-literal parsing on the server's
                boolean text = shape.ciphers().get(j).policy().storage() == StorageFormat.TEXT;
                Object[] fresh = text ? new String[work.size()] : new byte[work.size()][];
                for (int r = 0; r < fresh.length; r++) {
                    fresh[r] = news.get(r)[j];
                }
                ps.setObject(p++, fresh);
                if (search.searchable(j)) {
                    p = search.bindBulk(ps, p, j, batch.tokens());
                }
            }
            p = search.bindFlat(ps, p, batch.tokens());
            p = shape.bindCompare(ps, p, work.get(0).key());
            shape.bindCompare(ps, p, work.get(work.size() - 1).key());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    written[rs.getInt(1) - 1] = true;
                }
            }
        }
        for (int r = 0; r < written.length; r++) {
            if (written[r]) {
                changed.incrementAndGet();
            } else {
                redo(c, shape, work.get(r).key(), true);
            }
        }
    }

    /**
     * {@code UPDATE t SET c = COALESCE(v.n…, t.c)… FROM unnest(keys[], versions[], news[]…) WITH
     * ORDINALITY v WHERE t.key = v.k AND t.xmin = v.x AND key within the batch RETURNING v.ord}:
     * one statement text per table, so PostgreSQL prepares it once; whole columns travel as arrays.
     */
    private String bulkCasSql(TableShape shape) {
        int k = shape.keyColumns().size();
        int n = shape.columns().size();
        StringBuilder sql = new StringBuilder("UPDATE ").append(shape.sqlName()).append(" AS t SET ");
        for (int j = 0; j < n; j++) {
            String col = shape.quote(shape.columns().get(j));
            sql.append(j == 0 ? "" : ", ").append(col).append(" = COALESCE(v.n").append(j).append(", t.").append(col).append(")");
            if (search.searchable(j)) {
                sql.append(search.bulkSets(j));
            }
        }
        sql.append(" FROM unnest(");
        for (int i = 0; i < k; i++) {
            String carrier = switch (shape.keyKinds().get(i)) {
                case INTEGRAL -> "int8";
                case BYTES -> "bytea";
                case DECIMAL, TEXT -> "text";
            };
            sql.append(i == 0 ? "" : ", ").append("CAST(CAST(? AS ").append(carrier).append("[]) AS ")
                    .append(shape.keyTypeNames().get(i)).append("[])");
        }
        sql.append(", CAST(? AS text[])");
        for (int j = 0; j < n; j++) {
            String type = shape.ciphers().get(j).policy().storage() == StorageFormat.TEXT ? "text" : "bytea";
            sql.append(", CAST(? AS ").append(type).append("[])");
            if (search.searchable(j)) {
                sql.append(search.bulkArgs(j));
            }
        }
        sql.append(") WITH ORDINALITY AS v(");
        for (int i = 0; i < k; i++) {
            sql.append(i == 0 ? "" : ", ").append("k").append(i);
        }
        sql.append(", x");
        for (int j = 0; j < n; j++) {
            sql.append(", n").append(j);
            if (search.searchable(j)) {
                sql.append(search.bulkAliases(j));
            }
        }
        sql.append(", ord)").append(search.bulkFrom()).append(" WHERE ");
        for (int i = 0; i < k; i++) {
            sql.append(i == 0 ? "" : " AND ").append("t.").append(shape.quote(shape.keyColumns().get(i))).append(" = v.k").append(i);
        }
        sql.append(" AND t.xmin = CAST(v.x AS xid)");
        // the batch is one keyset range: bounding it lets the planner use the primary-key index
        sql.append(" AND ").append(shape.keyCompare(">=", "t.")).append(" AND ").append(shape.keyCompare("<=", "t."));
        return sql.append(" RETURNING v.ord").toString();
    }

    /** Re-reads one row and applies the job to what it holds now. */
    private void redo(Connection c, TableShape shape, RowKey key, boolean knownConflict) throws SQLException {
        if (knownConflict) {
            conflicts.incrementAndGet();
        }
        StringBuilder where = new StringBuilder();
        for (String k : shape.keyColumns()) {
            where.append(where.length() == 0 ? "" : " AND ").append(shape.quote(k)).append(" = ?");
        }
        String select = "SELECT " + shape.keyList() + ", " + String.join(", ", shape.columns().stream().map(shape::quote).toList())
                + search.needsSelect() + " FROM " + shape.sqlName() + " WHERE " + where;
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
            Row current;
            try (PreparedStatement ps = c.prepareStatement(select)) {
                shape.bindKey(ps, 1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return; // deleted meanwhile
                    }
                    current = rowOf(rs, shape, false, search);
                }
            }
            Object[] replacements = new Object[current.values().length];
            long mask = replacements(shape, current, replacements);
            if (mask == 0) {
                return; // the application's write already left it current
            }
            try (PreparedStatement ps = c.prepareStatement(casSql(shape, mask))) {
                bindCas(ps, shape, current, replacements, mask, tokens(replacements));
                if (ps.executeUpdate() == 1) {
                    changed.incrementAndGet();
                    return;
                }
            }
            conflicts.incrementAndGet();
        }
        throw new SQLException("row " + key + " of " + shape.qualifiedName() + " kept changing under " + kind.label()
                + " (" + MAX_RETRIES + " attempts); rerun the job to continue", "40001");
    }

    private String casSql(TableShape shape, long mask) {
        StringBuilder set = new StringBuilder();
        StringBuilder where = new StringBuilder();
        for (int j = 0; j < shape.columns().size(); j++) {
            if ((mask & (1L << j)) != 0) {
                String col = shape.quote(shape.columns().get(j));
                set.append(set.length() == 0 ? "" : ", ").append(col).append(" = ?");
                if (search.searchable(j)) {
                    set.append(search.casSets(j));
                }
                where.append(" AND ").append(col).append(" = ?");
            }
        }
        StringBuilder key = new StringBuilder();
        for (String k : shape.keyColumns()) {
            key.append(key.length() == 0 ? "" : " AND ").append(shape.quote(k)).append(" = ?");
        }
        return "UPDATE " + shape.sqlName() + " SET " + set + " WHERE " + key + where;
    }

    private void bindCas(PreparedStatement ps, TableShape shape, Row row, Object[] replacements, long mask, Object[][] tokens)
            throws SQLException {
        int i = 1;
        for (int j = 0; j < replacements.length; j++) {
            if ((mask & (1L << j)) != 0) {
                ps.setObject(i++, replacements[j]);
                if (search.searchable(j)) {
                    i = search.bind(ps, i, tokens[j]);
                }
            }
        }
        i = shape.bindKey(ps, i, row.key());
        for (int j = 0; j < replacements.length; j++) {
            if ((mask & (1L << j)) != 0) {
                ps.setObject(i++, row.values()[j]);
            }
        }
    }

    /** Progress of this process, reported to the listener at most twice a second. */
    private final class Progress {
        private final String name;
        private final long total;
        private final long doneBefore;
        private final AtomicLong done = new AtomicLong();
        private final long startNanos = System.nanoTime();
        private volatile long lastReport;

        Progress(String name, long total, long doneBefore) {
            this.name = name;
            this.total = total;
            this.doneBefore = doneBefore;
        }

        void add(int rows) {
            done.addAndGet(rows);
            report(false);
        }

        void report(boolean force) {
            long now = System.nanoTime();
            if (!force && now - lastReport < 500_000_000L) {
                return;
            }
            lastReport = now;
            double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
            listener.progress(new JobProgress(name, kind, total, Math.min(total, doneBefore + done.get()), changed.get(), done.get() / seconds));
        }
    }
}
