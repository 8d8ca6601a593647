package dev.veil.policy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Key settings of a policy.
 *
 * @param master the master-key provider
 * @param rotateAfter lifetime of a data key before the next encryption rotates it; {@code null} = never
 * @param ringRotateAfter per-ring overrides of {@code rotateAfter}; an empty value is a ring whose keys never expire
 * @param store where data keys live
 * @param cacheSize how many unwrapped data keys are kept in memory at most
 * @param refreshAfter how long a process trusts its cached view of a ring's active key before
 *        looking again (so a rotation by another instance is picked up)
 * @param ringMasterKeys per-ring master-key ids that wrap the ring's new data keys, instead of the
 *        provider's default (so one data class can be kept from services that lack that master key)
 * @param onMissingKey what reading gives when this process lacks a data key (default for all rings)
 * @param ringOnMissingKey per-ring overrides of {@code onMissingKey}
 */
public record KeysPolicy(MasterKeySettings master, Duration rotateAfter, Map<String, Optional<Duration>> ringRotateAfter,
                         KeyStoreSettings store, int cacheSize, Duration refreshAfter, Map<String, String> ringMasterKeys,
                         MissingKeyAction onMissingKey, Map<String, MissingKeyAction> ringOnMissingKey) {

    public KeysPolicy {
        ringRotateAfter = Map.copyOf(ringRotateAfter);
        ringMasterKeys = Map.copyOf(ringMasterKeys);
        ringOnMissingKey = Map.copyOf(ringOnMissingKey);
    }

    /** Key settings without per-ring master keys, failing on missing keys. */
    public KeysPolicy(MasterKeySettings master, Duration rotateAfter, Map<String, Optional<Duration>> ringRotateAfter,
                      KeyStoreSettings store, int cacheSize, Duration refreshAfter) {
        this(master, rotateAfter, ringRotateAfter, store, cacheSize, refreshAfter, Map.of(), MissingKeyAction.ERROR, Map.of());
    }

    /** The master-key id that wraps new keys of a ring, or {@code null} for the provider's default. */
    public String masterKeyId(String ring) {
        return ringMasterKeys.get(ring);
    }

    /** What reading a column of this ring gives when this process lacks its data key. */
    public MissingKeyAction onMissingKey(String ring) {
        return ringOnMissingKey.getOrDefault(ring, onMissingKey);
    }

    /** The lifetime of keys of one ring, or {@code null} when they never expire. */
    public Duration rotateAfter(String ring) {
        Optional<Duration> own = ringRotateAfter.get(ring);
        return own != null ? own.orElse(null) : rotateAfter;
    }
}
