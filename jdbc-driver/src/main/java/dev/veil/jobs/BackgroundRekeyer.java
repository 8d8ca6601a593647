package dev.veil.jobs;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.keys.ConnectionFactory;
import dev.veil.policy.BackgroundRekey;
import dev.veil.policy.TablePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rekeys the policy's tables in the background of an application, throttled, when the policy asks
 * for it ({@code jobs.background-rekey}). Every instance of the application runs one; they share
 * the work through the job's chunk claims, so each chunk is re-encrypted once, by whichever
 * instance claims it. A table whose keys did not rotate since the last look costs one query.
 */
public final class BackgroundRekeyer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundRekeyer.class);

    private final Veil veil;
    private final ConnectionFactory db;
    private final BackgroundRekey settings;
    private final ScheduledExecutorService scheduler;
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();

    private BackgroundRekeyer(Veil veil, ConnectionFactory db, BackgroundRekey settings) {
        this.veil = veil;
        this.db = db;
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "veil-background-rekey");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** Starts the background rekey the policy asks for; {@code null} when it asks for none. */
    public static BackgroundRekeyer startIfRequested(Veil veil, ConnectionFactory db) {
        BackgroundRekey settings = veil.policy().backgroundRekey().orElse(null);
        if (settings == null) {
            return null;
        }
        BackgroundRekeyer r = new BackgroundRekeyer(veil, db, settings);
        long period = settings.interval().toMillis();
        // a random first delay spreads instances that start together
        r.scheduler.scheduleWithFixedDelay(r::runOnce, (long) (Math.random() * Math.min(period, 60_000)), period, TimeUnit.MILLISECONDS);
        LOG.info("background rekey every {} at up to {} rows/s", settings.interval(), settings.maxRowsPerSecond());
        return r;
    }

    /** One pass over the policy's tables. Never throws: a failure is logged and retried next interval. */
    void runOnce() {
        JobOptions options = JobOptions.defaults().withBatchSize(Math.max(1, Math.min(500, (int) settings.maxRowsPerSecond())))
                .withMaxRowsPerSecond(settings.maxRowsPerSecond()).withLease(Duration.ofMinutes(2));
        for (TablePolicy t : veil.policy().tables()) {
            String table = t.name().schema() == null ? t.name().name().text() : t.name().schema().text() + "." + t.name().name().text();
            if (skipped.contains(table)) {
                continue;
            }
            try {
                JobResult r = new TableJob(veil, db, table, JobKind.REKEY, options, ProgressListener.NONE).run();
                if (r.rowsChanged() > 0) {
                    LOG.info("background rekey of {}: {} values moved to the current keys", r.table(), r.rowsChanged());
                }
            } catch (VeilException e) {
                // no primary key, or not in this database: nothing this process can do about it
                LOG.warn("background rekey skips {}: {} ({})", table, e.getMessage(), e.getSQLState());
                skipped.add(table);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("background rekey of {} failed, retrying next interval: {}", table, e.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
