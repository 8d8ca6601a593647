package dev.veil.keys;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingStatusTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    private static KeyRecord key(String ring, int version, KeyState state, Instant expires) {
        return new KeyRecord(100 + version, ring, version, state, NOW.minus(Duration.ofDays(10)), expires, "pkcs12:m", new byte[40]);
    }

    @Test
    void activeVersionIsTheHighestActiveOneAndPolicyRingsWithoutKeysAreListed() {
        List<RingStatus> s = RingStatus.of(Set.of("default", "payment"), List.of(
                key("default", 1, KeyState.DECRYPT_ONLY, NOW.minus(Duration.ofDays(1))),
                key("default", 2, KeyState.ACTIVE, NOW.plus(Duration.ofDays(20))),
                key("old", 1, KeyState.RETIRED, null)));
        assertEquals(List.of(new RingStatus("default", 2, 102, NOW.plus(Duration.ofDays(20))),
                new RingStatus("old", null, null, null), new RingStatus("payment", null, null, null)), s);
    }

    @Test
    void expiryWindowAndDays() {
        RingStatus soon = new RingStatus("default", 2, 102, NOW.plus(Duration.ofDays(20)).plusSeconds(60));
        assertTrue(soon.expiresWithin(Duration.ofDays(30), NOW));
        assertFalse(soon.expiresWithin(Duration.ofDays(20), NOW));
        assertEquals(20L, soon.daysUntilExpiry(NOW));
        RingStatus expired = new RingStatus("default", 2, 102, NOW.minusSeconds(1));
        assertTrue(expired.expiresWithin(Duration.ofDays(1), NOW));
        assertEquals(-1L, expired.daysUntilExpiry(NOW));
        RingStatus never = new RingStatus("default", 1, 101, null);
        assertFalse(never.expiresWithin(Duration.ofDays(3650), NOW));
        assertNull(never.daysUntilExpiry(NOW));
    }
}
