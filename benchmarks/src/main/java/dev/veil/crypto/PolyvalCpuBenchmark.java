package dev.veil.crypto;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/**
 * POLYVAL alone, constant-time vs the opt-in tables, measured as CPU time of the hashing thread
 * (steadier than wall time on a shared machine): per message of 32, 128 and 1024 bytes, and per
 * key set-up. Three rounds; the last is reported, after the first two warmed the JIT.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.veil.crypto.PolyvalCpuBenchmark}
 */
public final class PolyvalCpuBenchmark {
    private PolyvalCpuBenchmark() {
    }

    public static void main(String[] args) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        byte[] h = new byte[16];
        new Random(1).nextBytes(h);
        System.out.println("| message | constant-time | tables | ratio |\n|---|---:|---:|---:|");
        for (int size : new int[] {32, 128, 1024}) {
            byte[] data = new byte[size];
            new Random(2).nextBytes(data);
            double[] ns = new double[2];
            long sink = 0;
            for (int round = 0; round < 3; round++) {
                for (int t = 0; t < 2; t++) {
                    Polyval p = new Polyval(h, t == 1);
                    int n = 2_000_000 * 32 / size;
                    long start = cpu.getCurrentThreadCpuTime();
                    for (int i = 0; i < n; i++) {
                        p.reset();
                        p.update(data, 0, size);
                        sink += p.low();
                    }
                    ns[t] = (cpu.getCurrentThreadCpuTime() - start) / (double) n;
                }
            }
            System.out.printf(Locale.ROOT, "| %d B | %.0f ns | %.0f ns | %.2f× |%n", size, ns[0], ns[1], ns[0] / ns[1]);
            if (sink == 42) {
                System.out.print("");
            }
        }
        double[] setup = new double[2];
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            for (int t = 0; t < 2; t++) {
                long start = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < 100_000; i++) {
                    h[0] = (byte) i;
                    sink += new Polyval(h, t == 1).low();
                }
                setup[t] = (cpu.getCurrentThreadCpuTime() - start) / 100_000.0;
            }
        }
        System.out.printf(Locale.ROOT, "| key set-up | %.0f ns | %.0f ns | %.3f× |%n", setup[0], setup[1], setup[0] / setup[1] + sink * 0);
    }
}
