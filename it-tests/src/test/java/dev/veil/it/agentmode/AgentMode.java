package dev.veil.it.agentmode;

import java.nio.file.Path;

/**
 * The agent-mode JVMs: Maven's {@code agent-mode} surefire execution starts one JVM per test class
 * with {@code -javaagent:veil-agent.jar=policy=<path>} and tells the tests the path in
 * {@code veil.it.agent.policy}. Each class writes its policy there before its first connection.
 */
final class AgentMode {
    private AgentMode() {
    }

    static Path policyPath() {
        String p = System.getProperty("veil.it.agent.policy");
        if (p == null) {
            throw new IllegalStateException("agent-mode tests run in the JVMs of the it-tests 'agent-mode' execution (mvn verify), which set veil.it.agent.policy");
        }
        return Path.of(p);
    }
}
