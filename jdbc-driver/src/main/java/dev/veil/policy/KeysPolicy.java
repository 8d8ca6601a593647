package dev.veil.policy;

import java.time.Duration;
import java.util.Map;

/**
 * Key settings of a policy.
 *
 * @param master the master-key provider
 * @param rotateAfter lifetime of a data key before the next encryption rotates it; {@code null} = never
 * @param ringRotateAfter per-ring overrides of {@code rotateAfter}
 * @param store where data keys live
 * @param cacheSize how many unwrapped data keys are kept in memory at most
 * @param refreshAfter how long a process trusts its cached view of a ring's active key before
 *        looking again (so a rotation by another instance is picked up)
 */
public record KeysPolicy(MasterKeySettings master, Duration rotateAfter, Map<String, Duration> ringRotateAfter,
                         KeyStoreSettings store, int cacheSize, Duration refreshAfter) {

    public KeysPolicy {
        ringRotateAfter = Map.copyOf(ringRotateAfter);
    }

    /** The lifetime of keys of one ring, or {@code null} when they never expire. */
    public Duration rotateAfter(String ring) {
        return ringRotateAfter.getOrDefault(ring, rotateAfter);
    }
}
