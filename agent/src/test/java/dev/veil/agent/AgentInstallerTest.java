package dev.veil.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentInstallerTest {
    @Test
    void bridgeFilesAreNewEmptyAndPrivate(@TempDir Path dir) throws IOException {
        Path a = AgentInstaller.newPrivateFile(dir, "veil-agent-bridge-");
        Path b = AgentInstaller.newPrivateFile(dir, "veil-agent-bridge-");
        assertNotEquals(a, b);
        assertEquals(0, Files.size(a));
        assertTrue(a.getFileName().toString().startsWith("veil-agent-bridge-") && a.toString().endsWith(".jar"), a::toString);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
        }
    }

    @Test
    void neverOpensAFileOrLinkThatIsThereAlready(@TempDir Path dir) throws IOException {
        Path taken = AgentInstaller.newPrivateFile(dir, "p-", 42);
        Path target = Files.writeString(dir.resolve("target"), "keep");
        Files.delete(taken);
        Files.createSymbolicLink(taken, target);
        Path next = AgentInstaller.newPrivateFile(dir, "p-", 42);
        assertNotEquals(taken, next, "the name held by a link is skipped");
        assertEquals(0, Files.size(next));
        assertEquals("keep", Files.readString(target));
        assertTrue(Files.isSymbolicLink(taken));
    }
}
