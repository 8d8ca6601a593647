package dev.veil.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The end-to-end benchmark: the same JDBC application against the real PostgreSQL through
 * HikariCP, as raw pgjdbc (RAW), encrypting by hand with Veil's ciphers (HAND, the floor), and
 * through the {@code jdbc:veil:} driver (VEIL), in one run. Prints a markdown table of throughput,
 * ratios to RAW and the goals.
 *
 * <p>Run: {@code benchmarks/run-e2e.sh [options] [admin-jdbc-url]} ({@code --help} lists the options).
 * Modes are interleaved round by round, their order rotated, and every measured run starts from a
 * checkpoint. Ratios are taken within each round and summarised by their median ({@link Rounds}),
 * because on a small shared machine the database and the client compete for CPU and throughput
 * drifts; the table also shows the middle half of the per-round VEIL/RAW ratios.
 */
public final class EndToEnd {
    private static final List<Mode> ALL = List.of(Mode.RAW, Mode.VEIL, Mode.HAND);
    private static final List<Mode> RAW_AND_VEIL = List.of(Mode.RAW, Mode.VEIL);

    private final BenchSettings settings;
    private final BenchFixture fixture;
    private final ResultTable table = new ResultTable();
    /** Ids for inserted rows: above the pre-populated range, never reused, so no insert collides. */
    private final AtomicLong nextId;

    private EndToEnd(BenchSettings settings, BenchFixture fixture) {
        this.settings = settings;
        this.fixture = fixture;
        this.nextId = new AtomicLong(settings.rows());
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchSettings settings;
        try {
            settings = BenchSettings.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(BenchSettings.USAGE);
            System.exit(2);
            return;
        }
        try (BenchFixture fixture = BenchFixture.create(settings)) {
            new EndToEnd(settings, fixture).run();
        }
    }

    private void run() throws Exception {
        double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();
        log("populating %,d rows per accounts table", settings.rows());
        for (Mode m : Mode.values()) {
            fixture.accounts(m).batchInsert(1, settings.rows(), settings.batchSize());
        }
        fixture.plain(Mode.RAW).batchInsert(1, settings.rows(), settings.batchSize());
        fixture.vacuum();

        if (settings.scenarios().contains("scan")) {
            phase("Full scan, 2 decrypted columns per row", "rows", 1, 0.5, ALL, fixture::accounts, c -> r -> c.scan(), null);
        }
        if (settings.scenarios().contains("batch")) {
            batch();
        }
        if (settings.scenarios().contains("oltp")) {
            for (int t : settings.threads()) {
                phase("OLTP mix, 2 encrypted columns", "ops", t, 0.95, ALL, fixture::accounts, this::mix, BenchFixture::accountsTable);
            }
        }
        if (settings.scenarios().contains("plain")) {
            for (int t : settings.threads()) {
                phase("OLTP mix, no encrypted column", "ops", t, 0.99, RAW_AND_VEIL, fixture::plain, this::mix, m -> BenchFixture.PLAIN);
            }
        }
        if (settings.scenarios().contains("ops")) {
            for (int t : settings.threads()) {
                phase("Single-row INSERT", "ops", t, null, ALL, fixture::accounts,
                        c -> r -> c.insert(nextId.incrementAndGet()), BenchFixture::accountsTable);
            }
            for (int t : settings.threads()) {
                phase("Point SELECT by id", "ops", t, null, ALL, fixture::accounts, c -> r -> c.selectById(anyRow(r)), null);
            }
            for (int t : settings.threads()) {
                phase("SELECT by deterministic column", "ops", t, null, ALL, fixture::accounts, c -> r -> c.selectByEmail(anyRow(r)), null);
            }
        }

        String storage = fixture.verifyStorage();
        double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.println();
        System.out.printf(Locale.ROOT, "Veil end-to-end benchmark: %s %s on %s, Java %s, %d CPUs; load average %.1f at start, %.1f at end; %.0f s%n",
                fixture.isPostgres() ? "PostgreSQL" : "MariaDB", fixture.serverVersion(), settings.adminUrl().replaceAll("[?].*", ""), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), load0, load1, (System.nanoTime() - started) / 1e9);
        System.out.printf(Locale.ROOT, "Each phase: %d interleaved rounds per mode, each %.0f s measured after %.0f s of warm-up (%.0f s before a mode's first round); "
                        + "throughputs are medians over rounds, ratios the median of each round's ratio; %,d pre-populated rows; "
                        + "batch insert of %,d rows in batches of %,d; HikariCP pool of %d per mode; %s; ciphertext stored as %s; "
                        + "VEIL = HikariCP over jdbc:veil: (VeilDriver).%n",
                settings.rounds(), settings.measureSeconds(), settings.roundWarmupSeconds(), settings.warmupSeconds(), settings.rows(), settings.batchRows(),
                settings.batchSize(), settings.maxThreads(),
                !fixture.isPostgres() ? "the server's commit durability" : settings.durableCommit() ? "synchronous_commit on" : "synchronous_commit off",
                fixture.columnType(settings.storage()) + " (storage: " + settings.storage().policyName() + ")");
        System.out.println("Stored values checked through the raw driver:");
        System.out.print(storage);
        System.out.println();
        System.out.print(table.markdown());
        System.out.println();
        System.out.println(table.verdict());
    }

    /** The OLTP mix: 50 % single-row INSERT with a fresh id, 40 % point SELECT by id, 10 % SELECT by the deterministic column. */
    private TimedRunner.Op mix(AccountsClient c) {
        return r -> {
            int p = r.nextInt(100);
            if (p < 50) {
                return c.insert(nextId.incrementAndGet());
            }
            return p < 90 ? c.selectById(anyRow(r)) : c.selectByEmail(anyRow(r));
        };
    }

    private long anyRow(java.util.SplittableRandom r) {
        return 1 + r.nextLong(settings.rows());
    }

    /**
     * Measures one timed phase for each mode, rounds interleaved: a mode warms up for the full
     * warm-up before its first round and briefly before each later one (the table was reset).
     *
     * @param written the table a mode's workload inserts into (reset after every run), or {@code null} for read-only work
     */
    private void phase(String name, String unit, int threads, Double goal, List<Mode> modes, Function<Mode, AccountsClient> client,
                       Function<AccountsClient, TimedRunner.Op> workload, Function<Mode, String> written) throws Exception {
        Rounds rounds = new Rounds();
        for (int round = 0; round < settings.rounds(); round++) {
            rounds.next();
            for (Mode m : inRound(modes, round)) {
                TimedRunner.Op op = workload.apply(client.apply(m));
                double warmup = round == 0 ? settings.warmupSeconds() : settings.roundWarmupSeconds();
                if (warmup > 0) {
                    TimedRunner.run(threads, warmup, op);
                    reset(written, m);
                }
                fixture.checkpoint();
                Measurement x = TimedRunner.run(threads, settings.measureSeconds(), op);
                reset(written, m);
                log("%s, %d thread(s), %s, round %d: %,.0f %s/s, %.1f µs client CPU and %,.0f bytes allocated per unit", name, threads, m,
                        round + 1, x.perSecond(), unit, x.cpuMicrosPerUnit(), x.bytesPerUnit());
                rounds.add(m, x);
            }
        }
        table.add(name, unit, threads, goal, rounds);
    }

    /** The 100k-row batch insert, one thread: a smaller warm-up load, then the measured load into an emptied table. */
    private void batch() throws Exception {
        String name = String.format(Locale.ROOT, "Batch insert %,d rows (%,d per batch)", settings.batchRows(), settings.batchSize());
        Rounds rounds = new Rounds();
        for (int round = 0; round < settings.rounds(); round++) {
            rounds.next();
            for (Mode m : inRound(ALL, round)) {
                AccountsClient c = fixture.batch(m);
                String t = BenchFixture.batchTable(m);
                fixture.truncate(t);
                c.batchInsert(1, Math.max(settings.batchSize(), settings.batchRows() / 5), settings.batchSize());
                fixture.truncate(t);
                fixture.checkpoint();
                Measurement x = TimedRunner.once(r -> c.batchInsert(1, settings.batchRows(), settings.batchSize()));
                log("%s, %s, round %d: %,.0f rows/s, %.1f µs client CPU and %,.0f bytes allocated per row", name, m, round + 1, x.perSecond(),
                        x.cpuMicrosPerUnit(), x.bytesPerUnit());
                rounds.add(m, x);
            }
        }
        table.add(name, "rows", 1, 0.85, rounds);
    }

    /**
     * The modes rotated by one place a round, so over the rounds each mode runs first, in the middle
     * and last equally often and no mode always follows the same other mode's writes.
     */
    static List<Mode> inRound(List<Mode> modes, int round) {
        List<Mode> order = new ArrayList<>(modes);
        Collections.rotate(order, -(round % modes.size()));
        return order;
    }

    private void reset(Function<Mode, String> written, Mode m) throws Exception {
        if (written != null) {
            fixture.reset(written.apply(m), settings.rows());
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[e2e] " + format + "%n", args);
    }
}
