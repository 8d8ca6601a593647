package dev.veil.bench;

/**
 * One timed run: how many units (statements, or rows for batch and scan) completed, in how long,
 * and how much CPU the whole client JVM used meanwhile (application threads, GC and JIT included).
 */
record Measurement(long units, long nanos, long cpuNanos) {
    double perSecond() {
        return units * 1e9 / nanos;
    }

    /** Client CPU per unit in microseconds, or NaN when the JVM does not report process CPU. */
    double cpuMicrosPerUnit() {
        return cpuNanos < 0 || units == 0 ? Double.NaN : cpuNanos / 1e3 / units;
    }
}
