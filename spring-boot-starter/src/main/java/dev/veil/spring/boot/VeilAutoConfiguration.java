package dev.veil.spring.boot;

import dev.veil.jdbc.VeilDataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;

/**
 * Veil for a Spring Boot application: with {@code veil.policy} set, every DataSource bean is
 * wrapped in a {@link VeilDataSource} once (see {@link VeilDataSourcePostProcessor}), and Veil's
 * meters are bound to the application's MeterRegistry. {@code veil.enabled=false} turns it off.
 * The {@code veil} health indicator lives in per-Boot-version configurations beside this one.
 */
@AutoConfiguration
@ConditionalOnClass({DataSource.class, VeilDataSource.class})
@ConditionalOnProperty(prefix = "veil", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(VeilProperties.class)
public class VeilAutoConfiguration {

    /** Static: a post-processor is created before the other beans, and must not pull this configuration in early. */
    @Bean
    static VeilDataSourcePostProcessor veilDataSourcePostProcessor(Environment environment) {
        return new VeilDataSourcePostProcessor(environment, VeilAgentPresence.active());
    }

    /** The application's DataSource beans, read when asked (never while post-processors are being created). */
    static java.util.function.Supplier<java.util.List<DataSource>> dataSources(ObjectProvider<DataSource> provider) {
        return () -> provider.orderedStream().toList();
    }

    /** Veil's meters on the application's registry (Spring Boot binds every MeterBinder bean to its registries). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    @ConditionalOnProperty(prefix = "management.metrics.enable", name = "veil", havingValue = "true", matchIfMissing = true)
    static class Metrics {
        @Bean
        VeilMeterBinder veilMeterBinder(ObjectProvider<DataSource> dataSources) {
            return new VeilMeterBinder(dataSources(dataSources));
        }
    }
}
