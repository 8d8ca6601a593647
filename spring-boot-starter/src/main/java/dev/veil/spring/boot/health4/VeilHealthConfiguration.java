package dev.veil.spring.boot.health4;

import dev.veil.spring.boot.VeilAutoConfiguration;
import dev.veil.spring.boot.VeilHealthCheck;
import dev.veil.spring.boot.VeilProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;
import java.time.Clock;

/** The {@code veil} health indicator on Spring Boot 4's health API ({@code org.springframework.boot.health.contributor}). */
@AutoConfiguration(after = VeilAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(VeilProperties.class)
@ConditionalOnProperty(prefix = "management.health.veil", name = "enabled", havingValue = "true", matchIfMissing = true)
public class VeilHealthConfiguration {

    @Bean
    HealthIndicator veilHealthIndicator(ObjectProvider<DataSource> dataSources, VeilProperties properties) {
        VeilHealthCheck check = new VeilHealthCheck(() -> dataSources.orderedStream().toList(), properties.getHealth(), Clock.systemUTC());
        String expiring = properties.getHealth().getExpiringStatus();
        return () -> {
            VeilHealthCheck.Report r = check.check();
            return Health.status(r.statusCode(expiring)).withDetails(r.details()).build();
        };
    }
}
