package dev.veil.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent jar's {@code Main-Class}: {@code java -jar veil-agent.jar <command>} runs Veil's
 * command-line tool. The CLI's own jar travels inside this one as a resource, not as classes,
 * and runs in a class loader of its own (parent: the platform loader), so the JDBC drivers it
 * needs are never on the class path of an application that uses this jar as its agent.
 */
public final class Launcher {
    static final String CLI = "dev.veil.cli.Main";
    static final String CLI_JAR = "/META-INF/veil/veil-cli.jar";

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        Path jar = extractCli();
        if (jar == null) {
            System.err.println("veil-agent.jar is a Java agent: java -javaagent:veil-agent.jar=policy=/etc/veil/policy.yaml -jar app.jar");
            System.err.println("(settings: policy, debug; or the system properties veil.policy, veil.agent.debug;"
                    + " or the environment variables VEIL_POLICY, VEIL_AGENT_DEBUG)");
            System.exit(2);
            return;
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        // DriverManager finds drivers through the context class loader: it must be the CLI's
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class.forName(CLI, true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The embedded CLI jar copied to a temporary file (deleted on exit), or null when this build has none. */
    private static Path extractCli() throws IOException {
        try (InputStream in = Launcher.class.getResourceAsStream(CLI_JAR)) {
            if (in == null) {
                return null;
            }
            Path tmp = Files.createTempFile("veil-cli", ".jar");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }
}
