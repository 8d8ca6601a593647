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
import java.sql.DriverManager;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

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

    @Test
    void aRuntimeBuiltForADriverConnectReadsItsKeyRingsInTheBackground(@TempDir Path dir) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path policy = policy(dir, keystore, TestKeys.PASSWORD_ENV);
        Runtimes.Runtime first = Runtimes.forPolicy(policy.toString(), h2, null, null);
        first.veil().keys().activeKey("default", true); // the ring's first version, as a first encryption writes it
        assertEquals(1, first.veil().keys().cachedKeys());
        Runtimes.closeAll();

        Runtimes.Runtime built = Runtimes.forPolicy(policy.toString(), h2, "jdbc:h2:mem:test", new java.util.Properties());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (built.veil().keys().cachedKeys() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, built.veil().keys().cachedKeys());
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
