package dev.veil.it.keys;

import dev.veil.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code veil} commands in this JVM, as the jar's Main-Class would. */
public record Cli(int code, String out, String err) {

    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** The repository's {@code veil} launcher script. */
    public static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("veil");

    /** Whether the launcher has a jar to run (the cli module was packaged in this build). */
    public static boolean launcherReady() {
        return Files.isRegularFile(SCRIPT.resolveSibling("cli").resolve("target").resolve("veil-cli.jar"));
    }

    /** Runs a command through the {@code veil} script in a new JVM, as an operator would. */
    static Cli fork(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        // both streams are small; read them concurrently so neither pipe fills up
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("veil " + String.join(" ", args) + " did not finish");
        }
        return new Cli(p.exitValue(), out, err.get());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
