package dev.veil.bench;

import dev.veil.policy.StorageFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** What one run of {@link EndToEnd} measures and for how long; parsed from the command line. */
record BenchSettings(String adminUrl, double warmupSeconds, double measureSeconds, int rounds, int rows,
                     int batchRows, int batchSize, List<Integer> threads, Set<String> scenarios, StorageFormat storage,
                     boolean durableCommit, boolean keep) {
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    static final List<String> ALL_SCENARIOS = List.of("oltp", "plain", "batch", "scan", "ops");

    /** Seconds measured per round against MariaDB unless {@code --measure} says otherwise. */
    static final double MARIADB_MEASURE_SECONDS = 6;

    static final String USAGE = """
            usage: EndToEnd [options] [admin-jdbc-url]
              admin-jdbc-url     PostgreSQL or MariaDB (jdbc:mariadb:) URL allowed to CREATE DATABASE (else $VEIL_BENCH_JDBC_URL,
                                 else %s)
              --warmup S         seconds of warm-up before a mode's first round of a phase (default 5); later
                                 rounds warm up for at most 1 s
              --measure S        seconds measured per round (default 3; %s against MariaDB, where rounds at one
                                 thread vary most: every autocommit INSERT waits for the server's log flush)
              --rounds N         rounds per phase, each running every mode once, back to back; throughputs
                                 are medians over rounds, ratios the median of each round's ratio (default 9)
              --rows N           rows pre-populated for the select workloads and the full scan (default 20000)
              --batch-rows N     rows per measured batch insert (default 100000)
              --batch-size N     rows per JDBC batch (default 1000)
              --threads LIST     thread counts for the statement workloads (default 1,8)
              --scenarios LIST   any of %s (default all)
              --storage FORM     how the encrypted tables store ciphertext: binary (BYTEA columns, the raw
                                 envelope; what README recommends for new columns) or text (TEXT columns,
                                 vl1: + base64url, as a column migrated in place keeps) (default binary)
              --quick            a smoke run: --warmup 1 --measure 2 --rounds 1 --rows 5000 --batch-rows 20000
              --durable-commit   keep synchronous_commit=on (default: off for the benchmark database, so
                                 commit fsync latency of a shared disk does not drown the client's cost)
              --keep             keep the benchmark database instead of dropping it
            """.formatted(DEFAULT_URL, fmt(MARIADB_MEASURE_SECONDS), String.join(",", ALL_SCENARIOS));

    static BenchSettings parse(String[] args) {
        String url = System.getenv("VEIL_BENCH_JDBC_URL");
        double warmup = 5;
        Double measure = null;
        int rounds = 9;
        int rows = 20_000;
        int batchRows = 100_000;
        int batchSize = 1000;
        List<Integer> threads = List.of(1, 8);
        List<String> scenarios = ALL_SCENARIOS;
        StorageFormat storage = StorageFormat.BINARY;
        boolean durableCommit = false;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, a));
                case "--measure" -> measure = Double.parseDouble(value(args, ++i, a));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--rows" -> rows = Integer.parseInt(value(args, ++i, a));
                case "--batch-rows" -> batchRows = Integer.parseInt(value(args, ++i, a));
                case "--batch-size" -> batchSize = Integer.parseInt(value(args, ++i, a));
                case "--threads" -> threads = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--scenarios" -> scenarios = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim).toList();
                case "--storage" -> storage = storage(value(args, ++i, a));
                case "--quick" -> {
                    warmup = 1;
                    measure = 2.0;
                    rounds = 1;
                    rows = 5000;
                    batchRows = 20_000;
                }
                case "--durable-commit" -> durableCommit = true;
                case "--keep" -> keep = true;
                case "-h", "--help" -> throw new IllegalArgumentException("");
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    url = a;
                }
            }
        }
        List<String> unknown = new ArrayList<>(scenarios);
        unknown.removeAll(ALL_SCENARIOS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown scenario(s) " + unknown);
        }
        if (measure == null) {
            measure = url != null && url.startsWith("jdbc:mariadb:") ? MARIADB_MEASURE_SECONDS : 3;
        }
        if (rounds < 1 || rows < 1 || batchRows < 1 || batchSize < 1 || threads.isEmpty() || measure <= 0 || warmup < 0) {
            throw new IllegalArgumentException("counts and durations must be positive");
        }
        return new BenchSettings(url == null || url.isBlank() ? DEFAULT_URL : url, warmup, measure, rounds, rows,
                batchRows, batchSize, threads, Set.copyOf(scenarios), storage, durableCommit, keep);
    }

    private static String fmt(double seconds) {
        return String.format(java.util.Locale.ROOT, "%.0f", seconds);
    }

    /** Warm-up before every round but a mode's first, which refreshes caches after the previous round's reset. */
    double roundWarmupSeconds() {
        return Math.min(1, warmupSeconds);
    }

    int maxThreads() {
        return threads.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /** The storage form a benchmark option names ({@code text} or {@code binary}). */
    static StorageFormat storage(String name) {
        for (StorageFormat f : StorageFormat.values()) {
            if (f.policyName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("storage is text or binary, not " + name);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
