package dev.veil.it.keys;

import dev.veil.VeilState;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every {@code veil keys} command against PostgreSQL with a PKCS#12 master key. */
class KeysCliTest {
    @TempDir
    Path dir;
    TestDatabase db;
    Path keystore;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute(People.DDL);
        keystore = dir.resolve("master.p12");
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    String policy(String alias) {
        return "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + keystore + "', password-env: " + TestKeys.PASSWORD_ENV
                + ", alias: " + alias + " }\n  rotate-after: 90d\n  rings:\n    payment: { rotate-after: 30d }\n" + People.TABLES;
    }

    Cli veil(Path policy, String... command) {
        String[] args = new String[command.length + 4];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--policy";
        args[command.length + 1] = policy.toString();
        args[command.length + 2] = "--url";
        args[command.length + 3] = db.url();
        return Cli.run(args);
    }

    Path initialised() throws Exception {
        Path p = People.instance(dir, policy("veil-master"));
        Cli init = veil(p, "keys", "init");
        assertEquals(0, init.code(), init::toString);
        return p;
    }

    @Test
    void initCreatesTheMasterKeyAndEveryRingsFirstKeyAndListShowsThem() throws Exception {
        Path p = initialised();
        Cli again = veil(p, "keys", "init");
        assertEquals(1, again.code(), again::toString);
        assertTrue(again.err().contains("VE002") && again.err().contains("already has a key named 'veil-master'"), again::toString);
        assertEquals(0, veil(p, "keys", "init", "--if-missing").code());

        Cli list = veil(p, "keys", "list");
        assertEquals(0, list.code(), list::toString);
        for (String ring : new String[] {"default", "national-id", "payment"}) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(ring + " ") && l.contains(" 1 ") && l.contains("active")
                    && l.contains("pkcs12:veil-master")), list::toString);
        }
    }

    @Test
    void listExpiringExitsSevenNamingTheRingsWhoseActiveKeyExpiresWithinTheWindow() throws Exception {
        Path p = initialised(); // payment keys live 30 days, the others 90
        Cli month = veil(p, "keys", "list", "--expiring", "30d");
        assertEquals(7, month.code(), month::toString);
        assertTrue(month.err().lines().anyMatch(l -> l.startsWith("expiring: ring payment version 1 ") && l.endsWith("in 29 day(s)")),
                month::toString);
        assertEquals(1, month.err().lines().filter(l -> l.startsWith("expiring: ")).count(), month::toString);
        assertTrue(month.out().lines().anyMatch(l -> l.startsWith("default ")), "the list itself is printed too:\n" + month);

        Cli shorter = veil(p, "keys", "list", "--expiring", "4w");
        assertEquals(0, shorter.code(), shorter::toString);
        assertFalse(shorter.err().contains("expiring"), shorter::toString);

        Cli quarter = veil(p, "keys", "list", "--expiring", "91d");
        assertEquals(7, quarter.code(), quarter::toString);
        assertEquals(3, quarter.err().lines().filter(l -> l.startsWith("expiring: ")).count(), quarter::toString);

        Cli never = veil(p, "keys", "list", "--expiring", "never");
        assertEquals(2, never.code(), never::toString);
        assertTrue(never.err().contains("'never' is not a window"), never::toString);
    }

    @Test
    void rotateThenOldAndNewRowsReadAndUsageCountsEachVersion() throws Exception {
        Path first = initialised();
        People.insert(db, first, 1, "Ada");
        Cli rotate = veil(first, "keys", "rotate", "payment");
        assertEquals(0, rotate.code(), rotate::toString);
        assertTrue(rotate.out().contains("rotated payment: version 2"), rotate::toString);

        Path restarted = People.instance(dir, policy("veil-master"));
        People.insert(db, restarted, 2, "Grace");
        Map<Integer, String> expected = Map.of(1, People.expected(1, "Ada"), 2, People.expected(2, "Grace"));
        assertEquals(expected, People.read(db, restarted));
        assertEquals(expected, People.read(db, first), "the instance started before the rotation reads the new rows too");

        Cli usage = veil(restarted, "keys", "list", "--usage");
        assertEquals(0, usage.code(), usage::toString);
        assertTrue(usage.out().lines().anyMatch(l -> l.startsWith("payment ") && l.contains(" 1 ") && l.contains("decrypt-only") && l.endsWith(" 1")),
                usage::toString);
        assertTrue(usage.out().lines().anyMatch(l -> l.startsWith("payment ") && l.contains(" 2 ") && l.contains("active") && l.endsWith(" 1")),
                usage::toString);
        assertTrue(usage.out().lines().anyMatch(l -> l.startsWith("default ") && l.endsWith(" 2")), usage::toString);

        Cli all = veil(restarted, "keys", "rotate");
        assertEquals(3, all.out().lines().filter(l -> l.startsWith("rotated ")).count(), all::toString);
    }

    @Test
    void rotateMasterRewrapsOnlineAndARestartUnderTheNewKeyReadsEverything() throws Exception {
        Path running = initialised();
        People.insert(db, running, 1, "Ada");
        veil(running, "keys", "rotate", "payment");
        People.insert(db, People.instance(dir, policy("veil-master")), 2, "Grace");
        String wrappedBefore = wrapped();

        Cli rm = veil(running, "keys", "rotate-master", "--new-alias", "veil-master-2");
        assertEquals(0, rm.code(), rm::toString);
        assertTrue(rm.out().contains("rewrapped 4 data key(s) under pkcs12:veil-master-2"), rm::toString);
        Cli list = veil(running, "keys", "list");
        assertEquals(4, list.out().lines().filter(l -> l.contains("pkcs12:veil-master-2")).count(), list::toString);
        assertFalse(wrapped().equals(wrappedBefore), "wrapped bytes changed");

        // online: the instance started before keeps reading and writing, and one that starts now with the old policy reads too
        People.insert(db, running, 3, "Edsger");
        assertEquals(3, People.read(db, running).size());
        assertEquals(3, People.read(db, People.instance(dir, policy("veil-master"))).size());

        // the old master key is gone: a restart under the new one reads everything and writes
        deleteAlias("veil-master");
        Path restarted = People.instance(dir, policy("veil-master-2"));
        People.insert(db, restarted, 4, "Barbara");
        assertEquals(Map.of(1, People.expected(1, "Ada"), 2, People.expected(2, "Grace"), 3, People.expected(3, "Edsger"),
                4, People.expected(4, "Barbara")), People.read(db, restarted));
    }

    @Test
    void destroyIsRefusedWhileRowsUseTheKeyAndErasesItsWrappedBytesOnceUnused() throws Exception {
        Path p = initialised();
        People.insert(db, p, 1, "Ada");
        int v1 = keyId("payment", 1);
        assertEquals(0, veil(p, "keys", "rotate", "payment").code());

        Cli refused = veil(p, "keys", "destroy", "payment", "1");
        assertEquals(3, refused.code(), refused::toString);
        assertTrue(refused.err().contains("VE012") && refused.err().contains("still protects 1 value(s)"), refused::toString);
        Cli active = veil(p, "keys", "destroy", "payment", "2");
        assertEquals(3, active.code(), active::toString);
        assertTrue(active.err().contains("active key"), active::toString);

        Cli retire = veil(p, "keys", "retire", "payment", "1");
        assertEquals(0, retire.code(), retire::toString);
        assertTrue(retire.out().contains("warning: 1 value(s) still use it"), retire::toString);
        assertEquals("retired", state(v1));

        // re-encrypt the row under the new version, then the old one can go
        Path fresh = People.instance(dir, policy("veil-master"));
        try (Connection c = People.connect(db, fresh); PreparedStatement ps = c.prepareStatement("UPDATE people SET card = ? WHERE id = ?")) {
            ps.setBytes(1, "4111-1".getBytes());
            ps.setInt(2, 1);
            ps.executeUpdate();
        }
        Cli destroyed = veil(p, "keys", "destroy", String.valueOf(v1));
        assertEquals(0, destroyed.code(), destroyed::toString);
        assertEquals("destroyed", state(v1));
        assertNull(wrappedOf(v1), "a destroyed key's wrapped bytes are gone");
        assertEquals(Map.of(1, People.expected(1, "Ada")), People.read(db, People.instance(dir, policy("veil-master"))));
        assertEquals(1, veil(p, "keys", "destroy", String.valueOf(v1)).code(), "already destroyed");
    }

    @Test
    void forcedDestroyShredsTheRowsThatUsedTheKey() throws Exception {
        Path p = initialised();
        People.insert(db, p, 1, "Ada");
        veil(p, "keys", "rotate", "national-id");
        Cli forced = veil(p, "keys", "destroy", "national-id", "1", "--force-in-use");
        assertEquals(0, forced.code(), forced::toString);
        assertTrue(forced.out().contains("1 value(s) that used it are unreadable now"), forced::toString);
        SQLException e = assertThrows(SQLException.class, () -> People.read(db, People.instance(dir, policy("veil-master"))));
        assertEquals(VeilState.KEY_DESTROYED.sqlState(), e.getSQLState());
    }

    @Test
    void unknownKeysAndBadArgumentsAreReported() throws Exception {
        Path p = initialised();
        Cli unknown = veil(p, "keys", "retire", "payment", "9");
        assertEquals(1, unknown.code(), unknown::toString);
        assertTrue(unknown.err().contains("VE003"), unknown::toString);
        assertEquals(2, veil(p, "keys", "rotate-master").code(), "--new-alias is required");
        assertEquals(2, veil(p, "keys", "frobnicate").code());
    }

    @Test
    void theLauncherRunsTheJarAndItsAuditLogRecordsEveryKeyEventWithIdsAndNoKeyMaterial() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.launcherReady(), "cli/target/veil-cli.jar is not built: run mvn verify from the root");
        Path p = People.instance(dir, policy("veil-master"));
        String[] target = {"--policy", p.toString(), "--url", db.url()};
        StringBuilder log = new StringBuilder();
        java.util.function.Function<String[], Cli> fork = args -> {
            try {
                String[] all = java.util.Arrays.copyOf(args, args.length + target.length);
                System.arraycopy(target, 0, all, args.length, target.length);
                Cli c = Cli.fork(all);
                log.append(c.err());
                return c;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Cli init = fork.apply(new String[] {"keys", "init"});
        assertEquals(0, init.code(), init::toString);
        People.insert(db, p, 1, "Ada");
        assertEquals(0, fork.apply(new String[] {"keys", "rotate", "payment"}).code());
        String wrappedBefore = wrapped();
        assertEquals(0, fork.apply(new String[] {"keys", "rotate-master", "--new-alias", "veil-master-2"}).code());
        assertEquals(0, fork.apply(new String[] {"keys", "retire", "payment", "1"}).code());
        assertEquals(0, fork.apply(new String[] {"keys", "destroy", "payment", "1", "--force-in-use"}).code());

        String text = log.toString();
        for (String event : new String[] {"master key created master=pkcs12:veil-master", "key created ring=payment version=1",
                "key rotated ring=payment version=2", "key rewrapped ring=payment version=1", "from=pkcs12:veil-master master=pkcs12:veil-master-2",
                "master key created master=pkcs12:veil-master-2", "key retired ring=payment version=1", "key destroyed ring=payment version=1",
                "forced=true"}) {
            assertTrue(text.contains(event), () -> "missing '" + event + "' in:\n" + text);
        }
        assertTrue(text.lines().filter(l -> l.contains("veil.audit")).allMatch(l -> l.contains(" id=") || l.contains("master key created")), text);
        for (String w : (wrappedBefore + "," + wrapped()).split(",")) {
            assertFalse(text.contains(w), "no wrapped key bytes in the log");
        }
        assertFalse(text.contains(System.getenv(TestKeys.PASSWORD_ENV)), "no keystore password in the log");
    }

    private int keyId(String ring, int version) throws SQLException {
        return (Integer) scalar("SELECT key_id FROM veil_keys WHERE ring = '" + ring + "' AND version = " + version);
    }

    private String state(int keyId) throws SQLException {
        return (String) scalar("SELECT state FROM veil_keys WHERE key_id = " + keyId);
    }

    private String wrappedOf(int keyId) throws SQLException {
        return (String) scalar("SELECT wrapped_key FROM veil_keys WHERE key_id = " + keyId);
    }

    private String wrapped() throws SQLException {
        return (String) scalar("SELECT string_agg(wrapped_key, ',' ORDER BY key_id) FROM veil_keys");
    }

    private Object scalar(String sql) throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getObject(1);
        }
    }

    private void deleteAlias(String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, TestKeys.password());
        }
        ks.deleteEntry(alias);
        try (OutputStream out = Files.newOutputStream(keystore)) {
            ks.store(out, TestKeys.password());
        }
    }

}
