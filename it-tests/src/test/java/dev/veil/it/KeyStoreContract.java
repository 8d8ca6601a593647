package dev.veil.it;

import dev.veil.Veil;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.DataKeyManager;
import dev.veil.keys.DataKeyStore;
import dev.veil.keys.KeyRecord;
import dev.veil.keys.KeyState;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.KeyManagerFixture;
import dev.veil.testkit.MutableClock;
import dev.veil.testkit.ShopPolicy;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data-key store and rotation against a real database server; one subclass per server. */
abstract class KeyStoreContract {
    @TempDir
    Path dir;
    TestDatabase db;
    KeyManagerFixture fixture;

    /** A fresh database on the server under test. */
    abstract TestDatabase database() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = database();
        fixture = new KeyManagerFixture(TestKeys.keystore(dir), db.connections());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void createsTheKeyTableAndKeepsKeysAcrossRestarts() throws Exception {
        int id;
        try (DataKeyManager keys = fixture.manager("rotate-after: 90d")) {
            id = keys.activeKey("default", true).id();
        }
        try (DataKeyManager keys = fixture.manager("rotate-after: 90d")) {
            assertEquals(id, keys.activeKey("default", true).id());
            KeyRecord r = keys.store().find(id).orElseThrow();
            assertEquals(KeyState.ACTIVE, r.state());
            assertEquals(Duration.ofDays(90), Duration.between(r.createdAt(), r.expiresAt()));
        }
    }

    /** Two processes (two managers, two connections) race to rotate an expired ring, many times. */
    @Test
    void racingRotationsCreateExactlyOneNewKeyEachTime() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (DataKeyManager a = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "rotate-after: 1d");
             DataKeyManager b = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "rotate-after: 1d")) {
            a.activeKey("default", true);
            int rounds = 15;
            for (int round = 1; round <= rounds; round++) {
                clock.advance(Duration.ofDays(2));
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Integer> fa = pool.submit(() -> {
                    start.await();
                    return a.activeKey("default", true).id();
                });
                Future<Integer> fb = pool.submit(() -> {
                    start.await();
                    return b.activeKey("default", true).id();
                });
                int idA = fa.get(30, TimeUnit.SECONDS);
                int idB = fb.get(30, TimeUnit.SECONDS);
                assertEquals(idA, idB, "round " + round + ": both processes use the one new key");
                List<KeyRecord> ring = a.store().ring("default");
                assertEquals(round + 1, ring.size(), "round " + round + ": exactly one new version");
                assertEquals(1, ring.stream().filter(k -> k.state() == KeyState.ACTIVE).count());
                assertEquals(idA, ring.get(ring.size() - 1).keyId());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The proof that matters, at engine level: the table holds ciphertext, the engine reads plaintext. */
    @Test
    void storedValuesAreCiphertextAndDecryptToWhatWasWritten() throws Exception {
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), ssn VARCHAR(200))");
        Policy policy = PolicyLoader.parse(ShopPolicy.yaml(TestKeys.keysYaml(dir.resolve("master.p12"))), "shop.yaml");
        try (Veil veil = Veil.open(policy, db.connections())) {
            ColumnCipher email = veil.cipher(null, "customers", "email").orElseThrow();
            ColumnCipher ssn = veil.cipher(null, "customers", "ssn").orElseThrow();
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setInt(1, i);
                    ps.setObject(2, email.encrypt("user" + i + "@example.com"));
                    ps.setObject(3, ssn.encrypt("000-00-000" + i));
                    ps.executeUpdate();
                }
                try (PreparedStatement q = c.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
                    q.setObject(1, email.encrypt("user2@example.com"));
                    try (ResultSet rs = q.executeQuery()) {
                        assertTrue(rs.next(), "deterministic encryption keeps equality lookups working");
                        assertEquals(2, rs.getInt(1));
                    }
                }
                try (ResultSet rs = c.createStatement().executeQuery("SELECT id, email, ssn FROM customers ORDER BY id")) {
                    while (rs.next()) {
                        int i = rs.getInt(1);
                        String rawEmail = rs.getString(2);
                        String rawSsn = rs.getString(3);
                        assertTrue(rawEmail.startsWith("vl1:") && rawSsn.startsWith("vl1:"));
                        assertFalse(rawEmail.contains("example") || rawSsn.contains("000"));
                        assertEquals("user" + i + "@example.com", email.decrypt(rawEmail));
                        assertEquals("000-00-000" + i, ssn.decrypt(rawSsn));
                    }
                }
            }
            assertEquals(List.of("default", "national-id"), veil.keys().store().all().stream().map(KeyRecord::ring).distinct().sorted().toList());
        }
    }

    @Test
    void keyTableNameAndSeparateDatabaseComeFromThePolicy() throws Exception {
        try (TestDatabase keysDb = database()) {
            String keysUrl = keysDb.url();
            Policy policy = PolicyLoader.parse("version: 1\n" + TestKeys.keysYaml(dir.resolve("master.p12"),
                    "store: { table: app_keys, url: '" + keysUrl + "' }") + ShopPolicy.TABLES, "p.yaml");
            try (Veil veil = Veil.open(policy, () -> {
                throw new AssertionError("the application database must not be used for keys");
            })) {
                veil.cipher(null, "customers", "email").orElseThrow().encrypt("x");
            }
            assertEquals(1, new DataKeyStore(keysDb.connections(), "app_keys").all().size());
        }
    }
}
