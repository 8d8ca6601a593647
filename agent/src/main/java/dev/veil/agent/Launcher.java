package dev.veil.agent;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The agent jar's {@code Main-Class}. When the jar is built with Veil's command-line tool
 * ({@code dev.veil.cli.Main}, the {@code cli/} module) it runs that; otherwise it explains how the
 * jar is used as an agent.
 */
public final class Launcher {
    static final String CLI = "dev.veil.cli.Main";

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        Method main;
        try {
            main = Class.forName(CLI).getMethod("main", String[].class);
        } catch (ClassNotFoundException e) {
            System.err.println("veil-agent.jar is a Java agent: java -javaagent:veil-agent.jar=policy=/etc/veil/policy.yaml -jar app.jar");
            System.err.println("(settings: policy, debug; or the system properties veil.policy, veil.agent.debug;"
                    + " or the environment variables VEIL_POLICY, VEIL_AGENT_DEBUG)");
            System.exit(2);
            return;
        }
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
