package dev.veil.keys;

import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.FixedKeys;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Counting the rows each key protects from envelope headers only (H2 here; PostgreSQL in it-tests). */
class KeyUsageTest {
    @Test
    void readsTheKeyIdFromTextAndBinaryHeaders() {
        assertEquals(0x01020304, KeyUsage.keyId("vl1:9xIBAgME"));
        assertEquals(0x01020304, KeyUsage.keyId(new byte[] {(byte) 0xF7, 0x12, 1, 2, 3, 4}));
        assertNull(KeyUsage.keyId("plain text"));
        assertNull(KeyUsage.keyId("vl1:9xIB"));
        assertNull(KeyUsage.keyId(new byte[] {1, 2, 3, 4, 5, 6}));
    }

    @Test
    void groupsRowsByKeyPerColumnAndCountsPlaintext() throws Exception {
        Policy policy = PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\ntables:\n  t:\n    a: randomized\n"
                + "    b: { mode: randomized, type: bytes, storage: binary, key: other }\n", "t.yaml");
        FixedKeys first = FixedKeys.sequential(10, "default", "other");
        FixedKeys second = FixedKeys.sequential(20, "default", "other");
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID())) {
            c.createStatement().execute("CREATE TABLE t (a VARCHAR(200), b VARBINARY(200))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                for (int i = 0; i < 5; i++) {
                    FixedKeys k = i < 3 ? first : second;
                    ps.setObject(1, new ColumnCipher(policy.column(null, "t", "a").orElseThrow(), k).encrypt("v" + i));
                    ps.setObject(2, new ColumnCipher(policy.column(null, "t", "b").orElseThrow(), k).encrypt(new byte[] {(byte) i}));
                    ps.executeUpdate();
                }
                ps.setString(1, "legacy plaintext");
                ps.setNull(2, java.sql.Types.VARBINARY);
                ps.executeUpdate();
            }
            List<KeyUsage.ColumnUsage> usage = KeyUsage.scan(c, policy);
            int a1 = first.activeKey("default", false).id();
            int a2 = second.activeKey("default", false).id();
            int b1 = first.activeKey("other", false).id();
            int b2 = second.activeKey("other", false).id();
            KeyUsage.ColumnUsage a = usage.stream().filter(u -> u.column().column().column().key().equals("a")).findFirst().orElseThrow();
            KeyUsage.ColumnUsage b = usage.stream().filter(u -> u.column().column().column().key().equals("b")).findFirst().orElseThrow();
            assertEquals(Map.of(a1, 3L, a2, 2L), a.rowsByKey());
            assertEquals(1, a.plaintextRows());
            assertEquals(Map.of(b1, 3L, b2, 2L), b.rowsByKey());
            assertEquals(0, b.plaintextRows());
            Map<Integer, Long> total = new java.util.HashMap<>(a.rowsByKey());
            b.rowsByKey().forEach((k, n) -> total.merge(k, n, Long::sum));
            assertEquals(total, KeyUsage.totals(usage));
        }
    }
}
