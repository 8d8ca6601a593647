package dev.veil.jobs;

import java.time.Duration;

/**
 * What a migrate or rekey run did in this process.
 *
 * @param table the table
 * @param kind the job
 * @param rowsScanned rows this process read
 * @param rowsChanged rows this process re-wrote
 * @param conflicts rows a concurrent write changed between our read and our update (re-read, never overwritten)
 * @param finished whether the whole job (all processes) is finished
 * @param alreadyFinished whether it had finished before this run started (nothing was done)
 * @param elapsed wall time of this run
 */
public record JobResult(String table, JobKind kind, long rowsScanned, long rowsChanged, long conflicts, boolean finished,
                        boolean alreadyFinished, Duration elapsed) {
}
