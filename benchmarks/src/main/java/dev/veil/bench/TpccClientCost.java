package dev.veil.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What each TPC-C transaction costs the client, apart from the server, lock waits and the machine's
 * load: every transaction type runs on one thread through RAW, HAND and VEIL in alternating blocks
 * (each block the same transactions, drawn from the same seed), and the thread's CPU time and the
 * bytes it allocated are reported per transaction. VEIL − HAND is what Veil itself adds to an
 * application that encrypts the same columns by hand and sends the same SQL.
 *
 * <p>Run: {@code benchmarks/run-tpcc.sh --client-cost [--hand-lookup wide] [--items N --customers N] [admin-jdbc-url]};
 * {@code -Dveil.bench.blocks} (default 40) and {@code -Dveil.bench.block} (transactions per block, default 100).
 */
final class TpccClientCost {
    private static final List<Mode> MODES = List.of(Mode.RAW, Mode.HAND, Mode.VEIL);

    private TpccClientCost() {
    }

    static String run(TpccSettings settings, TpccFixture fixture) throws Exception {
        int blocks = Integer.getInteger("veil.bench.blocks", 40);
        int block = Integer.getInteger("veil.bench.block", 100);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        for (Mode m : MODES) {
            new TpccLoader(fixture.pool(m), settings.scale(), fixture.ciphers(m)).load();
        }
        fixture.vacuum();
        StringBuilder table = new StringBuilder("| Transaction | RAW µs | HAND µs | VEIL µs | VEIL − HAND µs | RAW bytes | HAND bytes | VEIL bytes | VEIL − HAND bytes |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (TpccTransactions.Type type : TpccTransactions.Type.values()) {
            long[] cpu = new long[MODES.size()];
            long[] bytes = new long[MODES.size()];
            long units = 0;
            TpccTransactions[] tx = new TpccTransactions[MODES.size()];
            for (int i = 0; i < tx.length; i++) {
                tx[i] = new TpccTransactions(fixture.pool(MODES.get(i)), settings.scale(), new TpccLatencies(), fixture.ciphers(MODES.get(i)),
                        settings.handWideLookups());
            }
            for (int b = 0; b < blocks; b++) {
                boolean measured = b >= blocks / 4; // the first quarter warms up
                for (Mode m : EndToEnd.inRound(MODES, b)) {
                    int i = MODES.indexOf(m);
                    TpccRandom r = new TpccRandom(new SplittableRandom(b));
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long bytes0 = threads.getCurrentThreadAllocatedBytes();
                    for (int n = 0; n < block; n++) {
                        tx[i].run(type, r);
                    }
                    if (measured) {
                        cpu[i] += threads.getCurrentThreadCpuTime() - cpu0;
                        bytes[i] += threads.getCurrentThreadAllocatedBytes() - bytes0;
                    }
                }
                if (measured) {
                    units += block;
                }
            }
            double[] us = new double[MODES.size()];
            double[] b = new double[MODES.size()];
            for (int i = 0; i < us.length; i++) {
                us[i] = cpu[i] / 1e3 / units;
                b[i] = (double) bytes[i] / units;
            }
            table.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %+.1f | %,.0f | %,.0f | %,.0f | %+,.0f |%n", type,
                    us[0], us[1], us[2], us[2] - us[1], b[0], b[1], b[2], b[2] - b[1]));
        }
        double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%nVeil TPC-C client cost per transaction (one thread, thread CPU and bytes allocated): PostgreSQL %s, Java %s; "
                        + "load average %.1f at start, %.1f at end; %,d items, %,d customers per district; %d blocks of %d transactions per mode "
                        + "and type, the first quarter unmeasured; HAND's by-last-name lookups: %s%n%n",
                fixture.serverVersion(), System.getProperty("java.version"), load0, load1, settings.scale().items(),
                settings.scale().customersPerDistrict(), blocks, block, settings.handWideLookups() ? "c_last IN (?, ?, ?, ?)" : "c_last = ?")
                + table;
    }
}
