package dev.veil.it.keys;

import dev.veil.testkit.SoftHsm;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The key commands with the master key in an HSM (SoftHSM2 over SunPKCS11) and data in PostgreSQL. */
class HsmKeysCliTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static SoftHsm hsm;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(SoftHsm.installed(), SoftHsm.absentMessage());
        hsm = SoftHsm.token();
        db = TestDatabase.postgres();
        db.execute(People.DDL);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    static String policy(String label) {
        return "version: 1\nkeys:\n  master: " + hsm.masterYaml(label) + "\n" + People.TABLES;
    }

    static Cli veil(Path policy, String... command) {
        String[] args = java.util.Arrays.copyOf(command, command.length + 4);
        args[command.length] = "--policy";
        args[command.length + 1] = policy.toString();
        args[command.length + 2] = "--url";
        args[command.length + 3] = db.url();
        return Cli.run(args);
    }

    @Test
    void initRotateRotateMasterRestartAndDestroyWithTheMasterKeyInTheToken() throws Exception {
        String label = "veil-" + UUID.randomUUID().toString().substring(0, 8);
        Path p = People.instance(dir, policy(label));
        Cli init = veil(p, "keys", "init");
        assertEquals(0, init.code(), init::toString);
        assertTrue(init.out().contains("created master key pkcs11:" + label), init::toString);

        People.insert(db, p, 1, "Ada");
        assertEquals(0, veil(p, "keys", "rotate", "payment").code());
        People.insert(db, People.instance(dir, policy(label)), 2, "Grace");
        Map<Integer, String> all = Map.of(1, People.expected(1, "Ada"), 2, People.expected(2, "Grace"));
        assertEquals(all, People.read(db, People.instance(dir, policy(label))), "old and new rows after rotate");

        Cli list = veil(p, "keys", "list", "--usage");
        assertEquals(4, list.out().lines().filter(l -> l.contains("pkcs11:" + label)).count(), list::toString);

        Cli refused = veil(p, "keys", "destroy", "payment", "1");
        assertEquals(3, refused.code(), refused::toString);

        String next = label + "-2";
        Cli rm = veil(p, "keys", "rotate-master", "--new-alias", next);
        assertEquals(0, rm.code(), rm::toString);
        assertTrue(rm.out().contains("created master key pkcs11:" + next) && rm.out().contains("rewrapped 4 data key(s)"), rm::toString);
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT kek_id FROM veil_keys")) {
            assertTrue(rs.next());
            assertEquals("pkcs11:" + next, rs.getString(1));
        }
        Path restarted = People.instance(dir, policy(next));
        assertEquals(all, People.read(db, restarted), "a restart under the new master key reads everything");

        // move row 1's card to payment v2, then v1 can be retired and destroyed
        try (Connection c = People.connect(db, restarted);
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE people SET card = ? WHERE id = 1")) {
            ps.setBytes(1, "4111-1".getBytes());
            ps.executeUpdate();
        }
        assertEquals(0, veil(restarted, "keys", "retire", "payment", "1").code());
        Cli destroyed = veil(restarted, "keys", "destroy", "payment", "1");
        assertEquals(0, destroyed.code(), destroyed::toString);
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT state, wrapped_key FROM veil_keys WHERE ring = 'payment' AND version = 1")) {
            assertTrue(rs.next());
            assertEquals("destroyed", rs.getString(1));
            assertEquals(null, rs.getString(2));
        }
        assertEquals(all, People.read(db, People.instance(dir, policy(next))));
    }
}
