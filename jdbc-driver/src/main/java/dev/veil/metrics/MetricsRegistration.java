package dev.veil.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * Publishes an engine's {@link EngineStats}: as an MXBean on the platform MBean server, and as
 * Micrometer meters on {@code Metrics.globalRegistry} when Micrometer is on the class path.
 * Publishing never fails the engine: problems are logged and skipped.
 */
public final class MetricsRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistration.class);
    private static final boolean MICROMETER = present("io.micrometer.core.instrument.Metrics");

    private final ObjectName name;
    private final AutoCloseable micrometer;

    private MetricsRegistration(ObjectName name, AutoCloseable micrometer) {
        this.name = name;
        this.micrometer = micrometer;
    }

    /** Registers {@code stats}; a second engine on the same policy gets {@code ,instance=2} and so on. */
    public static MetricsRegistration register(EngineStats stats) {
        return new MetricsRegistration(registerJmx(stats), MICROMETER ? registerMicrometer(stats) : null);
    }

    private static ObjectName registerJmx(EngineStats stats) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String base = "dev.veil:type=Veil,policy=" + ObjectName.quote(stats.getPolicy());
            for (int instance = 1; instance < 1000; instance++) {
                ObjectName n = new ObjectName(instance == 1 ? base : base + ",instance=" + instance);
                try {
                    server.registerMBean(stats, n);
                    return n;
                } catch (InstanceAlreadyExistsException e) {
                    // another engine on the same policy file (tests, or two class loaders): next instance
                }
            }
        } catch (Exception | LinkageError e) {
            LOG.warn("Veil JMX metrics not registered: {}", e.toString());
        }
        return null;
    }

    private static AutoCloseable registerMicrometer(EngineStats stats) {
        try {
            return MicrometerMeters.bind(stats);
        } catch (Exception | LinkageError e) {
            LOG.warn("Veil Micrometer meters not registered: {}", e.toString());
            return null;
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, MetricsRegistration.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The JMX name, or {@code null} if registration failed. */
    public ObjectName objectName() {
        return name;
    }

    @Override
    public void close() {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (Exception e) {
                LOG.debug("unregistering {}: {}", name, e.toString());
            }
        }
        if (micrometer != null) {
            try {
                micrometer.close();
            } catch (Exception e) {
                LOG.debug("removing Micrometer meters: {}", e.toString());
            }
        }
    }
}
