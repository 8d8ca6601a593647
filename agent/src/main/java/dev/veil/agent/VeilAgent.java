package dev.veil.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of {@code -javaagent:veil-agent.jar[=policy=/path/policy.yaml]}. Kept tiny: the work
 * is in {@link AgentInstaller}, loaded only once the bootstrap bridge is in place.
 */
public final class VeilAgent {
    private VeilAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        AgentInstaller.install(args, inst, false);
    }

    /** For attaching to a running JVM; connections opened before the attach are not wrapped. */
    public static void agentmain(String args, Instrumentation inst) {
        AgentInstaller.install(args, inst, true);
    }
}
