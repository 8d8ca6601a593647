package dev.veil.it.jobs;

import dev.veil.it.keys.Cli;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code veil migrate}, {@code veil rekey} and {@code veil verify} as an operator runs them. */
class JobsCliTest {
    @TempDir
    Path dir;
    TestDatabase db;
    String policy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email TEXT, ssn TEXT)",
                "INSERT INTO people SELECT g, 'user' || g || '@example.com', 'ssn-' || g FROM generate_series(1, 2500) g");
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                tables:
                  people:
                    email: { mode: deterministic, migrating: true }
                    ssn: { mode: randomized, key: national-id, migrating: true }
                """);
        policy = p.toString();
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    /** Runs a command with the test's policy and database appended, as an operator would type them. */
    Cli veil(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 3);
        all[args.length] = "--policy";
        all[args.length + 1] = policy;
        all[args.length + 2] = "--url=" + db.url();
        return Cli.run(all);
    }

    @Test
    void migrateVerifyRotateRekeyVerify() throws Exception {
        Cli migrate = veil("migrate", "--batch-size", "300", "--workers", "2");
        assertEquals(0, migrate.code(), migrate.toString());
        assertTrue(migrate.out().contains("migrate public.people: finished; 2,500 rows read, 2,500 rewritten"), migrate.toString());
        assertTrue(migrate.out().contains("100.0% 2,500/2,500 rows"), "progress lines in a log: " + migrate);
        assertEquals(1, migrate.out().lines().filter(l -> l.contains("100.0%")).count(), "the final progress line once: " + migrate);

        Cli again = veil("migrate");
        assertTrue(again.out().contains("already finished"), again.toString());

        Cli verify = veil("verify", "people");
        assertEquals(0, verify.code(), verify.toString());
        assertTrue(verify.out().contains("2,500 rows; 0 NULL, 0 legacy plaintext (migrating), 0 failed"), verify.toString());
        assertEquals(2, verify.out().lines().filter(l -> l.contains("2,500 values")).count(), verify.toString());

        assertEquals(0, veil("keys", "rotate", "national-id").code());
        Cli rekey = veil("rekey", "people");
        assertEquals(0, rekey.code(), rekey.toString());
        assertTrue(rekey.out().contains("2,500 rewritten"), rekey.toString());

        // one altered character in a stored ciphertext
        db.execute("UPDATE people SET ssn = substr(ssn, 1, 19) || CASE WHEN substr(ssn, 20, 1) = 'A' THEN 'B' ELSE 'A' END "
                + "|| substr(ssn, 21) WHERE id = 42");
        Cli tampered = veil("verify");
        assertEquals(5, tampered.code(), tampered.toString());
        assertTrue(tampered.out().contains("FAILED primary key 42, column ssn: VE005"), tampered.toString());
        assertFalse(tampered.out().contains("ssn-42"), "never a value: " + tampered);
    }

    @Test
    void restartRunsAFinishedJobAgainAndUsageErrorsSayHow() {
        assertEquals(0, veil("migrate").code());
        Cli restart = veil("migrate", "--restart");
        assertEquals(0, restart.code(), restart.toString());
        assertTrue(restart.out().contains("2,500 rows read, 0 rewritten"), "nothing is encrypted twice: " + restart);
        Cli bad = veil("migrate", "--workers", "many");
        assertEquals(2, bad.code(), bad.toString());
        Cli noKey = veil("migrate", "missing_table");
        assertEquals(1, noKey.code(), noKey.toString());
        assertTrue(noKey.err().contains("VE011"), noKey.toString());
    }

    /**
     * SIGTERM (what Ctrl-C and a service manager send) stops a running job between batches: it
     * says how to continue, keeps what it committed, and hands its chunk back, so the next run
     * resumes at once although the lease is ten minutes.
     */
    @Test
    void aStoppedJobSaysSoAndTheNextRunResumesAtOnce() throws Exception {
        assumeTrue(Cli.launcherReady(), "cli/target/veil-cli.jar is built by mvn package");
        List<String> command = new ArrayList<>(List.of("sh", Cli.SCRIPT.toString(), "migrate", "--batch-size", "100",
                "--max-rows-per-second", "400", "--lease", "600", "--policy", policy, "--url=" + db.url()));
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("out.log").toFile()).redirectError(dir.resolve("err.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (encryptedRows() < 300 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), "still running when stopped: " + Files.readString(dir.resolve("err.log")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("err.log"));
        assertTrue(err.contains("veil: migrate people stopped; every committed batch is kept"), err);
        long done = encryptedRows();
        assertTrue(done >= 300 && done < 2500, "stopped part-way: " + done);

        long started = System.nanoTime();
        Cli rest = veil("migrate", "--lease", "600");
        assertEquals(0, rest.code(), rest.toString());
        assertTrue(rest.out().contains("finished; " + String.format(java.util.Locale.ROOT, "%,d", 2500 - done) + " rows read"), rest.toString());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60), "the chunk was handed back, not left to its 10-minute lease");
    }

    long encryptedRows() throws Exception {
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT count(*) FROM people WHERE email LIKE 'vl1:%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
