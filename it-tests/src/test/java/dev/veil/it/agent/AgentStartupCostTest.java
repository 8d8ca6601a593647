package dev.veil.it.agent;

import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the agent adds to a plain-JDBC app's run ({@link PlainJdbcApp}: JVM start, connect, a few
 * statements, exit), measured
 * in one test run with the variants interleaved so load on the machine hits them alike:
 * without Veil; with the agent; with the agent and a policy that matches nothing (the cost of
 * the instrumentation alone); and with Veil as a driver ({@code jdbc:veil:}, no agent: the
 * engine's own cost). The Spring Boot app is measured the same way. Reports medians; the numbers go to {@code target/agent-startup.txt}.
 * Rounds: {@code -Dveil.it.startup.rounds} (default 3).
 *
 * <p>A measurement, not a test (what it runs, {@link AgentProcessTest} and {@link SpringBootAgentTest}
 * test): tagged {@code measurement}, it runs only with {@code -Pmeasure} (see docs/benchmarks.md).
 */
@Tag("measurement")
class AgentStartupCostTest {
    @TempDir
    Path dir;

    @Test
    void measuresWhatTheAgentAddsToStartup() throws Exception {
        int rounds = Integer.getInteger("veil.it.startup.rounds", 3);
        try (TestDatabase db = TestDatabase.postgres()) {
            Path policy = PlainJdbcApp.writePolicy(dir, db.name());
            Path unmatched = PlainJdbcApp.writePolicy(Files.createDirectories(dir.resolve("unmatched")), "no_such_database");
            String appCp = PlainJdbcApp.classPath();
            String app = PlainJdbcApp.class.getName();
            String veilUrl = "jdbc:veil:" + db.url().substring("jdbc:".length()) + (db.url().contains("?") ? "&" : "?") + "veil.policy=" + policy;
            Map<String, List<double[]>> times = new LinkedHashMap<>();
            for (int i = 0; i < rounds + 1; i++) { // the first round warms the OS caches and is not counted
                measure(times, i, "without Veil", ForkedJvm.run(null, "-cp", appCp, app, db.url()));
                measure(times, i, "with the agent", ForkedJvm.run("policy=" + policy, "-cp", appCp, app, db.url()));
                measure(times, i, "agent, policy matches nothing", ForkedJvm.run("policy=" + unmatched, "-cp", appCp, app, db.url()));
                measure(times, i, "jdbc:veil: driver, no agent", ForkedJvm.run(null, "-cp",
                        ForkedJvm.classPath(ForkedJvm.agentJar()) + java.io.File.pathSeparator + appCp, app, veilUrl));
            }
            StringBuilder report = new StringBuilder("PlainJdbcApp start-to-exit, median of " + rounds + " interleaved runs (wall s / CPU s)\n");
            double[] base = median(times.get("without Veil"));
            for (Map.Entry<String, List<double[]>> e : times.entrySet()) {
                double[] m = median(e.getValue());
                report.append(String.format("  %-30s %5.2f / %5.2f   (+%.2f / +%.2f)%n", e.getKey(), m[0], m[1], m[0] - base[0], m[1] - base[1]));
            }
            report.append(springBoot(dir));
            System.out.print(report);
            Files.writeString(Path.of("target", "agent-startup.txt"), report.toString());
            assertEquals(4, times.size());
        }
    }

    /** The same comparison for the Spring Boot app (its start is what users feel); a warm-up round, then medians. */
    private static String springBoot(Path dir) throws Exception {
        int rounds = Integer.getInteger("veil.it.startup.spring.rounds", 2);
        try (TestDatabase db = TestDatabase.postgres()) {
            dev.veil.testkit.ShopSchema.create(db);
            Path policy = dev.veil.it.behaviour.EncryptionBehaviourSuite.writePolicy(Files.createDirectories(dir.resolve("spring")).resolve("policy.yaml"),
                    "match: { databases: [" + db.name() + "] }\n");
            Path unmatched = dev.veil.it.behaviour.EncryptionBehaviourSuite.writePolicy(
                    Files.createDirectories(dir.resolve("spring-unmatched")).resolve("policy.yaml"), "match: { databases: [no_such_database] }\n");
            String jar = ForkedJvm.fileProperty("veil.it.spring-boot-app.jar").toString();
            Map<String, List<double[]>> times = new LinkedHashMap<>();
            for (int i = 0; i < rounds + 1; i++) {
                db.execute("TRUNCATE customers CASCADE");
                measure(times, i, "without Veil", ForkedJvm.run(null, "-jar", jar, "--spring.datasource.url=" + db.url()));
                db.execute("TRUNCATE customers CASCADE");
                measure(times, i, "with the agent", ForkedJvm.run("policy=" + policy, "-jar", jar, "--spring.datasource.url=" + db.url()));
                db.execute("TRUNCATE customers CASCADE");
                measure(times, i, "agent, policy matches nothing", ForkedJvm.run("policy=" + unmatched, "-jar", jar, "--spring.datasource.url=" + db.url()));
            }
            StringBuilder report = new StringBuilder("Spring Boot app (JPA, HikariCP) start-to-exit, median of " + rounds + " interleaved runs (wall s / CPU s)\n");
            double[] base = median(times.get("without Veil"));
            for (Map.Entry<String, List<double[]>> e : times.entrySet()) {
                double[] m = median(e.getValue());
                report.append(String.format("  %-30s %5.2f / %5.2f   (+%.2f / +%.2f)%n", e.getKey(), m[0], m[1], m[0] - base[0], m[1] - base[1]));
            }
            return report.toString();
        }
    }

    private static void measure(Map<String, List<double[]>> times, int round, String variant, ForkedJvm.Result r) {
        r.assertSucceeded();
        List<double[]> list = times.computeIfAbsent(variant, k -> new ArrayList<>());
        if (round > 0) {
            list.add(new double[]{r.wallSeconds(), r.cpuSeconds()});
        }
    }

    private static double[] median(List<double[]> runs) {
        double[] wall = runs.stream().mapToDouble(r -> r[0]).sorted().toArray();
        double[] cpu = runs.stream().mapToDouble(r -> r[1]).sorted().toArray();
        return new double[]{mid(wall), mid(cpu)};
    }

    private static double mid(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
