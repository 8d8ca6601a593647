package dev.veil.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Installs the agent: reads the settings, puts the bridge on the bootstrap class path, then hands
 * over to {@link Instrumenter}. This class must not mention the bridge's types: the JVM could load
 * them (from the wrong loader) while verifying it, before they are on the bootstrap class path.
 */
final class AgentInstaller {
    static final String BRIDGE = "dev.veil.agent.bootstrap.VeilBridge";
    private static final String[] BRIDGE_CLASSES = {"dev/veil/agent/bootstrap/VeilBridge.class", "dev/veil/agent/bootstrap/VeilBridge$Hook.class",
            "dev/veil/agent/bootstrap/VeilBridge$Calls.class"};

    private AgentInstaller() {
    }

    /**
     * @throws IllegalArgumentException for bad settings, IllegalStateException when instrumentation
     *         cannot be installed: the JVM then refuses to start rather than run unprotected
     */
    static synchronized void install(String agentArgs, Instrumentation inst, boolean attached) {
        Map<AgentSetting, String> arguments = AgentSetting.parse(agentArgs);
        if (bridgeOnBootstrap()) {
            return; // loaded twice (two -javaagent flags, or attached again): the first one serves
        }
        try {
            appendBridgeToBootstrap(inst);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Veil agent: cannot put its bridge on the bootstrap class path: " + e, e);
        }
        Instrumenter.start(AgentSetting.POLICY.resolve(arguments), Boolean.parseBoolean(AgentSetting.DEBUG.resolve(arguments)), attached, inst);
    }

    private static boolean bridgeOnBootstrap() {
        try {
            Class.forName(BRIDGE, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void appendBridgeToBootstrap(Instrumentation inst) throws IOException {
        Path jar = Files.createTempFile("veil-agent-bridge-", ".jar");
        jar.toFile().deleteOnExit();
        ClassLoader own = AgentInstaller.class.getClassLoader();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : BRIDGE_CLASSES) {
                try (InputStream in = own == null ? ClassLoader.getSystemResourceAsStream(name) : own.getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("missing " + name + " in the agent jar");
                    }
                    out.putNextEntry(new JarEntry(name));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
    }
}
