package dev.veil.spring.boot;

/** Whether the Veil Java agent runs in this JVM: its bridge class is then on the bootstrap class path. */
final class VeilAgentPresence {
    private static final String BRIDGE = "dev.veil.agent.bootstrap.VeilBridge";

    private VeilAgentPresence() {
    }

    static boolean active() {
        try {
            Class.forName(BRIDGE, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
