package dev.veil.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs an operation on a number of threads for a fixed time and measures throughput, client CPU
 * and the bytes the working threads allocate (which, unlike time, the machine's load does not move).
 */
final class TimedRunner {
    /** One unit of work; returns how many units it completed (1 for a statement, the row count for a scan). */
    @FunctionalInterface
    interface Op {
        long run(SplittableRandom random) throws Exception;
    }

    /** Keeps results reachable so the JIT cannot drop the reads the benchmark is meant to measure. */
    static volatile long sink;

    private TimedRunner() {
    }

    static Measurement run(int threads, double seconds, Op op) throws Exception {
        LongAdder units = new LongAdder();
        LongAdder allocated = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> workers = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom();
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = seeds.split();
            Thread w = new Thread(() -> {
                long done = 0;
                long bytes0 = 0;
                try {
                    ready.countDown();
                    go.await();
                    bytes0 = allocatedBytes();
                    long end = deadline[0];
                    while (System.nanoTime() < end && failure.get() == null) {
                        done += op.run(random);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    units.add(done);
                    allocated.add(allocatedBytes() - bytes0);
                }
            }, "bench-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        ready.await();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        deadline[0] = start + (long) (seconds * 1e9);
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - start;
        long cpu1 = processCpuNanos();
        if (failure.get() != null) {
            throw new IllegalStateException("a benchmark thread failed", failure.get());
        }
        return new Measurement(units.sum(), elapsed, cpu0 < 0 ? -1 : cpu1 - cpu0, allocatedBytes() < 0 ? -1 : allocated.sum());
    }

    /** Times one run of a task that reports its units (the batch insert). */
    static Measurement once(Op task) throws Exception {
        long cpu0 = processCpuNanos();
        long bytes0 = allocatedBytes();
        long start = System.nanoTime();
        long n = task.run(new SplittableRandom());
        long elapsed = System.nanoTime() - start;
        long cpu1 = processCpuNanos();
        long bytes1 = allocatedBytes();
        return new Measurement(n, elapsed, cpu0 < 0 ? -1 : cpu1 - cpu0, bytes0 < 0 ? -1 : bytes1 - bytes0);
    }

    /** The bytes the calling thread allocated so far, or -1 when the JVM does not count them. */
    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemoryEnabled()
                ? sun.getCurrentThreadAllocatedBytes() : -1;
    }

    static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }
}
