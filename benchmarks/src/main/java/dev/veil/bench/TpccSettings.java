package dev.veil.bench;

import dev.veil.policy.StorageFormat;

import java.util.Arrays;
import java.util.List;

/** What one run of {@link Tpcc} measures; parsed from the command line. */
record TpccSettings(String adminUrl, List<Integer> terminals, double warmupSeconds, double measureSeconds, int rounds, TpccScale scale,
                    StorageFormat storage, boolean durableCommit, boolean autovacuum, boolean keep, boolean handWideLookups, boolean clientCost) {
    static final String USAGE = """
            usage: Tpcc [options] [admin-jdbc-url]
              admin-jdbc-url     a PostgreSQL URL allowed to CREATE DATABASE (else $VEIL_BENCH_JDBC_URL, else %s)
              --terminals LIST   terminal (client thread) counts, each a phase of its own (default 4)
              --warmup S         seconds of warm-up before a mode's first round of a phase (default 10); later
                                 rounds warm up for at most 2 s
              --measure S        seconds measured per round (default 20)
              --rounds N         rounds per phase, each running RAW, HAND and VEIL once, back to back, in an order
                                 that rotates by one place a round; throughputs are medians over rounds, ratios the median of each round's ratio (default 6)
              --items N          items and stock rows (default 100000, the specification's)
              --customers N      customers and initial orders per district (default 3000, the specification's)
              --storage FORM     text (varchar columns widened for vl1: + base64url, as an application's existing
                                 columns are; default) or binary (bytea columns)
              --quick            a smoke run: --warmup 2 --measure 5 --rounds 2 --items 5000 --customers 300
              --durable-commit   keep synchronous_commit=on (default: off for every database)
              --autovacuum       leave the workload's tables to the server's autovacuum (default: off for them, and
                                 each mode's database is vacuumed before each of its runs, so that no vacuum of
                                 one mode's tables runs during another mode's measured round)
              --keep             keep the three databases instead of dropping them
              --hand-lookup FORM narrow (HAND looks customers up by last name with c_last = ?; default) or wide
                                 (c_last IN (?, ?, ?, ?) bound with four copies of the ciphertext: the SQL Veil
                                 sends while one data-key version is live)
              --client-cost      instead of the mix at full speed: each transaction type on one thread through
                                 every mode in alternating blocks, the thread's CPU and bytes per transaction
            """.formatted(BenchSettings.DEFAULT_URL);

    static TpccSettings parse(String[] args) {
        String url = System.getenv("VEIL_BENCH_JDBC_URL");
        List<Integer> terminals = List.of(4);
        double warmup = 10;
        double measure = 20;
        int rounds = 6;
        int items = TpccScale.FULL.items();
        int customers = TpccScale.FULL.customersPerDistrict();
        StorageFormat storage = StorageFormat.TEXT;
        boolean durable = false;
        boolean autovacuum = false;
        boolean keep = false;
        boolean wide = false;
        boolean clientCost = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--terminals" -> terminals = Arrays.stream(value(args, ++i, a).split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, a));
                case "--measure" -> measure = Double.parseDouble(value(args, ++i, a));
                case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, a));
                case "--items" -> items = Integer.parseInt(value(args, ++i, a));
                case "--customers" -> customers = Integer.parseInt(value(args, ++i, a));
                case "--storage" -> storage = BenchSettings.storage(value(args, ++i, a));
                case "--quick" -> {
                    warmup = 2;
                    measure = 5;
                    rounds = 2;
                    items = 5000;
                    customers = 300;
                }
                case "--durable-commit" -> durable = true;
                case "--autovacuum" -> autovacuum = true;
                case "--keep" -> keep = true;
                case "--client-cost" -> clientCost = true;
                case "--hand-lookup" -> wide = switch (value(args, ++i, a)) {
                    case "narrow" -> false;
                    case "wide" -> true;
                    default -> throw new IllegalArgumentException("--hand-lookup takes narrow or wide");
                };
                case "-h", "--help" -> throw new IllegalArgumentException("");
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    url = a;
                }
            }
        }
        if (rounds < 1 || terminals.isEmpty() || terminals.stream().anyMatch(t -> t < 1) || measure <= 0 || warmup < 0) {
            throw new IllegalArgumentException("counts and durations must be positive");
        }
        return new TpccSettings(url == null || url.isBlank() ? BenchSettings.DEFAULT_URL : url, terminals, warmup, measure, rounds,
                new TpccScale(items, customers), storage, durable, autovacuum, keep, wide, clientCost);
    }

    double roundWarmupSeconds() {
        return Math.min(2, warmupSeconds);
    }

    int maxTerminals() {
        return terminals.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
