package dev.veil.jdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Delegating* classes are written by {@code tools/GenerateDelegates.java}. A hand edit to one
 * of them, or a generator change that was not re-run, lets the two drift apart (and a JDBC method
 * missing from a delegate could hand the application an unwrapped object). Runs the generator, as
 * its own comment says to, into a temporary directory and compares every file.
 */
class GeneratedDelegatesTest {
    static final Path SOURCES = Path.of("src", "main", "java", "dev", "veil", "jdbc");
    static final Path GENERATOR = Path.of("..", "tools", "GenerateDelegates.java");

    @TempDir
    Path out;

    @Test
    void delegatesAreExactlyWhatTheGeneratorWrites() throws Exception {
        assertTrue(Files.isRegularFile(GENERATOR), "generator not found at " + GENERATOR.toAbsolutePath());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), GENERATOR.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the generator did not finish");
        assertEquals(0, p.exitValue(), log);

        Set<String> generated = delegates(out);
        assertFalse(generated.isEmpty(), "the generator wrote no Delegating*.java");
        assertEquals(generated, delegates(SOURCES), "the Delegating*.java files in " + SOURCES + " vs those the generator writes");
        for (String name : generated) {
            List<String> expected = Files.readAllLines(out.resolve(name));
            List<String> actual = Files.readAllLines(SOURCES.resolve(name));
            int line = firstDifference(expected, actual);
            if (line >= 0) {
                fail(name + " differs from what tools/GenerateDelegates.java writes, first at line " + (line + 1)
                        + ":\n  generator: " + (line < expected.size() ? expected.get(line) : "(end of file)")
                        + "\n  source:    " + (line < actual.size() ? actual.get(line) : "(end of file)")
                        + "\nEdit the generator, then run from the repository root: "
                        + "java tools/GenerateDelegates.java jdbc-driver/src/main/java/dev/veil/jdbc");
            }
        }
    }

    /** The index of the first line where the two differ, or -1 when they are equal. */
    static int firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i >= a.size() || i >= b.size() || !a.get(i).equals(b.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static Set<String> delegates(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("Delegating") && n.endsWith(".java"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
