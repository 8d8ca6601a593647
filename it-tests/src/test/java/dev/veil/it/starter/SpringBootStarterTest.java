package dev.veil.it.starter;

import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spring Boot 3 and a Spring Boot 4 web application (Spring Data JPA over HikariCP, Flyway
 * migrations that create the encrypted table and insert a row, actuator) whose only Veil parts are
 * the starter and {@code veil.policy}: one start each, in a JVM of its own.
 */
class SpringBootStarterTest {
    private static final String POLICY_TABLES = """
            tables:
              customers:
                email: { mode: deterministic, storage: binary }
                ssn:   { mode: randomized, key: national-id, storage: binary }
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"veil.it.starter-app.jar", "veil.it.starter-app-boot4.jar"})
    void appWithOnlyTheStarterAndAPolicyEncryptsReportsHealthAndMeters(String jarProperty) throws Exception {
        Path jar = Path.of(System.getProperty(jarProperty));
        assertTrue(Files.isRegularFile(jar), jarProperty + " must name the built app (run through mvn verify from the root): " + jar);
        Path keystore = TestKeys.keystore(dir);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(keystore, "rotate-after: 90d") + POLICY_TABLES);
        int port = freePort();
        try (TestDatabase db = TestDatabase.postgres(); App app = App.start(jar, "--spring.datasource.url=" + db.url(),
                "--veil.policy=" + policy, "--server.port=" + port)) {
            String out = app.awaitLine("APP ready");
            assertTrue(out.contains("APP seeded 1|Grace Hopper|grace@example.org|GH 19 06 09 H|platinum"),
                    "Flyway's INSERT was encrypted on its way in (found by its deterministic e-mail):\n" + out);
            assertTrue(out.contains("|Ada Lovelace|ada@example.org|AB 12 34 56 C|gold"), out);
            assertTrue(out.contains("|Ada Lovelace|ada.lovelace@example.org|ZZ 99 99 99 Z|gold"), "updated and found by e-mail:\n" + out);
            assertTrue(out.contains("APP missing false") && out.contains("APP count 2"), out);
            assertTrue(out.contains("DataSource 'dataSource' wrapped by Veil"), out);

            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, email, ssn, tier FROM customers ORDER BY id")) {
                int rows = 0;
                while (rs.next()) {
                    rows++;
                    for (String column : List.of("email", "ssn")) {
                        byte[] stored = rs.getBytes(column);
                        assertEquals((byte) 0xF7, stored[0], column + " holds a Veil envelope");
                        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("@example.org"), column);
                    }
                    assertTrue(rs.getString("tier").matches("platinum|gold"), "unencrypted columns stay plain");
                }
                assertEquals(2, rows);
            }

            HttpResponse<String> up = app.get("/actuator/health");
            assertEquals(200, up.statusCode(), up.body());
            String veil = component(up.body(), "veil");
            assertTrue(veil.contains("\"status\":\"UP\""), up.body()); // (Boot 4 writes the status after the details)
            assertTrue(veil.contains("\"masterKeys\":[\"pkcs12:veil-master\"]") && veil.contains("\"keyTable\":\"veil_keys\""), veil);
            assertTrue(veil.matches(".*\"default\":\\{\"activeVersion\":1,\"expires\":\"[^\"]+\",\"daysUntilExpiry\":89}.*"), veil);
            assertTrue(veil.contains("\"national-id\":{\"activeVersion\":1"), veil);

            HttpResponse<String> meter = app.get("/actuator/metrics/veil.encryptions");
            assertEquals(200, meter.statusCode(), "on the application's registry, Micrometer's global one unused: " + meter.body());
            Matcher count = Pattern.compile("\"statistic\":\"COUNT\",\"value\":([0-9.]+)").matcher(meter.body());
            assertTrue(count.find() && Double.parseDouble(count.group(1)) >= 6, meter.body());
            assertTrue(meter.body().contains("\"tag\":\"policy\""), meter.body());

            Files.delete(keystore);
            HttpResponse<String> down = app.get("/actuator/health");
            assertEquals(503, down.statusCode(), down.body());
            String gone = component(down.body(), "veil");
            assertTrue(gone.contains("\"status\":\"DOWN\"") && gone.contains("\"code\":\"VE002\""), down.body());
            System.out.printf("%s: started and checked in %.1f s%n", jar.getFileName(), app.seconds());
        }
    }

    /** The JSON object of one health component, up to its closing brace (the components have no arrays of objects). */
    private static String component(String health, String name) {
        int at = health.indexOf("\"" + name + "\":{");
        assertTrue(at >= 0, "no component " + name + " in " + health);
        int start = health.indexOf('{', at);
        int depth = 0;
        for (int i = start; i < health.length(); i++) {
            char ch = health.charAt(i);
            depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
            if (depth == 0) {
                return health.substring(start, i + 1);
            }
        }
        throw new AssertionError("unbalanced JSON: " + health);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The application in a JVM of its own; its output collected as it comes. */
    private static final class App implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final CompletableFuture<Void> reader;
        private final int port;
        private final long started = System.nanoTime();
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

        private App(Process process, int port) {
            this.process = process;
            this.port = port;
            this.reader = CompletableFuture.runAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    output.append("(reading failed: ").append(e).append(")\n");
                }
            });
        }

        static App start(Path jar, String... args) throws IOException {
            int port = Integer.parseInt(List.of(args).stream().filter(a -> a.startsWith("--server.port=")).findFirst().orElseThrow()
                    .substring("--server.port=".length()));
            List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
            cmd.addAll(List.of(args));
            return new App(new ProcessBuilder(cmd).redirectErrorStream(true).start(), port);
        }

        /** Waits for a line of output (the app's start takes long on a loaded machine: the bound is generous, never a measurement). */
        synchronized String awaitLine(String line) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(280);
            while (!output.toString().contains(line)) {
                if (!process.isAlive() && reader.isDone()) {
                    throw new AssertionError("the app exited with " + process.exitValue() + " before '" + line + "':\n" + output);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + line + "' from the app:\n" + output);
                }
                wait(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            }
            return output.toString();
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        double seconds() {
            return (System.nanoTime() - started) / 1e9;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
