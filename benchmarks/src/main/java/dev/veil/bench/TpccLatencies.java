package dev.veil.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Transaction latencies by type over one or more measured runs. Each terminal thread writes its
 * own buffer (registered once), so recording takes no lock.
 */
final class TpccLatencies {
    private final List<Buffer> buffers = new ArrayList<>();
    private final ThreadLocal<Buffer> mine = ThreadLocal.withInitial(this::register);
    private volatile boolean recording;

    private synchronized Buffer register() {
        Buffer b = new Buffer();
        buffers.add(b);
        return b;
    }

    /** Whether {@link #record} keeps what it is given (off during warm-up). */
    void recording(boolean on) {
        recording = on;
    }

    void record(TpccTransactions.Type type, long nanos) {
        if (recording) {
            mine.get().add(type, nanos);
        }
    }

    /** Every recorded latency of a type, in microseconds, sorted. */
    synchronized double[] micros(TpccTransactions.Type type) {
        long n = 0;
        for (Buffer b : buffers) {
            n += b.counts[type.ordinal()];
        }
        double[] out = new double[(int) n];
        int i = 0;
        for (Buffer b : buffers) {
            long[] v = b.values[type.ordinal()];
            for (int k = 0; k < b.counts[type.ordinal()]; k++) {
                out[i++] = v[k] / 1e3;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** p50 and p99 per type, in microseconds (NaN for a type never run). */
    Map<TpccTransactions.Type, double[]> percentiles() {
        Map<TpccTransactions.Type, double[]> out = new EnumMap<>(TpccTransactions.Type.class);
        for (TpccTransactions.Type t : TpccTransactions.Type.values()) {
            double[] v = micros(t);
            out.put(t, new double[] {Rounds.quantile(v, 0.5), Rounds.quantile(v, 0.99), v.length});
        }
        return out;
    }

    private static final class Buffer {
        final long[][] values = new long[TpccTransactions.Type.values().length][1024];
        final int[] counts = new int[TpccTransactions.Type.values().length];

        void add(TpccTransactions.Type type, long nanos) {
            int t = type.ordinal();
            if (counts[t] == values[t].length) {
                values[t] = Arrays.copyOf(values[t], values[t].length * 2);
            }
            values[t][counts[t]++] = nanos;
        }
    }
}
