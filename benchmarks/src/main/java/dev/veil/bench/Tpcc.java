package dev.veil.bench;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A TPC-C-shaped workload: one warehouse, the five transactions in the standard mix (New-Order 45%,
 * Payment 43% with 60% of customers found by last name, Order-Status 4%, Delivery 4%, Stock-Level
 * 4%), no keying or think time, against raw pgjdbc (RAW), as an application encrypting by hand with
 * Veil's ciphers over pgjdbc (HAND, the floor for any encrypting driver), and through the
 * {@code jdbc:veil:} driver (VEIL), with the customer's last name deterministic and its street,
 * city, phone and data, and the history's data, randomized. The three modes run in one run, in
 * rounds whose order rotates ({@link Rounds}); the report gives throughput, the ratios HAND/RAW
 * and VEIL/RAW, client CPU per transaction and p50/p99 latency per transaction type. This is not a TPC-C result: no keying times, one
 * warehouse, no audited durability.
 *
 * <p>Run: {@code benchmarks/run-tpcc.sh [options] [admin-jdbc-url]} ({@code --help} lists the options).
 */
public final class Tpcc {
    private static final List<Mode> MODES = List.of(Mode.RAW, Mode.HAND, Mode.VEIL);

    private final TpccSettings settings;
    private final TpccFixture fixture;
    private final ResultTable table = new ResultTable();
    private final StringBuilder latencyTable = new StringBuilder();

    private Tpcc(TpccSettings settings, TpccFixture fixture) {
        this.settings = settings;
        this.fixture = fixture;
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        TpccSettings settings;
        try {
            settings = TpccSettings.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(TpccSettings.USAGE);
            System.exit(2);
            return;
        }
        try (TpccFixture fixture = TpccFixture.create(settings.adminUrl(), BenchFixture.PASSWORD_ENV, settings.storage(), settings.maxTerminals(),
                settings.durableCommit(), settings.autovacuum(), settings.keep())) {
            System.out.print(settings.clientCost() ? TpccClientCost.run(settings, fixture) : new Tpcc(settings, fixture).run());
        }
    }

    /** Loads, measures every phase, verifies the stored values, and returns the report (markdown). */
    String run() throws Exception {
        double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();
        for (Mode m : MODES) {
            long t0 = System.nanoTime();
            new TpccLoader(fixture.pool(m), settings.scale(), fixture.ciphers(m)).load();
            log("%s loaded (%,d items, %,d customers) in %.0f s", m, settings.scale().items(), settings.scale().customersPerDistrict() * TpccTransactions.DISTRICTS,
                    (System.nanoTime() - t0) / 1e9);
        }
        fixture.vacuum();
        for (int t : settings.terminals()) {
            phase(t);
        }
        String storage = fixture.verify();
        double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nVeil TPC-C-shaped workload: PostgreSQL %s, Java %s, %d CPUs; load average %.1f at start, %.1f at end; %.0f s%n",
                fixture.serverVersion(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), load0, load1,
                (System.nanoTime() - started) / 1e9));
        out.append(String.format(Locale.ROOT, "1 warehouse, %,d items, %,d customers per district; %d rounds per phase, each %.0f s measured after %.0f s "
                        + "of warm-up (%.0f s before a mode's first round); throughputs are medians over rounds, ratios the median of each round's ratio; "
                        + "%s; %s; encrypted columns stored as %s; HAND = HikariCP over pgjdbc, the application encrypting with Veil's ColumnCipher "
                        + "(by-last-name lookups: %s); VEIL = HikariCP over jdbc:veil: (VeilDriver).%n",
                settings.scale().items(), settings.scale().customersPerDistrict(), settings.rounds(), settings.measureSeconds(), settings.roundWarmupSeconds(),
                settings.warmupSeconds(), settings.durableCommit() ? "synchronous_commit on" : "synchronous_commit off",
                settings.autovacuum() ? "the server's autovacuum on" : "autovacuum off on the workload's tables, each database vacuumed before each of its runs",
                settings.storage().policyName(), settings.handWideLookups() ? "c_last IN (?, ?, ?, ?), as Veil sends them" : "c_last = ?"));
        out.append("Stored values checked through the raw driver:\n").append(storage).append('\n');
        out.append(table.markdown()).append('\n');
        out.append("Latency per transaction type (µs, p50 / p99 over every measured transaction of every round):\n\n");
        out.append("| Terminals | Transaction | count RAW · HAND · VEIL | RAW p50 / p99 | HAND p50 / p99 | VEIL p50 / p99 |\n|---:|---|---:|---:|---:|---:|\n");
        out.append(latencyTable).append('\n');
        out.append(table.verdict()).append('\n');
        return out.toString();
    }

    private void phase(int terminals) throws Exception {
        Rounds rounds = new Rounds();
        Map<Mode, TpccLatencies> latencies = new EnumMap<>(Mode.class);
        for (Mode m : MODES) {
            latencies.put(m, new TpccLatencies());
        }
        for (int round = 0; round < settings.rounds(); round++) {
            rounds.next();
            for (Mode m : EndToEnd.inRound(MODES, round)) {
                TpccLatencies l = latencies.get(m);
                TpccTransactions tx = new TpccTransactions(fixture.pool(m), settings.scale(), l, fixture.ciphers(m), settings.handWideLookups());
                TimedRunner.Op op = r -> tx.next(new TpccRandom(r));
                double warmup = round == 0 ? settings.warmupSeconds() : settings.roundWarmupSeconds();
                l.recording(false);
                fixture.beforeRun(m);
                if (warmup > 0) {
                    TimedRunner.run(terminals, warmup, op);
                }
                fixture.checkpoint();
                l.recording(true);
                Measurement x = TimedRunner.run(terminals, settings.measureSeconds(), op);
                l.recording(false);
                log("%d terminal(s), %s, round %d: %,.0f tx/s, %.0f µs client CPU per transaction", terminals, m, round + 1, x.perSecond(),
                        x.cpuMicrosPerUnit());
                rounds.add(m, x);
            }
        }
        table.add("TPC-C-shaped mix", "tx", terminals, 0.95, rounds);
        Map<TpccTransactions.Type, double[]> raw = latencies.get(Mode.RAW).percentiles();
        Map<TpccTransactions.Type, double[]> hand = latencies.get(Mode.HAND).percentiles();
        Map<TpccTransactions.Type, double[]> veil = latencies.get(Mode.VEIL).percentiles();
        for (TpccTransactions.Type t : TpccTransactions.Type.values()) {
            double[] r = raw.get(t);
            double[] h = hand.get(t);
            double[] v = veil.get(t);
            latencyTable.append(String.format(Locale.ROOT, "| %d | %s | %,.0f · %,.0f · %,.0f | %,.0f / %,.0f | %,.0f / %,.0f | %,.0f / %,.0f |%n", terminals,
                    name(t), r[2], h[2], v[2], r[0], r[1], h[0], h[1], v[0], v[1]));
        }
    }

    private static String name(TpccTransactions.Type t) {
        return switch (t) {
            case NEW_ORDER -> "New-Order";
            case PAYMENT -> "Payment";
            case ORDER_STATUS -> "Order-Status";
            case DELIVERY -> "Delivery";
            case STOCK_LEVEL -> "Stock-Level";
        };
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[tpcc] " + format + "%n", args);
    }
}
