package dev.veil.spring.boot;

import dev.veil.jdbc.VeilDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.sql.SQLException;

/**
 * Wraps every {@link DataSource} bean (the application's own and the one Spring Boot
 * auto-configures, HikariCP included) in a {@link VeilDataSource}, once. Left alone: a DataSource
 * that already hands out Veil connections (a {@code VeilDataSource}, or a pool whose URL is
 * {@code jdbc:veil:…}), and every DataSource while the Veil agent runs in the JVM (the agent
 * wraps their connections itself).
 */
final class VeilDataSourcePostProcessor implements BeanPostProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(VeilDataSourcePostProcessor.class);
    static final String POLICY_PROPERTY = "veil.policy";

    private final Environment environment;
    private final boolean agentActive;

    VeilDataSourcePostProcessor(Environment environment, boolean agentActive) {
        this.environment = environment;
        this.agentActive = agentActive;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DataSource ds) || handsOutVeilConnections(ds)) {
            return bean;
        }
        if (agentActive) {
            LOG.info("Veil agent active: DataSource '{}' is left to the agent", beanName);
            return bean;
        }
        String policy = environment.getProperty(POLICY_PROPERTY);
        if (policy == null || policy.isBlank()) {
            throw new BeanCreationException(beanName, "Veil's Spring Boot starter would wrap DataSource '" + beanName
                    + "' but no policy is set: set veil.policy (or the environment variable VEIL_POLICY) to the policy file, "
                    + "or veil.enabled=false to run without Veil");
        }
        LOG.info("DataSource '{}' wrapped by Veil (policy {})", beanName, policy);
        return new BootVeilDataSource(ds, policy);
    }

    /** Whether {@code ds} is Veil's already: a VeilDataSource (or a wrapper of one), or a pool on a {@code jdbc:veil:} URL. */
    static boolean handsOutVeilConnections(DataSource ds) {
        try {
            if (ds instanceof VeilDataSource || ds.isWrapperFor(VeilDataSource.class)) {
                return true;
            }
        } catch (SQLException | RuntimeException e) {
            // a DataSource that cannot answer is not known to be Veil's
        }
        BeanWrapper properties = PropertyAccessorFactory.forBeanPropertyAccess(ds);
        for (String name : new String[] {"jdbcUrl", "url"}) {
            try {
                if (properties.isReadableProperty(name) && properties.getPropertyValue(name) instanceof String url
                        && url.startsWith("jdbc:veil:")) {
                    return true;
                }
            } catch (RuntimeException e) {
                // a getter that fails says nothing about Veil
            }
        }
        return false;
    }
}
