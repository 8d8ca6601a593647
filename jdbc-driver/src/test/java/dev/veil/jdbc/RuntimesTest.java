package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.ConnectionFactory;
import dev.veil.keys.MasterKeyProvider;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimesTest {
    private final ConnectionFactory h2 = h2();

    @AfterEach
    void close() {
        Runtimes.closeAll();
    }

    private static ConnectionFactory h2() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        return () -> DriverManager.getConnection(url);
    }

    private static Path policy(Path dir, Path keystore, String passwordEnv) throws Exception {
        Path p = dir.resolve("policy.yaml");
        Files.writeString(p, "version: 1\n" + TestKeys.keysYaml(keystore).replace(TestKeys.PASSWORD_ENV, passwordEnv)
                + "tables:\n  people:\n    email: randomized\n");
        return p;
    }

    @Test
    void aPreparedPolicyEncryptsWithTheKeyOpenedInTheBackground(@TempDir Path dir) throws Exception {
        Path policy = policy(dir, TestKeys.keystore(dir), TestKeys.PASSWORD_ENV);
        Runtimes.prepare(policy.toString());
        Runtimes.Runtime r = Runtimes.forPolicy(policy.toString(), h2, null, null);
        ColumnCipher c = r.veil().cipher(null, "people", "email").orElseThrow();
        assertEquals("ada@example.org", c.decrypt(c.encrypt("ada@example.org")));
        assertSame(r, Runtimes.forPolicy(policy.toString(), h2, null, null));
    }

    /** Connections of {@code factory}, counted in {@code opened}. */
    private static ConnectionFactory counting(ConnectionFactory factory, AtomicInteger opened) {
        return () -> {
            opened.incrementAndGet();
            return factory.open();
        };
    }

    /** {@code real}, with the names of the statement-making calls made through it written to {@code used}. */
    private static Connection recording(Connection real, List<String> used) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
            if (m.getName().equals("createStatement") || m.getName().equals("prepareStatement") || m.getName().equals("prepareCall")) {
                used.add(m.getName());
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** A policy whose ring {@code default} has its first version in the key table, as a first encryption writes it. */
    private Path policyWithARing(Path dir) throws Exception {
        Path policy = policy(dir, TestKeys.keystore(dir), TestKeys.PASSWORD_ENV);
        Runtimes.forPolicy(policy.toString(), h2, null, null).veil().keys().activeKey("default", true);
        Runtimes.closeAll();
        return policy;
    }

    private static void awaitCachedKeys(Runtimes.Runtime r, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (r.veil().keys().cachedKeys() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void theFirstConnectionOfADriverRuntimeReadsTheKeyRingsThroughItselfAndIsLeftAsItWas(@TempDir Path dir) throws Exception {
        Path policy = policyWithARing(dir);
        AtomicInteger opened = new AtomicInteger();
        Runtimes.Runtime built = Runtimes.forPolicy(policy.toString(), counting(h2, opened), "jdbc:h2:mem:test", new Properties());
        assertEquals(0, built.veil().keys().cachedKeys());
        try (Connection app = h2.open()) {
            List<String> used = new ArrayList<>();
            built.readKeys(recording(app, used));
            assertEquals(1, built.veil().keys().cachedKeys()); // read before readKeys returned
            assertEquals(0, opened.get(), "a key-table connection was opened");
            assertFalse(used.isEmpty());
            assertTrue(app.getAutoCommit());
            assertFalse(app.isClosed());
            try (Statement s = app.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }

            List<String> later = new ArrayList<>();
            built.readKeys(recording(app, later)); // once per runtime
            assertEquals(List.of(), later);
        }
        assertEquals(1, built.veil().keys().store().ring("default").size());
    }

    @Test
    void aConnectionOutsideAutoCommitIsNotUsedAndTheKeysAreReadOverTheKeyTablesOwn(@TempDir Path dir) throws Exception {
        Path policy = policyWithARing(dir);
        AtomicInteger opened = new AtomicInteger();
        Runtimes.Runtime built = Runtimes.forPolicy(policy.toString(), counting(h2, opened), "jdbc:h2:mem:test", new Properties());
        try (Connection app = h2.open()) {
            app.setAutoCommit(false);
            List<String> used = new ArrayList<>();
            built.readKeys(recording(app, used));
            awaitCachedKeys(built, 1);
            assertEquals(1, built.veil().keys().cachedKeys());
            assertEquals(List.of(), used);
            assertFalse(app.getAutoCommit());
            assertTrue(opened.get() >= 1);
        }
    }

    @Test
    void keysStoredInAnotherDatabaseAreNotReadThroughTheApplicationsConnection(@TempDir Path dir) throws Exception {
        String store = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir), "store: { url: '" + store + "' }")
                + "tables:\n  people:\n    email: randomized\n");
        Runtimes.forPolicy(policy.toString(), h2, null, null).veil().keys().activeKey("default", true);
        Runtimes.closeAll();

        Runtimes.Runtime built = Runtimes.forPolicy(policy.toString(), h2, "jdbc:h2:mem:test", new Properties());
        try (Connection app = h2.open()) {
            List<String> used = new ArrayList<>();
            built.readKeys(recording(app, used));
            awaitCachedKeys(built, 1);
            assertEquals(1, built.veil().keys().cachedKeys());
            assertEquals(List.of(), used);
        }
    }

    @Test
    void aMissingKeyTableIsNotCreatedThroughTheApplicationsConnection(@TempDir Path dir) throws Exception {
        Path policy = policy(dir, TestKeys.keystore(dir), TestKeys.PASSWORD_ENV);
        Runtimes.Runtime built = Runtimes.forPolicy(policy.toString(), h2, "jdbc:h2:mem:test", new Properties());
        try (Connection app = h2.open()) {
            built.readKeys(app);
            assertEquals(0, built.veil().keys().cachedKeys());
            assertTrue(app.getAutoCommit());
            try (ResultSet rs = app.getMetaData().getTables(null, null, "VEIL_KEYS", null)) {
                assertFalse(rs.next(), "reading the keys created the key table");
            }
            try (Statement s = app.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
        built.veil().keys().activeKey("default", true); // the first encryption creates the table and the key, as before
        assertEquals(1, built.veil().keys().store().ring("default").size());
    }

    @Test
    void aRuntimeWithoutADriverUrlReadsNoKeyBeforeItsFirstUse(@TempDir Path dir) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path policy = policy(dir, keystore, TestKeys.PASSWORD_ENV);
        Runtimes.forPolicy(policy.toString(), h2, null, null).veil().keys().activeKey("default", true);
        Runtimes.closeAll();

        Runtimes.Runtime built = Runtimes.forPolicy(policy.toString(), h2, null, null);
        Thread.sleep(200);
        assertEquals(0, built.veil().keys().cachedKeys());
    }

    @Test
    void aKeystoreThatDoesNotOpenFailsTheConnectionAndIsNotKept(@TempDir Path dir) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path policy = policy(dir, keystore, TestKeys.WRONG_PASSWORD_ENV);
        Runtimes.prepare(policy.toString());
        VeilException e = assertThrows(VeilException.class, () -> Runtimes.forPolicy(policy.toString(), h2, null, null));
        assertEquals("VE002", e.getSQLState());
        assertTrue(e.getMessage().contains(TestKeys.WRONG_PASSWORD_ENV), e.getMessage());

        policy(dir, keystore, TestKeys.PASSWORD_ENV);
        Files.setLastModifiedTime(policy, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
        ColumnCipher c = Runtimes.forPolicy(policy.toString(), h2, null, null).veil().cipher(null, "people", "email").orElseThrow();
        assertEquals("x", c.decrypt(c.encrypt("x")));
    }

    /** A named pipe at {@code path}: a keystore read from it opens only once the test writes the keystore's bytes into it. */
    private static boolean fifo(Path path) {
        try {
            return new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes {@code keystore} into the pipe {@code fifo} the background preparation is reading, from another thread. */
    private static CompletableFuture<Void> feed(Path fifo, Path keystore) {
        return CompletableFuture.runAsync(() -> {
            try {
                Files.write(fifo, Files.readAllBytes(keystore));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aNewConnectionIsCheckedWhileTheKeyOpensAndTheRuntimeIsUsedOnlyOnceItIsOpen(@TempDir Path dir) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path pipe = dir.resolve("master-pipe.p12");
        org.junit.jupiter.api.Assumptions.assumeTrue(fifo(pipe), "mkfifo is not available");
        Path policy = policy(dir, pipe, TestKeys.PASSWORD_ENV);
        Runtimes.prepare(policy.toString());
        try (Connection app = h2.open()) {
            app.createStatement().execute("CREATE TABLE people (id INT, email VARCHAR(200))");
            Runtimes.Runtime r = Runtimes.opening(policy.toString(), h2, "jdbc:h2:mem:test", new Properties());
            VeilConnection.check(app, r, null, null);
            assertEquals("PendingMasterKey[opening]", r.pendingKey().toString(), "the checks waited for the key");
            assertEquals(List.of(), r.fit().missingTables(r.fit().admit(app)), "the catalog was read");

            CompletableFuture<Void> fed = feed(pipe, keystore);
            assertSame(r, Runtimes.confirmed(policy.toString(), r, h2, null, null));
            fed.get(60, java.util.concurrent.TimeUnit.SECONDS); // a pipe nobody reads fails the test instead of hanging it
            ColumnCipher c = r.veil().cipher(null, "people", "email").orElseThrow();
            assertEquals("ada@example.org", c.decrypt(c.encrypt("ada@example.org")));
            assertSame(r, Runtimes.forPolicy(policy.toString(), h2, null, null));
        }
    }

    @Test
    void aKeyThatFailsToOpenAfterTheChecksFailsTheConnectionAndTheRuntimeIsNotKept(@TempDir Path dir) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path pipe = dir.resolve("master-pipe.p12");
        org.junit.jupiter.api.Assumptions.assumeTrue(fifo(pipe), "mkfifo is not available");
        Path policy = policy(dir, pipe, TestKeys.WRONG_PASSWORD_ENV);
        Runtimes.prepare(policy.toString());
        try (Connection app = h2.open()) {
            app.createStatement().execute("CREATE TABLE people (id INT, email VARCHAR(200))");
            Runtimes.Runtime r = Runtimes.opening(policy.toString(), h2, "jdbc:h2:mem:test", new Properties());
            VeilConnection.check(app, r, null, null);
            // the background opening fails on the wrong password; the synchronous one after it reads the pipe again
            // the failed opening may be retried any number of times: serve every reader until the failure is out
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            byte[] bytes = Files.readAllBytes(keystore);
            CompletableFuture<Void> fed = CompletableFuture.runAsync(() -> {
                while (!done.get()) {
                    try {
                        Files.write(pipe, bytes);
                    } catch (java.io.IOException brokenPipe) {
                        // the open met the previous reader just before it closed: nobody took these bytes,
                        // and the next open waits for the next reader
                    }
                }
            });
            VeilException e = assertThrows(VeilException.class, () -> Runtimes.confirmed(policy.toString(), r, h2, null, null));
            done.set(true);
            try {
                fed.get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException blockedInAWrite) {
                Files.readAllBytes(pipe); // takes the write the feeder waits in, so it sees done
                fed.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals("VE002", e.getSQLState());
            assertTrue(e.getMessage().contains(TestKeys.WRONG_PASSWORD_ENV), e.getMessage());
            assertEquals("VE002", assertThrows(VeilException.class, () -> r.veil().keys().master().wrap(new byte[32])).getSQLState(),
                    "the dropped runtime's key stays unusable");
        }
        policy(dir, keystore, TestKeys.PASSWORD_ENV);
        Files.setLastModifiedTime(policy, FileTime.fromMillis(System.currentTimeMillis() + 2_000));
        ColumnCipher c = Runtimes.forPolicy(policy.toString(), h2, null, null).veil().cipher(null, "people", "email").orElseThrow();
        assertEquals("x", c.decrypt(c.encrypt("x")), "nothing of the failed runtime was kept");
    }

    @Test
    void aPendingKeyWaitsForTheOpeningAndPassesItsFailureOn() throws Exception {
        CompletableFuture<MasterKeyProvider> opening = new CompletableFuture<>();
        Runtimes.PendingMasterKey pending = new Runtimes.PendingMasterKey(opening);
        assertEquals("PendingMasterKey[opening]", pending.toString());
        VeilException failure = new VeilException(dev.veil.VeilState.MASTER_KEY_UNAVAILABLE, "no keystore");
        opening.completeExceptionally(failure);
        assertFalse(pending.opened());
        assertSame(failure, assertThrows(VeilException.class, () -> pending.unwrap("pkcs12:veil-master", new byte[40])));

        CompletableFuture<MasterKeyProvider> other = new CompletableFuture<>();
        other.completeExceptionally(new IllegalStateException("boom"));
        assertEquals("VE002", assertThrows(VeilException.class, () -> new Runtimes.PendingMasterKey(other).wrap(new byte[32])).getSQLState());
    }

    @Test
    void closingAPendingKeyClosesTheKeyOnceOpened() {
        AtomicBoolean closed = new AtomicBoolean();
        CompletableFuture<MasterKeyProvider> opening = new CompletableFuture<>();
        new Runtimes.PendingMasterKey(opening).close();
        assertFalse(closed.get());
        opening.complete(new MasterKeyProvider() {
            @Override
            public String masterKeyId() {
                return "test:k";
            }

            @Override
            public byte[] wrap(byte[] dataKey) {
                return dataKey;
            }

            @Override
            public byte[] unwrap(String masterKeyId, byte[] wrapped) {
                return wrapped;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        });
        assertTrue(closed.get(), "a key that opens after its engine closed is closed too");
    }
}
