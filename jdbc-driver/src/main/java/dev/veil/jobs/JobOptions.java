package dev.veil.jobs;

import java.time.Duration;

/**
 * How a bulk job runs.
 *
 * @param batchSize rows read and updated per transaction
 * @param chunkSize rows per claimable chunk (the unit shared between workers and processes)
 * @param maxRowsPerSecond throttle for this process, 0 = unthrottled
 * @param workers worker threads in this process
 * @param lease how long a claimed chunk stays a worker's without a checkpoint; after that another
 *        worker (in any process) may take it over
 */
public record JobOptions(int batchSize, int chunkSize, double maxRowsPerSecond, int workers, Duration lease) {

    public JobOptions {
        if (batchSize < 1 || chunkSize < batchSize || workers < 1 || maxRowsPerSecond < 0 || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("batch size >= 1, chunk size >= batch size, workers >= 1, rate >= 0 and a positive lease are required");
        }
    }

    public static JobOptions defaults() {
        return new JobOptions(500, 10_000, 0, 1, Duration.ofMinutes(2));
    }

    public JobOptions withBatchSize(int n) {
        return new JobOptions(n, Math.max(chunkSize, n), maxRowsPerSecond, workers, lease);
    }

    public JobOptions withChunkSize(int n) {
        return new JobOptions(batchSize, n, maxRowsPerSecond, workers, lease);
    }

    public JobOptions withMaxRowsPerSecond(double r) {
        return new JobOptions(batchSize, chunkSize, r, workers, lease);
    }

    public JobOptions withWorkers(int n) {
        return new JobOptions(batchSize, chunkSize, maxRowsPerSecond, n, lease);
    }

    public JobOptions withLease(Duration d) {
        return new JobOptions(batchSize, chunkSize, maxRowsPerSecond, workers, d);
    }
}
