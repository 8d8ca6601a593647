package dev.veil.it.tls;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Running the command-line tools the TLS test servers need, as another OS user when the tests run as root. */
final class Processes {
    private Processes() {
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a command to its end; fails with its output when it exits non-zero. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** {@code command} as {@code user} when the tests run as root (PostgreSQL refuses to run as root), else as it is. */
    static List<String> as(String user, String... command) {
        List<String> c = new ArrayList<>();
        if (root()) {
            c.addAll(List.of("runuser", "-u", user, "--"));
        }
        c.addAll(List.of(command));
        return c;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
