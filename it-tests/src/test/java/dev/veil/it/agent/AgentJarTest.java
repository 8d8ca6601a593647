package dev.veil.it.agent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded agent jar: only Veil's packages, so nothing in it can clash with the application's libraries. */
class AgentJarTest {
    @Test
    void everyClassIsUnderDevVeilAndTheManifestNamesTheEntryPoints() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            List<String> foreign = new ArrayList<>();
            int shaded = 0;
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                String n = e.getName();
                if (n.endsWith(".class") && !n.startsWith("dev/veil/")) {
                    foreign.add(n);
                }
                if (n.startsWith("dev/veil/shaded/")) {
                    shaded++;
                }
            }
            assertEquals(List.of(), foreign);
            for (String pkg : List.of("org/objectweb/asm/", "org/yaml/snakeyaml/", "net/sf/jsqlparser/", "org/slf4j/")) {
                assertNotNull(jar.getEntry("dev/veil/shaded/" + pkg), pkg);
            }
            // BouncyCastle is only the tests' reference GCM-SIV now: nothing of it may ship
            assertTrue(jar.stream().noneMatch(e -> e.getName().contains("bouncycastle")));
            assertTrue(shaded > 500);
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.veil.agent.VeilAgent", main.getValue("Premain-Class"));
            assertEquals("dev.veil.agent.VeilAgent", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("dev.veil.agent.Launcher", main.getValue("Main-Class"));
            assertNotNull(jar.getEntry("META-INF/services/dev.veil.shaded.org.slf4j.spi.SLF4JServiceProvider"));
            assertNull(jar.getEntry("META-INF/services/java.security.Provider"), "BouncyCastle's JCE provider is not offered to the app");
            assertNull(jar.getEntry("module-info.class"));
        }
    }

    /**
     * Its entries are stored, not deflated, so a JVM loading Veil from it (driver or agent) does not
     * inflate its classes at start-up; the manifest comes first, where {@link java.util.jar.JarInputStream} reads it.
     */
    @Test
    void entriesAreStoredWithTheManifestFirst() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            List<String> deflated = new ArrayList<>();
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                if (e.getMethod() != java.util.zip.ZipEntry.STORED) {
                    deflated.add(e.getName());
                }
            }
            assertEquals(List.of(), deflated);
        }
        try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(java.nio.file.Files.newInputStream(ForkedJvm.agentJar()))) {
            assertNotNull(in.getManifest(), "the manifest is not among the first entries");
            assertEquals("dev.veil.agent.VeilAgent", in.getManifest().getMainAttributes().getValue("Premain-Class"));
        }
    }

    @Test
    void runningTheJarRunsTheCliInALoaderOfItsOwn() throws Exception {
        ForkedJvm.Result r = ForkedJvm.run(null, "-jar", ForkedJvm.agentJar().toString(), "--help");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("keys") && r.output().contains("migrate"), r.output());
        assertTrue(r.output().contains("-javaagent:veil-agent.jar=policy="), r.output());
        ForkedJvm.Result none = ForkedJvm.run(null, "-jar", ForkedJvm.agentJar().toString());
        assertEquals(2, none.exitCode(), "no command is a usage error: " + none.output());
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(ForkedJvm.agentJar().toFile())) {
            assertNotNull(jar.getEntry("META-INF/veil/veil-cli.jar"), "the CLI travels as a resource");
        }
    }
}
