package dev.veil.it.agent;

import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An unmodified plain-JDBC application on MariaDB, run in a forked JVM with {@code -javaagent}.
 * MariaDB Connector/J's {@code Driver.connect} declares a narrower return type, so every caller
 * through {@code java.sql.Driver} (DriverManager, pools) runs a compiler bridge method; the
 * connection it returns must be wrapped like any other.
 */
class MariaDbAgentProcessTest {

    @Test
    void driverManagerConnectionsThroughTheBridgeMethodAreEncrypted(@TempDir Path dir) throws Exception {
        try (TestDatabase db = TestDatabase.mariadbOrNull()) {
            assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set: no MariaDB to run the agent against");
            Path policy = PlainJdbcApp.writePolicy(Files.createDirectories(dir.resolve("policy")), db.name());
            ForkedJvm.Result r = ForkedJvm.run("policy=" + policy, "-cp",
                    ForkedJvm.classPath(Path.of(PlainJdbcApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                            ForkedJvm.fileProperty("veil.it.mariadb.jar")),
                    PlainJdbcApp.class.getName(), db.url(), "1").assertSucceeded();
            assertTrue(r.output().contains("APP found Ada Lovelace: recovered"), r.output());
            List<String> stored = new ArrayList<>();
            try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email, note FROM visits")) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                    stored.add(rs.getString(2));
                }
            }
            assertEquals(6, stored.size(), stored.toString());
            stored.forEach(v -> assertTrue(v.startsWith("vl1:"), "stored in plaintext: column value of length " + v.length()));
        }
    }
}
