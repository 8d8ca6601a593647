package dev.veil.metrics;

import dev.veil.VeilState;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one engine, cheap enough for the hot path: each is a {@link LongAdder}, so
 * concurrent increments do not contend. JMX ({@link VeilMXBean}) and Micrometer read them; they
 * never hold values, ciphertexts or keys.
 */
public final class VeilMetrics {
    private final LongAdder encryptions = new LongAdder();
    private final LongAdder decryptions = new LongAdder();
    private final LongAdder keyCacheHits = new LongAdder();
    private final LongAdder keyUnwraps = new LongAdder();
    private final LongAdder missingKeyReads = new LongAdder();
    private final Map<VeilState, LongAdder> failures = new EnumMap<>(VeilState.class);
    private final Map<String, AtomicLong[]> jobs = new ConcurrentHashMap<>();
    private volatile java.util.List<String> missingTables = java.util.List.of();

    public VeilMetrics() {
        for (VeilState s : VeilState.values()) {
            failures.put(s, new LongAdder());
        }
    }

    public void encrypted() {
        encryptions.increment();
    }

    public void decrypted() {
        decryptions.increment();
    }

    public void keyCacheHit() {
        keyCacheHits.increment();
    }

    public void keyUnwrapped() {
        keyUnwraps.increment();
    }

    /** A value read as NULL or masked because this process lacks its data key. */
    public void missingKeyRead() {
        missingKeyReads.increment();
    }

    /** An encryption or decryption failed with {@code cause}. */
    public void failed(VeilState cause) {
        failures.get(cause).increment();
    }

    /** Reports a job's progress: {@code done} of {@code total} items (total -1 when unknown). */
    public void jobProgress(String job, long done, long total) {
        AtomicLong[] p = jobs.computeIfAbsent(job, j -> new AtomicLong[] {new AtomicLong(), new AtomicLong(-1)});
        p[0].set(done);
        p[1].set(total);
    }

    /** The policy tables the databases checked so far do not have, by name (names only, sorted). */
    public void missingTables(java.util.Collection<String> names) {
        missingTables = java.util.List.copyOf(new java.util.TreeSet<>(names));
    }

    /** The policy tables last reported missing from the database, sorted. */
    public java.util.List<String> missingTables() {
        return missingTables;
    }

    public long encryptions() {
        return encryptions.sum();
    }

    public long decryptions() {
        return decryptions.sum();
    }

    public long keyCacheHits() {
        return keyCacheHits.sum();
    }

    public long keyUnwraps() {
        return keyUnwraps.sum();
    }

    public long missingKeyReads() {
        return missingKeyReads.sum();
    }

    public long failures(VeilState cause) {
        return failures.get(cause).sum();
    }

    /** Failures so far by SQLState, only those that happened. */
    public Map<String, Long> failures() {
        Map<String, Long> m = new LinkedHashMap<>();
        failures.forEach((s, n) -> {
            long v = n.sum();
            if (v > 0) {
                m.put(s.sqlState(), v);
            }
        });
        return m;
    }

    /** Progress of every job reported so far: {@code <job>.done} and {@code <job>.total}. */
    public Map<String, Long> jobProgress() {
        Map<String, Long> m = new LinkedHashMap<>();
        jobs.forEach((job, p) -> {
            m.put(job + ".done", p[0].get());
            m.put(job + ".total", p[1].get());
        });
        return m;
    }

    /** Items done across all jobs. */
    public long jobItemsDone() {
        long sum = 0;
        for (AtomicLong[] p : jobs.values()) {
            sum += p[0].get();
        }
        return sum;
    }
}
