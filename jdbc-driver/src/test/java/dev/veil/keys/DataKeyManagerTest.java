package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.crypto.DataKey;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.KeyManagerFixture;
import dev.veil.testkit.MutableClock;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key manager over a real key table (H2 here; PostgreSQL and MariaDB in it-tests). */
class DataKeyManagerTest {
    @TempDir
    Path dir;
    KeyManagerFixture fixture;
    ConnectionFactory h2;

    @BeforeEach
    void setUp() throws Exception {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        h2 = () -> DriverManager.getConnection(url);
        fixture = new KeyManagerFixture(TestKeys.keystore(dir), h2);
    }

    static ColumnPolicy column(String mode) throws VeilException {
        return PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\ntables:\n  t:\n    c: " + mode + "\n", "t.yaml")
                .column(null, "t", "c").orElseThrow();
    }

    @Test
    void firstEncryptionCreatesVersionOneAndARestartReadsIt() throws Exception {
        Object stored;
        int keyId;
        try (DataKeyManager keys = fixture.manager()) {
            stored = new ColumnCipher(column("randomized"), keys).encrypt("hello");
            List<KeyRecord> ring = keys.store().ring("default");
            assertEquals(1, ring.size());
            assertEquals(1, ring.get(0).version());
            assertEquals(KeyState.ACTIVE, ring.get(0).state());
            assertEquals("pkcs12:veil-master", ring.get(0).masterKeyId());
            assertNull(ring.get(0).expiresAt());
            keyId = ring.get(0).keyId();
            assertTrue(keyId > 0);
        }
        try (DataKeyManager restarted = fixture.manager()) {
            assertEquals("hello", new ColumnCipher(column("randomized"), restarted).decrypt(stored));
            assertEquals(keyId, restarted.activeKey("default", false).id());
        }
    }

    @Test
    void expiredKeyIsRotatedOnTheNextEncryptionAndOldValuesStillDecrypt() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (DataKeyManager keys = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "rotate-after: 30d")) {
            ColumnCipher cipher = new ColumnCipher(column("deterministic"), keys);
            Object before = cipher.encrypt("v");
            int first = keys.activeKey("default", false).id();
            assertEquals(Instant.parse("2026-01-31T00:00:00Z"), keys.store().ring("default").get(0).expiresAt());
            clock.advance(Duration.ofDays(29));
            assertEquals(before, cipher.encrypt("v"), "not yet expired");
            clock.advance(Duration.ofDays(2));
            Object after = cipher.encrypt("v");
            assertNotEquals(before, after, "a new key version encrypts differently");
            List<KeyRecord> ring = keys.store().ring("default");
            assertEquals(2, ring.size());
            assertEquals(KeyState.DECRYPT_ONLY, ring.get(0).state());
            assertEquals(KeyState.ACTIVE, ring.get(1).state());
            assertNotEquals(first, ring.get(1).keyId());
            assertEquals("v", cipher.decrypt(before));
            assertEquals("v", cipher.decrypt(after));
        }
    }

    @Test
    void ringsAreSeparateAndHaveTheirOwnExpiry() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (DataKeyManager keys = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET,
                "rotate-after: 90d", "rings:", "  national-id: { rotate-after: 7d }")) {
            DataKey a = keys.activeKey("default", false);
            DataKey b = keys.activeKey("national-id", false);
            assertNotEquals(a.id(), b.id());
            clock.advance(Duration.ofDays(8));
            assertEquals(a.id(), keys.activeKey("default", false).id());
            assertNotEquals(b.id(), keys.activeKey("national-id", false).id());
        }
    }

    @Test
    void spentNonceBudgetRotates() throws Exception {
        try (DataKeyManager keys = fixture.manager(java.time.Clock.systemUTC(), 3)) {
            int first = keys.activeKey("default", true).id();
            keys.activeKey("default", true);
            keys.activeKey("default", true);
            assertEquals(first, keys.activeKey("default", false).id(), "deterministic use consumes no nonce");
            assertNotEquals(first, keys.activeKey("default", true).id());
            assertEquals(2, keys.store().ring("default").size());
        }
    }

    @Test
    void onDemandRotationMakesTheNextVersionActive() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            int first = keys.activeKey("default", false).id();
            KeyRecord second = keys.rotate("default");
            assertEquals(2, second.version());
            assertEquals(second.keyId(), keys.activeKey("default", false).id());
            assertEquals(first, keys.key(first).id());
        }
    }

    @Test
    void destroyedKeyIsAClearError() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            Object stored = new ColumnCipher(column("randomized"), keys).encrypt("gone");
            int id = keys.activeKey("default", false).id();
            keys.store().destroy(id);
            assertNull(keys.store().find(id).orElseThrow().wrapped(), "wrapped bytes are erased");
            try (DataKeyManager fresh = fixture.manager()) {
                VeilException e = assertThrows(VeilException.class, () -> new ColumnCipher(column("randomized"), fresh).decrypt(stored));
                assertEquals(VeilState.KEY_DESTROYED, e.state());
                assertEquals("VE004", e.getSQLState());
                assertTrue(e.getMessage().contains("data key " + id), e.getMessage());
            }
        }
    }

    @Test
    void unknownKeyIdIsAClearError() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            VeilException e = assertThrows(VeilException.class, () -> keys.key(123456));
            assertEquals(VeilState.KEY_NOT_FOUND, e.state());
            assertTrue(e.getMessage().contains("123456") && e.getMessage().contains("veil_keys"), e.getMessage());
        }
    }

    @Test
    void cacheIsBoundedAndEvictedKeysAreFetchedAgain() throws Exception {
        try (DataKeyManager keys = fixture.manager("cache-size: 2")) {
            ColumnCipher cipher = new ColumnCipher(column("randomized"), keys);
            Object v1 = cipher.encrypt("one");
            keys.rotate("default");
            Object v2 = cipher.encrypt("two");
            keys.rotate("default");
            Object v3 = cipher.encrypt("three");
            assertTrue(keys.cachedKeys() <= 2);
            assertEquals("one", cipher.decrypt(v1));
            assertEquals("two", cipher.decrypt(v2));
            assertEquals("three", cipher.decrypt(v3));
            assertTrue(keys.cachedKeys() <= 2);
        }
    }

    @Test
    void aCipherStopsDecryptingOnceItsKeySourceIsClosed() throws Exception {
        DataKeyManager keys = fixture.manager();
        ColumnCipher cipher = new ColumnCipher(column("randomized"), keys);
        Object v = cipher.encrypt("one");
        assertEquals("one", cipher.decrypt(v));
        keys.close();
        // the key the cipher used last was wiped with the rest; it does not keep decrypting with it
        assertEquals(VeilState.KEY_STORE_FAILURE, assertThrows(VeilException.class, () -> cipher.decrypt(v)).state());
    }

    @Test
    void closeZeroizesCachedKeys() throws Exception {
        DataKeyManager keys = fixture.manager();
        DataKey k = keys.activeKey("default", false);
        keys.close();
        assertTrue(k.isDestroyed());
        VeilException e = assertThrows(VeilException.class, () -> keys.activeKey("other", false));
        assertEquals(VeilState.KEY_STORE_FAILURE, e.state());
    }

    @Test
    void keyWrappedByAnotherMasterKeyIsAnUnwrapError() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            int id = keys.activeKey("default", false).id();
            Path other = dir.resolve("other");
            java.nio.file.Files.createDirectories(other);
            KeyManagerFixture otherMaster = new KeyManagerFixture(TestKeys.keystore(other), h2);
            try (DataKeyManager foreign = otherMaster.manager()) {
                VeilException e = assertThrows(VeilException.class, () -> foreign.key(id));
                assertEquals(VeilState.KEY_UNWRAP_FAILED, e.state());
            }
        }
    }

    @Test
    void preloadReadsAnExistingRingAndTheFirstEncryptionUsesIt() throws Exception {
        int keyId;
        try (DataKeyManager keys = fixture.manager()) {
            keyId = keys.activeKey("default", false).id();
        }
        try (DataKeyManager restarted = fixture.manager()) {
            assertEquals(1, restarted.preload(List.of("default", "unused")));
            assertEquals(1, restarted.cachedKeys());
            assertEquals(keyId, restarted.activeKey("default", true).id());
            assertEquals(1, restarted.cachedKeys());
            assertEquals(1, restarted.store().ring("default").size());
            assertEquals(0, restarted.store().ring("unused").size());
        }
    }

    @Test
    void preloadThroughAConnectionReadsThereOnlyInAutoCommit() throws Exception {
        int keyId;
        try (DataKeyManager keys = fixture.manager()) {
            keyId = keys.activeKey("default", false).id();
        }
        try (DataKeyManager restarted = fixture.manager(); java.sql.Connection c = h2.open()) {
            c.setAutoCommit(false);
            assertEquals(0, restarted.preload(List.of("default"), c)); // a read would open a transaction the caller did not ask for
            assertEquals(0, restarted.cachedKeys());
            c.setAutoCommit(true);
            assertEquals(1, restarted.preload(List.of("default"), c));
            assertTrue(!c.isClosed());
            assertEquals(keyId, restarted.activeKey("default", true).id());
            assertEquals(1, restarted.cachedKeys());
        }
    }

    @Test
    void preloadWritesNothingWhereTheFirstEncryptionWouldCreateAKey() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            assertEquals(0, keys.preload(List.of("default")));
            assertEquals(0, keys.cachedKeys());
            assertEquals(List.of(), keys.store().ring("default"));
            try (java.sql.Connection c = h2.open(); java.sql.ResultSet rs = c.getMetaData().getTables(null, null, "VEIL_KEYS", null)) {
                assertTrue(!rs.next(), "preloading created the key table");
            }
            keys.activeKey("default", true);
            assertEquals(1, keys.store().ring("default").size());
        }
    }

    @Test
    void aKeyThatDoesNotUnwrapIsNotPreloadedAndItsFirstUseStillFails() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            keys.activeKey("default", false);
        }
        Path other = dir.resolve("other");
        java.nio.file.Files.createDirectories(other);
        try (DataKeyManager foreign = new KeyManagerFixture(TestKeys.keystore(other), h2).manager()) {
            assertEquals(0, foreign.preload(List.of("default")));
            assertEquals(0, foreign.cachedKeys());
            assertEquals(VeilState.KEY_UNWRAP_FAILED, assertThrows(VeilException.class, () -> foreign.activeKey("default", true)).state());
        }
    }

    @Test
    void preloadAfterCloseKeepsNothing() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            keys.activeKey("default", false);
        }
        DataKeyManager closed = fixture.manager();
        closed.close();
        assertEquals(0, closed.preload(List.of("default")));
        assertEquals(0, closed.cachedKeys());
    }

    @Test
    void sameKeyObjectIsServedFromCache() throws Exception {
        try (DataKeyManager keys = fixture.manager()) {
            DataKey k = keys.activeKey("default", false);
            assertSame(k, keys.key(k.id()));
        }
    }

    private static int[] ids(DataKey[] keys) {
        int[] out = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = keys[i].id();
        }
        return out;
    }

    @Test
    void newVersionOfADeterministicRingIsLookedUpAtOnceAndWrittenAfterTwiceTheRefreshDelay() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (DataKeyManager keys = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "refresh-after: 10s")) {
            keys.useDeterministically(List.of("default"));
            ColumnCipher cipher = new ColumnCipher(column("deterministic"), keys);
            Object before = cipher.encrypt("v");
            int v1 = keys.activeKey("default", false).id();
            assertEquals(1, keys.lookupKeys("default").length);
            assertNull(keys.pendingUntil("default"), "a ring's only version is written at once");
            int v2 = keys.rotate("default").keyId();
            assertEquals(v1, keys.activeKey("default", false).id(), "written only after the propagation delay");
            assertEquals(before, cipher.encrypt("v"));
            assertArrayEquals(new int[] {v1, v2}, ids(keys.lookupKeys("default")), "looked up at once");
            assertEquals(Instant.parse("2026-01-01T00:00:20Z"), keys.pendingUntil("default"), "twice refresh-after");
            clock.advance(Duration.ofSeconds(19));
            assertEquals(v1, keys.activeKey("default", false).id(), "every process knows of v2 after 10 s; writes of before may end");
            clock.advance(Duration.ofSeconds(1));
            assertEquals(v2, keys.activeKey("default", false).id());
            assertArrayEquals(new int[] {v2, v1}, ids(keys.lookupKeys("default")));
            assertNull(keys.pendingUntil("default"));
            Object[] forms = new Object[4];
            assertEquals(2, cipher.encryptForLookup("v", forms));
            assertEquals(before, forms[1], "the old version's form is the stored one");
            assertEquals(cipher.encrypt("v"), forms[0]);
            assertEquals("v", cipher.decrypt(forms[0]));
        }
    }

    @Test
    void anExpiredDeterministicKeyIsStillWrittenUntilItsSuccessorHasPropagated() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (DataKeyManager keys = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "rotate-after: 30d", "refresh-after: 1m")) {
            keys.useDeterministically(List.of("default"));
            int v1 = keys.activeKey("default", false).id();
            clock.advance(Duration.ofDays(31));
            assertEquals(v1, keys.activeKey("default", false).id(), "the expiry created the next version but does not write it yet");
            assertEquals(2, keys.store().ring("default").size());
            assertEquals(2, keys.lookupKeys("default").length);
            clock.advance(Duration.ofSeconds(119));
            assertEquals(v1, keys.activeKey("default", false).id());
            assertEquals(2, keys.store().ring("default").size(), "no further version while one is pending");
            clock.advance(Duration.ofSeconds(1));
            assertNotEquals(v1, keys.activeKey("default", false).id());
        }
    }

    @Test
    void aProcessWithAStaleViewLooksUpUnderEveryVersionAnotherProcessWrites() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (DataKeyManager writer = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "refresh-after: 10s");
             DataKeyManager reader = fixture.manager(clock, DataKeyManager.DEFAULT_NONCE_BUDGET, "refresh-after: 10s")) {
            writer.useDeterministically(List.of("default"));
            reader.useDeterministically(List.of("default"));
            writer.activeKey("default", false);
            for (int second = 0; second < 60; second++) {
                reader.lookupKeys("default");
                if (second == 3 || second == 17) {
                    writer.rotate("default");
                }
                int written = writer.activeKey("default", false).id();
                int[] seen = ids(reader.lookupKeys("default"));
                assertTrue(java.util.Arrays.stream(seen).anyMatch(id -> id == written),
                        "at second " + second + " the reader must look up under key " + written);
                clock.advance(Duration.ofSeconds(1));
            }
            assertEquals(3, reader.lookupKeys("default").length);
        }
    }

    @Test
    void randomizedOnlyRingsWriteANewVersionAtOnce() throws Exception {
        try (DataKeyManager keys = fixture.manager("refresh-after: 10m")) {
            int v1 = keys.activeKey("default", true).id();
            int v2 = keys.rotate("default").keyId();
            assertNotEquals(v1, v2);
            assertEquals(v2, keys.activeKey("default", true).id());
            assertEquals(1, keys.lookupKeys("default").length);
        }
    }
}
