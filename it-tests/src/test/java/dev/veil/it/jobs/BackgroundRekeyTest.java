package dev.veil.it.jobs;

import dev.veil.Veil;
import dev.veil.jobs.BackgroundRekeyer;
import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.ProgressListener;
import dev.veil.jobs.TableJob;
import dev.veil.jobs.Verifier;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two application instances whose policy asks for background rekey share the work after a rotation. */
class BackgroundRekeyTest {
    @TempDir
    Path dir;
    TestDatabase db;
    Path policy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, email TEXT, ssn TEXT)",
                "INSERT INTO people SELECT g, 'user' || g || '@example.com', 'ssn-' || g FROM generate_series(1, 3000) g");
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + """
                tables:
                  people:
                    email: { mode: deterministic, migrating: true }
                    ssn: { mode: randomized, key: national-id, migrating: true }
                jobs:
                  background-rekey: { max-rows-per-second: 5000, interval: 1s }
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    @Test
    void instancesMoveEverythingToTheNewKeysAfterARotation() throws Exception {
        try (Veil a = Veil.open(PolicyLoader.load(policy), db.connections());
             Veil b = Veil.open(PolicyLoader.load(policy), db.connections())) {
            new TableJob(a, db.connections(), "people", JobKind.MIGRATE, JobOptions.defaults(), ProgressListener.NONE).run();
            b.keys().activeKey("national-id", false); // b caches the soon-to-be-old key, as a long-running instance would
            try (BackgroundRekeyer ra = BackgroundRekeyer.startIfRequested(a, db.connections());
                 BackgroundRekeyer rb = BackgroundRekeyer.startIfRequested(b, db.connections())) {
                assertNotNull(ra);
                int fresh = a.keys().rotate("national-id").keyId();
                long deadline = System.nanoTime() + 60_000_000_000L;
                Map<Integer, Long> perKey;
                do {
                    Thread.sleep(500);
                    perKey = new Verifier(a, db.connections()).verify("people", ProgressListener.NONE).valuesPerKey();
                } while (perKey.getOrDefault(fresh, 0L) < 3000 && System.nanoTime() < deadline);
                assertEquals(3000L, perKey.get(fresh), "every ssn moved to the new key: " + perKey);
                assertEquals(2, perKey.size(), "emails stay on their unrotated key, and nothing went back to the old one: " + perKey);
                // the last batch commits before the job records that it finished: wait for that while the instances run
                while (finishedRekeys() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(finishedRekeys() >= 1, "a rekey job of people is recorded as finished");
            }
        }
    }

    private long finishedRekeys() throws java.sql.SQLException {
        try (java.sql.Connection raw = db.connect(); java.sql.ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM veil_jobs WHERE job_id LIKE 'rekey:public.people@%' AND state = 'finished'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void backgroundRekeyNeedsAThrottle() {
        String bad = "version: 1\nkeys:\n  master: { provider: env }\njobs:\n  background-rekey: { interval: 5m }\n";
        dev.veil.VeilException e = org.junit.jupiter.api.Assertions.assertThrows(dev.veil.VeilException.class, () -> PolicyLoader.parse(bad, "p.yaml"));
        assertTrue(e.getMessage().contains("needs max-rows-per-second"), e.getMessage());
    }
}
