package dev.veil.spring.boot;

import dev.veil.Veil;
import dev.veil.jdbc.VeilDataSource;
import dev.veil.metrics.MicrometerMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Binds the meters of the engines behind the application's Veil DataSources ({@code veil.encryptions},
 * {@code veil.failures}, … tagged {@code policy}) to the application's {@link MeterRegistry}, so
 * they are there whether or not that registry is part of Micrometer's global one. Opens an engine
 * that no connection has opened yet.
 */
public final class VeilMeterBinder implements MeterBinder {
    private static final Logger LOG = LoggerFactory.getLogger(VeilMeterBinder.class);

    private final Supplier<List<DataSource>> dataSources;

    public VeilMeterBinder(Supplier<List<DataSource>> dataSources) {
        this.dataSources = dataSources;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<Veil, Boolean> bound = new IdentityHashMap<>();
        for (DataSource ds : dataSources.get()) {
            try {
                if (!ds.isWrapperFor(VeilDataSource.class)) {
                    continue;
                }
                Veil veil = ds.unwrap(VeilDataSource.class).engine();
                if (bound.put(veil, Boolean.TRUE) == null) {
                    MicrometerMeters.bind(veil.stats(), registry);
                }
            } catch (SQLException | RuntimeException e) {
                // the health indicator reports why; the global registry still gets the meters once the engine opens
                LOG.warn("Veil meters not bound to {}: {}", registry.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
