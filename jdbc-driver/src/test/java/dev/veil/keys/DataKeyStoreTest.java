package dev.veil.keys;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    /** {@code real}, with the statements created or prepared through it counted in {@code made}. */
    private static Connection counting(Connection real, List<String> made) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
            if (m.getName().equals("prepareStatement") || m.getName().equals("createStatement")) {
                made.add(m.getName() + (args != null && args.length > 0 ? " " + args[0] : ""));
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void aRingReadUnderAutoCommitIsOneStatementAndTellsAMissingTableItself() throws Exception {
        List<String> made = new ArrayList<>();
        try (Connection c = counting(h2.open(), made)) {
            assertEquals(List.of(), new DataKeyStore(h2, "veil_keys").ring("r", c), "no table, no keys");
            assertEquals(1, made.size(), made.toString());
            assertTrue(c.getAutoCommit());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next(), "the connection is still usable");
            }
            DataKeyStore writer = new DataKeyStore(h2, "veil_keys");
            writer.insertActive(key(10, "r", 1));
            made.clear();
            DataKeyStore reader = new DataKeyStore(h2, "veil_keys");
            assertEquals(10, reader.ring("r", c).get(0).keyId());
            assertEquals(1, reader.ring("r", c).size());
            assertEquals(2, made.size(), "one statement per read, no probe first: " + made);
        }
        try (Connection c = h2.open(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE old_keys (key_id INT)");
        }
        try (Connection c = h2.open()) {
            VeilException e = assertThrows(VeilException.class, () -> new DataKeyStore(h2, "old_keys").ring("r", c),
                    "a key table that exists but cannot be read is a failure, not an empty ring");
            assertEquals(VeilState.KEY_STORE_FAILURE, e.state());
        }
    }

    private static DataKeyStore assertDoesNotThrowStore(ConnectionFactory f) {
        try {
            return new DataKeyStore(f, "veil_keys");
        } catch (VeilException e) {
            throw new AssertionError(e);
        }
    }
}
