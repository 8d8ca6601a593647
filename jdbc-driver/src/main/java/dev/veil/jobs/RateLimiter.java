package dev.veil.jobs;

/** Spaces work out to at most a given number of rows per second across this process's workers. */
final class RateLimiter {
    private final double rowsPerSecond;
    private long nextFreeNanos;

    RateLimiter(double rowsPerSecond) {
        this.rowsPerSecond = rowsPerSecond;
        this.nextFreeNanos = System.nanoTime();
    }

    /** Blocks until {@code rows} more rows may be processed. */
    void acquire(int rows) throws InterruptedException {
        if (rowsPerSecond <= 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long start = Math.max(now, nextFreeNanos);
            nextFreeNanos = start + (long) (rows * 1_000_000_000L / rowsPerSecond);
            wait = start - now;
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
