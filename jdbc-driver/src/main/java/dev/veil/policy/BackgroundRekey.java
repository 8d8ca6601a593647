package dev.veil.policy;

import java.time.Duration;

/**
 * The policy's request that every process using it re-encrypts old values in the background:
 * {@code jobs: { background-rekey: { max-rows-per-second: 200, interval: 10m } }}.
 *
 * @param maxRowsPerSecond throttle per process
 * @param interval how often each process looks for work (a rotation since the last look)
 */
public record BackgroundRekey(double maxRowsPerSecond, Duration interval) {
}
