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

    public EngineStats(String policy, VeilMetrics metrics, IntSupplier cachedKeys, LongSupplier statementsRefused, IntSupplier cachedPlans) {
        this.policy = policy;
        this.metrics = metrics;
        this.cachedKeys = cachedKeys;
        this.statementsRefused = statementsRefused;
        this.cachedPlans = cachedPlans;
    }

    public VeilMetrics metrics() {
        return metrics;
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
