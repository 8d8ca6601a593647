package dev.veil.metrics;

import dev.veil.VeilState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters over an engine's counters: on {@link Metrics#globalRegistry} when the engine
 * opens, and on any other registry a framework integration binds them to (the Spring Boot
 * starter binds them to the application's own). Only loaded when Micrometer is on the class path
 * ({@link MetricsRegistration} checks first). The meters read the engine's counters when scraped,
 * so the hot path never calls Micrometer. Every meter is tagged {@code policy} (the policy file).
 */
public final class MicrometerMeters {
    private MicrometerMeters() {
    }

    static AutoCloseable bind(EngineStats stats) {
        return bind(stats, Metrics.globalRegistry);
    }

    /**
     * Registers an engine's meters ({@code veil.encryptions}, {@code veil.decryptions},
     * {@code veil.failures} by {@code cause}, {@code veil.key.unwraps}, …) on {@code registry}.
     * Binding the same engine twice to one registry registers nothing new.
     *
     * @return removes the meters from {@code registry} when closed
     */
    public static AutoCloseable bind(EngineStats stats, MeterRegistry registry) {
        Tags tags = Tags.of("policy", stats.getPolicy());
        List<Meter> meters = new ArrayList<>();
        meters.add(counter(registry, "veil.encryptions", "values encrypted", tags, stats, s -> s.getEncryptions()));
        meters.add(counter(registry, "veil.decryptions", "values decrypted", tags, stats, s -> s.getDecryptions()));
        for (VeilState cause : VeilState.values()) {
            meters.add(counter(registry, "veil.failures", "failed encryptions and decryptions by SQLState", tags.and("cause", cause.sqlState()),
                    stats, s -> s.metrics().failures(cause)));
        }
        meters.add(counter(registry, "veil.key.cache.hits", "data keys found unwrapped in the cache", tags, stats, s -> s.getKeyCacheHits()));
        meters.add(counter(registry, "veil.key.unwraps", "data keys unwrapped by the master key", tags, stats, s -> s.getKeyUnwraps()));
        meters.add(counter(registry, "veil.missing.key.reads", "values read as NULL or masked for lack of their key", tags, stats,
                s -> s.getMissingKeyReads()));
        meters.add(counter(registry, "veil.statements.refused", "statements refused before reaching the database", tags, stats,
                s -> s.getStatementsRefused()));
        meters.add(counter(registry, "veil.job.items", "items done by jobs (rewrapped keys, migrated rows)", tags, stats,
                s -> s.metrics().jobItemsDone()));
        meters.add(Gauge.builder("veil.key.cache.size", stats, s -> s.getCachedKeys()).description("unwrapped data keys held")
                .tags(tags).register(registry));
        for (String ring : new java.util.TreeSet<>(stats.rings())) {
            meters.add(Gauge.builder("veil.key.expiry", stats, s -> s.writeKeyExpirySeconds(ring))
                    .description("when the key a ring is written with expires, in seconds since the epoch (+Inf: never; NaN: ring not used yet)")
                    .baseUnit("seconds").tags(tags.and("ring", ring)).strongReference(true).register(registry));
        }
        meters.add(Gauge.builder("veil.policy.tables.missing", stats, s -> s.getMissingTables().size())
                .description("policy tables that do not exist in the database (their names are the JMX attribute MissingTables)")
                .tags(tags).register(registry));
        return () -> meters.forEach(registry::remove);
    }

    private static Meter counter(MeterRegistry registry, String name, String description, Tags tags, EngineStats stats,
                                 ToDoubleFunction<EngineStats> f) {
        return FunctionCounter.builder(name, stats, f).description(description).tags(tags).register(registry);
    }
}
