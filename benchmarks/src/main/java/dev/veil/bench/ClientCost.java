package dev.veil.bench;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What Veil itself costs the client per statement, apart from the server and the machine's load:
 * the OLTP mix's three statements run on one thread through the HAND pool (the application
 * encrypting with Veil's ciphers) and the VEIL pool ({@code jdbc:veil:}) in alternating blocks, once
 * only prepared, bound and closed (no server involved) and once executed and read. Per statement it
 * reports the thread's CPU time and the bytes it allocated; the allocation does not move with the
 * load, and CPU time taken in blocks that alternate is paired like the end-to-end rounds.
 *
 * <p>Run: {@code benchmarks/run-client-cost.sh [admin-jdbc-url]} (PostgreSQL or MariaDB).
 */
public final class ClientCost {
    private static final Mode[] MODES = {Mode.HAND, Mode.VEIL};

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        int blocks = Integer.getInteger("veil.bench.blocks", 50);
        int block = Integer.getInteger("veil.bench.block", 400);
        int rows = 1000;
        BenchSettings settings = BenchSettings.parse(args.length == 0 ? new String[0] : new String[] {args[0]});
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder table = new StringBuilder("| Statement | Executed | HAND µs | VEIL µs | VEIL − HAND µs | HAND bytes | VEIL bytes | VEIL − HAND bytes |\n"
                + "|---|:---:|---:|---:|---:|---:|---:|---:|\n");
        try (BenchFixture fixture = BenchFixture.create(settings)) {
            Map<Mode, AccountsClient> clients = new EnumMap<>(Mode.class);
            for (Mode m : MODES) {
                clients.put(m, fixture.accounts(m));
                clients.get(m).batchInsert(1, rows, rows);
            }
            long nextId = rows;
            for (boolean execute : new boolean[] {false, true}) {
                for (AccountsClient.Kind kind : AccountsClient.Kind.values()) {
                    long[] cpu = new long[MODES.length];
                    long[] bytes = new long[MODES.length];
                    long units = 0;
                    for (int b = 0; b < blocks; b++) {
                        boolean measured = b >= blocks / 5; // the first fifth warms up
                        for (int i = 0; i < MODES.length; i++) {
                            int mode = (i + b) % MODES.length;
                            AccountsClient c = clients.get(MODES[mode]);
                            long cpu0 = threads.getCurrentThreadCpuTime();
                            long bytes0 = threads.getCurrentThreadAllocatedBytes();
                            for (int n = 0; n < block; n++) {
                                long id = kind == AccountsClient.Kind.INSERT && execute ? ++nextId : 1 + (nextId + n) % rows;
                                c.run(kind, id, execute);
                            }
                            if (measured) {
                                cpu[mode] += threads.getCurrentThreadCpuTime() - cpu0;
                                bytes[mode] += threads.getCurrentThreadAllocatedBytes() - bytes0;
                            }
                        }
                        if (measured) {
                            units += block;
                        }
                    }
                    double hand = cpu[0] / 1e3 / units;
                    double veil = cpu[1] / 1e3 / units;
                    double handBytes = (double) bytes[0] / units;
                    double veilBytes = (double) bytes[1] / units;
                    table.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %+.2f | %,.0f | %,.0f | %+,.0f |%n", kind,
                            execute ? "yes" : "no", hand, veil, veil - hand, handBytes, veilBytes, veilBytes - handBytes));
                }
            }
            double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf(Locale.ROOT, "Veil client cost per statement: %s %s, Java %s; load average %.1f at start, %.1f at end; "
                            + "%d blocks of %d statements per mode and line, the first fifth unmeasured%n%n",
                    fixture.isPostgres() ? "PostgreSQL" : "MariaDB", fixture.serverVersion(), System.getProperty("java.version"), load0, load1,
                    blocks, block);
            System.out.print(table);
        }
    }
}
