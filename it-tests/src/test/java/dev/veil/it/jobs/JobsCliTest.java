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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
