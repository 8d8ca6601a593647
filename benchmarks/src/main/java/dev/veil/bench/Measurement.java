package dev.veil.bench;

/**
 * One timed run: how many units (statements, or rows for batch and scan) completed, in how long,
 * how much CPU the whole client JVM used meanwhile (application threads, GC and JIT included), and
 * how many bytes the threads doing the work allocated.
 *
 * @param allocatedBytes the working threads' allocation, or -1 when the JVM does not count it
 */
record Measurement(long units, long nanos, long cpuNanos, long allocatedBytes) {
    double perSecond() {
        return units * 1e9 / nanos;
    }

    /** Client CPU per unit in microseconds, or NaN when the JVM does not report process CPU. */
    double cpuMicrosPerUnit() {
        return cpuNanos < 0 || units == 0 ? Double.NaN : cpuNanos / 1e3 / units;
    }

    /** Bytes the working threads allocated per unit, or NaN when the JVM does not count them. */
    double bytesPerUnit() {
        return allocatedBytes < 0 || units == 0 ? Double.NaN : (double) allocatedBytes / units;
    }
}
