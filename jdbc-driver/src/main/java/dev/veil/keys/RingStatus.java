package dev.veil.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A ring as the key table shows it: its active version and when that key expires. What
 * {@code veil keys list --expiring} and the Spring Boot health check report; ids, versions and
 * times only, never key material.
 *
 * @param ring the ring (policy key name)
 * @param activeVersion the version new values are written with, or {@code null} when the ring has
 *        no active key yet (the first encryption creates one)
 * @param activeKeyId the id of that key, or {@code null}
 * @param expiresAt when that key stops encrypting new values (the next encryption then creates the
 *        next version), or {@code null} for never
 */
public record RingStatus(String ring, Integer activeVersion, Integer activeKeyId, Instant expiresAt) {

    /**
     * The status of every ring {@code policyRings} names or {@code keys} holds, sorted by ring.
     * A ring's active key is its highest version in state {@code active}.
     */
    public static List<RingStatus> of(Collection<String> policyRings, List<KeyRecord> keys) {
        Map<String, KeyRecord> active = new TreeMap<>();
        policyRings.forEach(r -> active.put(r, null));
        for (KeyRecord k : keys) {
            KeyRecord seen = active.get(k.ring());
            if (k.state() == KeyState.ACTIVE && (seen == null || seen.version() < k.version())) {
                active.put(k.ring(), k);
            } else {
                active.putIfAbsent(k.ring(), null);
            }
        }
        List<RingStatus> out = new ArrayList<>();
        active.forEach((ring, k) -> out.add(k == null ? new RingStatus(ring, null, null, null)
                : new RingStatus(ring, k.version(), k.keyId(), k.expiresAt())));
        return out;
    }

    /** Whether the active key expires before {@code now + window} (an expired one included). */
    public boolean expiresWithin(Duration window, Instant now) {
        return expiresAt != null && expiresAt.isBefore(now.plus(window));
    }

    /**
     * Whole days from {@code now} until the active key expires (0 within the last day, negative
     * once expired), or {@code null} when it never expires or there is no active key.
     */
    public Long daysUntilExpiry(Instant now) {
        return expiresAt == null ? null : Math.floorDiv(Duration.between(now, expiresAt).toSeconds(), 86_400L);
    }
}
