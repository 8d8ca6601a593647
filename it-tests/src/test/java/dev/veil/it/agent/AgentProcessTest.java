package dev.veil.it.agent;

import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * policy-examples' SampleApp (plain JDBC, no Veil on its class path) run unmodified in forked JVMs
 * with {@code -javaagent}: from a plain class path and from a child-first class loader.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentProcessTest {
    Path dir;
    TestDatabase db;
    Path policy;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        db = TestDatabase.postgres();
        policy = SampleAppPolicy.write(dir, db.name());
    }

    @AfterAll
    void stop() throws Exception {
        db.close();
    }

    static Path sampleAppClasses() {
        return ForkedJvm.fileProperty("veil.it.sample-app.classes");
    }

    static Path postgresDriver() {
        return ForkedJvm.fileProperty("veil.it.postgresql.jar");
    }

    static void assertSampleAppSawPlaintext(String output) {
        assertTrue(output.contains("found by e-mail: Alan Turing, national id CD 78 90 12 E"), output);
        assertTrue(output.contains("| Alan Turing   | alan@example.org   | CD 78 90 12 E | recovered        | 1912-06-23"), output);
    }

    /** The patients' encrypted columns as stored (bytea), each checked to be a binary envelope. */
    void assertPatientsStoredEncrypted() throws Exception {
        int values = 0;
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT email, national_id, diagnosis, birth_date FROM patients")) {
            while (rs.next()) {
                for (int i = 1; i <= 4; i++) {
                    byte[] stored = rs.getBytes(i);
                    assertEquals((byte) 0xF7, stored[0], "not an envelope: column " + i);
                    String asText = new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertFalse(asText.contains("example") || asText.contains("recovered") || asText.contains("CD 78"), asText);
                    values++;
                }
            }
        }
        assertEquals(12, values);
    }

    @Test
    void plainClassPathAppIsEncryptedWithoutChange() throws Exception {
        ForkedJvm.Result r = ForkedJvm.run("policy=" + policy, "-cp", ForkedJvm.classPath(sampleAppClasses(), postgresDriver()),
                "dev.veil.examples.SampleApp", db.url()).assertSucceeded();
        assertSampleAppSawPlaintext(r.output());
        assertPatientsStoredEncrypted();
        assertEquals(1, r.output().lines().filter(l -> l.startsWith("INFO: Veil: connections to " + base(db) + " are protected by policy "
                + policy + " (")).count(), r.output());
    }

    /** The test database's URL without parameters, as Veil names it in logs. */
    static String base(TestDatabase database) {
        String url = database.url();
        return url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
    }

    @Test
    void appInAChildFirstClassLoaderIsEncrypted() throws Exception {
        Path launcherClasses = Path.of(ChildFirstLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ForkedJvm.Result r = ForkedJvm.run("policy=" + policy, "-cp", launcherClasses.toString(), ChildFirstLauncher.class.getName(),
                ForkedJvm.classPath(sampleAppClasses(), postgresDriver()), "dev.veil.examples.SampleApp", db.url()).assertSucceeded();
        assertTrue(r.output().contains("LAUNCHER driver loaded by ChildFirstLoader"), r.output());
        assertSampleAppSawPlaintext(r.output());
        assertPatientsStoredEncrypted();
    }

    @Test
    void appOnADatabaseThePolicyDoesNotMatchIsUntouched() throws Exception {
        Path otherDir = java.nio.file.Files.createDirectories(dir.resolve("other"));
        Path other = PlainJdbcApp.writePolicy(otherDir, "some_other_database");
        ForkedJvm.Result r = ForkedJvm.run("policy=" + other, "-cp", PlainJdbcApp.classPath(), PlainJdbcApp.class.getName(), db.url(), "2")
                .assertSucceeded();
        assertTrue(r.output().contains("APP found Ada Lovelace: recovered"), r.output());
        // three connections, none matched: said once per database, and warned once
        assertEquals(1, r.output().lines().filter(l -> l.equals("INFO: Veil agent: connections to " + base(db)
                + " are not protected: the match section of policy " + other + " does not cover them")).count(), r.output());
        assertEquals(1, r.output().lines().filter(l -> l.startsWith("WARNING: Veil agent: no connection has matched the match section of policy "
                + other + " so far, so none is protected (the first was to " + base(db) + ")")).count(), r.output());
        List<String> stored = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email, note FROM visits")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
                stored.add(rs.getString(2));
            }
        }
        assertTrue(stored.contains("ada@example.org") && stored.contains("recovered"), stored.toString());
        stored.forEach(v -> assertFalse(v.startsWith("vl1:"), v));
    }

    @Test
    void theAgentJarOnTheClassPathServesAsTheJdbcVeilDriver() throws Exception {
        // a database of its own: its key table must be wrapped by this test's keystore
        try (TestDatabase own = TestDatabase.postgres()) {
            Path policyDir = java.nio.file.Files.createDirectories(dir.resolve("driver-from-agent-jar"));
            Path visitsPolicy = PlainJdbcApp.writePolicy(policyDir, own.name());
            String veilUrl = "jdbc:veil:" + own.url().substring("jdbc:".length()) + (own.url().contains("?") ? "&" : "?")
                    + "veil.policy=" + visitsPolicy;
            ForkedJvm.Result r = ForkedJvm.run(null, "-cp",
                    ForkedJvm.classPath(ForkedJvm.agentJar()) + java.io.File.pathSeparator + PlainJdbcApp.classPath(),
                    PlainJdbcApp.class.getName(), veilUrl).assertSucceeded();
            assertTrue(r.output().contains("APP found Ada Lovelace: recovered"), r.output());
            List<String> stored = new ArrayList<>();
            try (Connection c = own.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT email, note FROM visits")) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                    stored.add(rs.getString(2));
                }
            }
            assertFalse(stored.isEmpty());
            stored.forEach(v -> assertTrue(v.startsWith("vl1:"), v));
        }
    }
}
