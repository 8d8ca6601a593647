package dev.veil.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Runs an operation on a number of threads for a fixed time and measures throughput and client CPU. */
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
                try {
                    ready.countDown();
                    go.await();
                    long end = deadline[0];
                    while (System.nanoTime() < end && failure.get() == null) {
                        done += op.run(random);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    units.add(done);
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
        return new Measurement(units.sum(), elapsed, cpu0 < 0 ? -1 : cpu1 - cpu0);
    }

    /** Times one run of a task that reports its units (the batch insert). */
    static Measurement once(Op task) throws Exception {
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long n = task.run(new SplittableRandom());
        long elapsed = System.nanoTime() - start;
        long cpu1 = processCpuNanos();
        return new Measurement(n, elapsed, cpu0 < 0 ? -1 : cpu1 - cpu0);
    }

    static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }
}
