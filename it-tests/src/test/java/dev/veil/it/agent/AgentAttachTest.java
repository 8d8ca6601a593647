package dev.veil.it.agent;

import com.sun.tools.attach.VirtualMachine;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Agent-Class}: attached to a running JVM whose driver is already loaded, the agent retransforms it. */
class AgentAttachTest {
    @TempDir
    Path dir;

    @Test
    void attachedAgentProtectsLaterConnections() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            Path policy = PlainJdbcApp.writePolicy(dir, db.name());
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", PlainJdbcApp.classPath(), AttachTarget.class.getName(), db.url()).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer in = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                String ready = out.readLine();
                assertTrue(ready != null && ready.startsWith("READY "), String.valueOf(ready));
                VirtualMachine vm = VirtualMachine.attach(ready.substring("READY ".length()));
                try {
                    vm.loadAgent(ForkedJvm.agentJar().toString(), "policy=" + policy);
                } finally {
                    vm.detach();
                }
                in.write("go\n");
                in.flush();
                StringBuilder rest = new StringBuilder();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    rest.append(line).append('\n');
                }
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), rest.toString());
                assertTrue(rest.toString().contains("DONE dev.veil.jdbc.VeilConnection"), rest.toString());
            } finally {
                p.destroyForcibly();
            }
            try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email, note FROM visits")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("vl1:") && rs.getString(2).startsWith("vl1:"), rs.getString(1));
            }
        }
    }
}
