package dev.veil.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
        Path jar = newPrivateFile(Path.of(System.getProperty("java.io.tmpdir")), "veil-agent-bridge-");
        jar.toFile().deleteOnExit();
        ClassLoader own = AgentInstaller.class.getClassLoader();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar, StandardOpenOption.WRITE))) {
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

    /**
     * Creates a new file {@code <prefix><pid>-<n>.jar} in {@code dir}, readable and writable by
     * this user only where the file system has POSIX permissions. Like
     * {@link Files#createTempFile}, it never opens an existing file or follows a link (the file
     * must be new), but it takes no random name: a fresh JVM's first {@code SecureRandom} costs
     * the application's start tens of milliseconds, and uniqueness is all a new file needs.
     */
    static Path newPrivateFile(Path dir, String prefix) throws IOException {
        return newPrivateFile(dir, prefix, System.nanoTime());
    }

    /** {@link #newPrivateFile(Path, String)} trying the numbers from {@code n} on. */
    static Path newPrivateFile(Path dir, String prefix, long n) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path file = dir.resolve(prefix + pid + "-" + Long.toUnsignedString(n + attempt, 36) + ".jar");
            try {
                return posix ? Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                        : Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }
}
