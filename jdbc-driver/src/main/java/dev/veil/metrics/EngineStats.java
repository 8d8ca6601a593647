package dev.veil.metrics;

import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** {@link VeilMXBean} over an engine's counters and the gauges its parts expose. */
public final class EngineStats implements VeilMXBean {
    private final String policy;
    private final VeilMetrics metrics;
    private final IntSupplier cachedKeys;
    private final LongSupplier statementsRefused;
    private final IntSupplier cachedPlans;
    private final java.util.Set<String> rings;
    private final java.util.function.Function<String, java.time.Instant> writeKeyExpiry;

    public EngineStats(String policy, VeilMetrics metrics, IntSupplier cachedKeys, LongSupplier statementsRefused, IntSupplier cachedPlans) {
        this(policy, metrics, cachedKeys, statementsRefused, cachedPlans, java.util.Set.of(), ring -> null);
    }

    /**
     * @param rings the policy's key rings
     * @param writeKeyExpiry when a ring's write key expires ({@link java.time.Instant#MAX}: never; {@code null}: not known yet)
     */
    public EngineStats(String policy, VeilMetrics metrics, IntSupplier cachedKeys, LongSupplier statementsRefused, IntSupplier cachedPlans,
                       java.util.Set<String> rings, java.util.function.Function<String, java.time.Instant> writeKeyExpiry) {
        this.rings = java.util.Set.copyOf(rings);
        this.writeKeyExpiry = writeKeyExpiry;
        this.policy = policy;
        this.metrics = metrics;
        this.cachedKeys = cachedKeys;
        this.statementsRefused = statementsRefused;
        this.cachedPlans = cachedPlans;
    }

    public VeilMetrics metrics() {
        return metrics;
    }

    /** The policy's key rings. */
    public java.util.Set<String> rings() {
        return rings;
    }

    /**
     * When the key {@code ring} is written with expires, in seconds since the epoch:
     * {@code +Infinity} when it never expires, {@code NaN} while this process has not used the ring.
     */
    public double writeKeyExpirySeconds(String ring) {
        java.time.Instant t = writeKeyExpiry.apply(ring);
        return t == null ? Double.NaN : t.equals(java.time.Instant.MAX) ? Double.POSITIVE_INFINITY : t.getEpochSecond();
    }

    @Override
    public String getPolicy() {
        return policy;
    }

    @Override
    public long getEncryptions() {
        return metrics.encryptions();
    }

    @Override
    public long getDecryptions() {
        return metrics.decryptions();
    }

    @Override
    public Map<String, Long> getFailures() {
        return metrics.failures();
    }

    @Override
    public long getKeyCacheHits() {
        return metrics.keyCacheHits();
    }

    @Override
    public long getKeyUnwraps() {
        return metrics.keyUnwraps();
    }

    @Override
    public int getCachedKeys() {
        return cachedKeys.getAsInt();
    }

    @Override
    public long getMissingKeyReads() {
        return metrics.missingKeyReads();
    }

    @Override
    public long getStatementsRefused() {
        return statementsRefused.getAsLong();
    }

    @Override
    public int getCachedPlans() {
        return cachedPlans.getAsInt();
    }

    @Override
    public java.util.List<String> getMissingTables() {
        return metrics.missingTables();
    }

    @Override
    public Map<String, Long> getJobProgress() {
        return metrics.jobProgress();
    }
}
