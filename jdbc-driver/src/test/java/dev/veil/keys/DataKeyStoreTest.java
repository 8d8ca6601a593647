package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key table's DDL and writes on H2 (PostgreSQL and MariaDB run the same checks in it-tests). */
class DataKeyStoreTest {
    final String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    final ConnectionFactory h2 = () -> DriverManager.getConnection(url);

    static KeyRecord key(int id, String ring, int version) {
        return new KeyRecord(id, ring, version, KeyState.ACTIVE, Instant.ofEpochMilli(1000), null, "pkcs12:k", new byte[40]);
    }

    @Test
    void createsTheTableOnceAndDemotesThePreviousActiveKey() throws Exception {
        DataKeyStore store = new DataKeyStore(h2, "veil_keys");
        store.ensureTable();
        new DataKeyStore(h2, "veil_keys").ensureTable();
        assertTrue(store.insertActive(key(10, "r", 1)));
        assertTrue(store.insertActive(key(11, "r", 2)));
        assertTrue(store.insertActive(key(12, "other", 1)));
        assertEquals(KeyState.DECRYPT_ONLY, store.find(10).orElseThrow().state());
        assertEquals(KeyState.ACTIVE, store.find(11).orElseThrow().state());
        assertEquals(KeyState.ACTIVE, store.find(12).orElseThrow().state());
        assertEquals(3, store.all().size());
    }

    @Test
    void refusesASecondKeyWithTheSameVersionOrId() throws Exception {
        DataKeyStore store = new DataKeyStore(h2, "veil_keys");
        assertTrue(store.insertActive(key(10, "r", 1)));
        assertFalse(store.insertActive(key(11, "r", 1)));
        assertFalse(store.insertActive(key(10, "r", 2)));
        assertEquals(1, store.ring("r").size());
        assertEquals(KeyState.ACTIVE, store.find(10).orElseThrow().state(), "the failed insert rolled back its demotion");
    }

    @Test
    void destroyErasesTheWrappedKeyAndRewrapReplacesIt() throws Exception {
        DataKeyStore store = new DataKeyStore(h2, "veil_keys");
        store.insertActive(key(10, "r", 1));
        store.insertActive(key(11, "r", 2));
        store.rewrap(11, "pkcs12:new", new byte[] {1, 2, 3});
        assertEquals("pkcs12:new", store.find(11).orElseThrow().masterKeyId());
        store.destroy(10);
        KeyRecord gone = store.find(10).orElseThrow();
        assertEquals(KeyState.DESTROYED, gone.state());
        assertEquals(null, gone.wrapped());
        store.rewrap(10, "pkcs12:new", new byte[] {1});
        assertEquals(null, store.find(10).orElseThrow().wrapped(), "a destroyed key cannot be brought back by a rewrap");
    }

    @Test
    void rejectsUnsafeTableNamesAndReportsStoreFailures() {
        assertEquals(VeilState.POLICY_INVALID, assertThrows(VeilException.class, () -> new DataKeyStore(h2, "keys; drop table x")).state());
        DataKeyStore unreachable = assertDoesNotThrowStore(() -> DriverManager.getConnection("jdbc:h2:mem:x;IFEXISTS=TRUE"));
        VeilException e = assertThrows(VeilException.class, () -> unreachable.ring("r"));
        assertEquals(VeilState.KEY_STORE_FAILURE, e.state());
        assertEquals("VE009", e.getSQLState());
    }

    private static DataKeyStore assertDoesNotThrowStore(ConnectionFactory f) {
        try {
            return new DataKeyStore(f, "veil_keys");
        } catch (VeilException e) {
            throw new AssertionError(e);
        }
    }
}
