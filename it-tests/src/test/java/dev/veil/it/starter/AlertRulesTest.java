package dev.veil.it.starter;

import dev.veil.Veil;
import dev.veil.keys.MasterKeyProviders;
import dev.veil.metrics.MicrometerMeters;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestKeys;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docs/alerts/veil-rules.yml: well formed, naming only series Veil really exports, and (where
 * promtool is installed, as .ci/run provisions it) passing {@code promtool check rules} and the
 * rule unit tests in docs/alerts/veil-rules.test.yml.
 */
class AlertRulesTest {
    private static final Path ALERTS = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("alerts");
    private static final Pattern SERIES = Pattern.compile("\\bveil_[a-z_]+");

    @Test
    @SuppressWarnings("unchecked")
    void everyRuleIsCompleteAndNamesOnlySeriesVeilExports() throws Exception {
        Map<String, Object> file = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(ALERTS.resolve("veil-rules.yml")));
        List<Map<String, Object>> rules = ((List<Map<String, Object>>) file.get("groups")).stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
        Set<String> exported = prometheusNames();
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> rule : rules) {
            String name = (String) rule.get("alert");
            assertTrue(name != null && name.startsWith("Veil"), rule::toString);
            assertTrue(((Map<String, Object>) rule.get("labels")).get("severity") instanceof String, name);
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            assertTrue(annotations.containsKey("summary") && annotations.containsKey("description"), name);
            Matcher m = SERIES.matcher((String) rule.get("expr"));
            assertTrue(m.find(), name + " names no Veil series");
            do {
                assertTrue(exported.contains(m.group()), name + ": " + m.group() + " is not a series Veil exports; it exports " + exported);
                used.add(m.group());
            } while (m.find());
        }
        assertTrue(used.containsAll(Set.of("veil_failures_total", "veil_missing_key_reads_total", "veil_statements_refused_total",
                "veil_key_expiry_seconds")), used::toString);
        assertEquals(rules.size(), rules.stream().map(r -> r.get("alert")).collect(Collectors.toSet()).size(), "alert names are unique");
    }

    /** The series names an engine's meters get in Micrometer's Prometheus registry: dots to underscores, counters _total, base unit appended. */
    private static Set<String> prometheusNames() throws Exception {
        Policy policy = PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env, variable: " + TestKeys.ENV_MASTER_KEY
                + " }\ntables:\n  t:\n    c: randomized\n", "alerts-" + UUID.randomUUID() + ".yaml");
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Veil veil = Veil.open(policy, MasterKeyProviders.create(policy.keys().master()), () -> DriverManager.getConnection(url))) {
            MicrometerMeters.bind(veil.stats(), registry);
            Set<String> names = new TreeSet<>();
            for (Meter meter : registry.getMeters()) {
                String name = meter.getId().getName().replace('.', '_');
                String unit = meter.getId().getBaseUnit();
                if (unit != null && !name.endsWith("_" + unit)) {
                    name += "_" + unit;
                }
                names.add(meter instanceof FunctionCounter ? name + "_total" : name);
            }
            assertFalse(names.isEmpty());
            return names;
        }
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        assumeTrue(onPath("promtool"), "promtool is not installed (Debian package prometheus; .ci/run installs it)");
        assertEquals(0, promtool("check", "rules", "veil-rules.yml"));
        assertEquals(0, promtool("test", "rules", "veil-rules.test.yml"));
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static int promtool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(ALERTS.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        System.out.print(out);
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        return p.exitValue();
    }
}
