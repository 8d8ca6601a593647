package dev.veil.it.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an application in a JVM of its own, with or without the agent, and captures what it
 * printed and how long it took (wall and CPU, measured by bash's {@code time}).
 */
final class ForkedJvm {
    record Result(int exitCode, String output, double wallSeconds, double cpuSeconds) {
        Result assertSucceeded() {
            if (exitCode != 0) {
                throw new AssertionError("the forked JVM exited with " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private ForkedJvm() {
    }

    /** The built agent jar (agent/target/veil-agent.jar), as the it-tests pom passes it. */
    static Path agentJar() {
        return fileProperty("veil.it.agent.jar");
    }

    static Path fileProperty(String name) {
        String p = System.getProperty(name);
        if (p == null || !Files.exists(Path.of(p))) {
            throw new IllegalStateException("system property " + name + " must name a built file (run through mvn verify from the root); got " + p);
        }
        return Path.of(p);
    }

    static String classPath(Path... entries) {
        List<String> s = new ArrayList<>();
        for (Path e : entries) {
            s.add(e.toString());
        }
        return String.join(File.pathSeparator, s);
    }

    /**
     * @param agentArgs {@code null} for no agent, else the agent's argument (for example {@code policy=/p.yaml})
     * @param jvmAndApp what follows the agent flag: {@code -cp … Main args} or {@code -jar app.jar args}
     */
    static Result run(String agentArgs, String... jvmAndApp) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "TIMEFORMAT='VEIL-TIME %R %U %S'; time \"$@\"", "bash"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (agentArgs != null) {
            cmd.add("-javaagent:" + agentJar() + "=" + agentArgs);
        }
        cmd.addAll(List.of(jvmAndApp));
        Path log = Files.createTempFile("veil-forked-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the forked JVM did not finish in 300 s:\n" + Files.readString(log));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            double wall = Double.NaN;
            double cpu = Double.NaN;
            int t = out.lastIndexOf("VEIL-TIME ");
            if (t >= 0) {
                String[] f = out.substring(t + "VEIL-TIME ".length()).strip().split("\\s+");
                wall = Double.parseDouble(f[0]);
                cpu = Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
                out = out.substring(0, t);
            }
            return new Result(p.exitValue(), out, wall, cpu);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
