package dev.veil.bench;

import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.testkit.TestDatabase;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What Veil adds to the start of a plain JDBC program ({@link StartupApp}): the same program run in
 * fresh JVMs on raw pgjdbc (RAW), on raw pgjdbc encrypting the two columns by hand with the same
 * keystore and JCE primitives (HAND, the floor for an application that protects those columns at
 * all), through {@code jdbc:veil:} with Veil's jar on the class path (DRIVER), and on raw pgjdbc
 * under {@code -javaagent:veil-agent.jar} (AGENT), round after round,
 * the order rotating each round so every mode runs first, second and last equally often. The first
 * round warms the operating system's caches and is not counted. Reports, per mode, the median and
 * middle half of the wall time from process start to exit and of the CPU time the process used
 * (user + system, from bash's {@code time}), and the medians' differences to RAW and to HAND.
 *
 * <p>Run through {@code benchmarks/run-startup.sh [rounds] [admin-url]}, which finds the jars.
 */
public final class StartupBenchmark {
    enum Mode { RAW, HAND, DRIVER, AGENT }

    private StartupBenchmark() {
    }

    /** {@code <agent-jar> <pgjdbc-jar> <app-classes> <rounds> <admin-url>} */
    public static void main(String[] args) throws Exception {
        Path agentJar = Path.of(args[0]);
        Path pgJar = Path.of(args[1]);
        Path appClasses = Path.of(args[2]);
        int rounds = Integer.parseInt(args[3]);
        System.setProperty("veil.it.url", args[4]);
        String password = System.getenv(BenchFixture.PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(BenchFixture.PASSWORD_ENV + " is not set; run benchmarks/run-startup.sh");
        }
        Path dir = Files.createTempDirectory("veil-startup-");
        try (TestDatabase db = TestDatabase.postgres()) {
            Path keystore = dir.resolve("master.p12");
            Pkcs12MasterKeyProvider.createKeystore(keystore, password.toCharArray(), "veil-master");
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, """
                    version: 1
                    keys:
                      master: { provider: pkcs12, path: '%s', password-env: %s, alias: veil-master }
                    tables:
                      visits:
                        email: deterministic
                        note: randomized
                    """.formatted(keystore.toString().replace("'", "''"), BenchFixture.PASSWORD_ENV));
            String appCp = appClasses + File.pathSeparator + pgJar;
            String veilUrl = "jdbc:veil:" + db.url().substring("jdbc:".length()) + (db.url().contains("?") ? "&" : "?") + "veil.policy=" + policy;
            Map<Mode, List<String>> commands = new EnumMap<>(Mode.class);
            commands.put(Mode.RAW, List.of("-cp", appCp, StartupApp.class.getName(), db.url()));
            commands.put(Mode.HAND, List.of("-cp", appCp, StartupApp.class.getName(), db.url(), "hand", keystore.toString(), "veil-master",
                    BenchFixture.PASSWORD_ENV));
            commands.put(Mode.DRIVER, List.of("-cp", agentJar + File.pathSeparator + appCp, StartupApp.class.getName(), veilUrl));
            commands.put(Mode.AGENT, List.of("-javaagent:" + agentJar + "=policy=" + policy, "-cp", appCp, StartupApp.class.getName(), db.url()));
            System.out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
            Map<Mode, List<double[]>> times = new EnumMap<>(Mode.class);
            Mode[] modes = Mode.values();
            for (int round = 0; round <= rounds; round++) {
                for (int i = 0; i < modes.length; i++) {
                    Mode m = modes[(i + round) % modes.length];
                    double[] t = run(commands.get(m));
                    if (round > 0) {
                        times.computeIfAbsent(m, k -> new ArrayList<>()).add(t);
                    }
                }
                if (round > 0) {
                    System.out.printf(Locale.ROOT, "round %d of %d done%n", round, rounds);
                }
            }
            System.out.printf(Locale.ROOT, "load average at end: %s%n%n", loadAverage());
            System.out.println(table(times, rounds));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs one JVM; returns its wall and CPU seconds. */
    private static double[] run(List<String> javaArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "TIMEFORMAT='VEIL-TIME %R %U %S'; time \"$@\"", "bash"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaArgs);
        Path log = Files.createTempFile("veil-startup-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("a JVM did not finish in 300 s: " + String.join(" ", javaArgs));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            int t = out.lastIndexOf("VEIL-TIME ");
            if (p.exitValue() != 0 || t < 0 || !out.contains("APP Ada Lovelace: recovered")) {
                throw new IllegalStateException("the app failed (exit " + p.exitValue() + "):\n" + out);
            }
            String[] f = out.substring(t + "VEIL-TIME ".length()).strip().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2])};
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static String table(Map<Mode, List<double[]>> times, int rounds) {
        StringBuilder sb = new StringBuilder("StartupApp, fresh JVM per run, " + rounds + " rounds (median, middle half in brackets; seconds)\n\n"
                + "| mode | wall | added wall vs RAW | vs HAND | CPU (user + sys) | added CPU vs RAW | vs HAND |\n|---|---:|---:|---:|---:|---:|---:|\n");
        double[] raw = medians(times.get(Mode.RAW));
        double[] hand = medians(times.get(Mode.HAND));
        for (Map.Entry<Mode, List<double[]>> e : times.entrySet()) {
            List<double[]> r = e.getValue();
            double[] m = medians(r);
            sb.append(String.format(Locale.ROOT, "| %s | %.2f (%.2f–%.2f) | %+.2f | %+.2f | %.2f (%.2f–%.2f) | %+.2f | %+.2f |%n", e.getKey(),
                    m[0], quantile(r, 0, 0.25), quantile(r, 0, 0.75), m[0] - raw[0], m[0] - hand[0],
                    m[1], quantile(r, 1, 0.25), quantile(r, 1, 0.75), m[1] - raw[1], m[1] - hand[1]));
        }
        return sb.toString();
    }

    private static double[] medians(List<double[]> runs) {
        return new double[] {quantile(runs, 0, 0.5), quantile(runs, 1, 0.5)};
    }

    /** The q-quantile of column {@code col}, interpolated between neighbours. */
    static double quantile(List<double[]> runs, int col, double q) {
        double[] v = runs.stream().mapToDouble(r -> r[col]).sorted().toArray();
        double at = q * (v.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (v[hi] - v[lo]) * (at - lo);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
