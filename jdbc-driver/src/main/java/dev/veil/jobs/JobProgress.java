package dev.veil.jobs;

/**
 * Progress of a job as seen by this process.
 *
 * @param table the table
 * @param kind the job
 * @param totalRows rows in the table when the job was planned
 * @param rowsDone rows processed by all processes so far (from the checkpoints)
 * @param rowsChanged rows this process re-wrote
 * @param rowsPerSecond this process's recent rate
 */
public record JobProgress(String table, JobKind kind, long totalRows, long rowsDone, long rowsChanged, double rowsPerSecond) {

    /** Seconds left at the current rate, or -1 when unknown. */
    public long etaSeconds() {
        return rowsPerSecond <= 0 || rowsDone >= totalRows ? -1 : (long) ((totalRows - rowsDone) / rowsPerSecond);
    }
}
