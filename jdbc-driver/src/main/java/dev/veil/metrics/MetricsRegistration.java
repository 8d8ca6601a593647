package dev.veil.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * Publishes an engine's {@link EngineStats}: as an MXBean on the platform MBean server, and as
 * Micrometer meters on {@code Metrics.globalRegistry} when Micrometer is on the class path.
 * Publishing never fails the engine: problems are logged and skipped.
 *
 * <p>Creating the platform MBean server registers every JDK MXBean and cost a fresh JVM more than
 * a tenth of a second, on the path of the first connection. So when no MBean server exists yet
 * (nothing in the JVM uses JMX so far: no {@code -Dcom.sun.management.jmxremote}, no framework
 * that exposes beans), the MXBean is registered by a background daemon thread; when one exists
 * it is registered at once, before {@link #register} returns.
 */
public final class MetricsRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistration.class);
    private static final boolean MICROMETER = present("io.micrometer.core.instrument.Metrics");

    private final AutoCloseable micrometer;
    private volatile ObjectName name;
    private volatile boolean closed;

    private MetricsRegistration(EngineStats stats, AutoCloseable micrometer) {
        this.micrometer = micrometer;
        if (mbeanServerExists()) {
            this.name = registerJmx(stats);
        } else {
            Thread background = new Thread(() -> publish(stats), "veil-jmx-registration");
            background.setDaemon(true);
            background.start();
        }
    }

    /** Registers {@code stats}; a second engine on the same policy gets {@code ,instance=2} and so on. */
    public static MetricsRegistration register(EngineStats stats) {
        return new MetricsRegistration(stats, MICROMETER ? registerMicrometer(stats) : null);
    }

    /**
     * Whether an MBean server exists: the platform one is made through {@link MBeanServerFactory},
     * which lists it, and asking does not make one.
     */
    private static boolean mbeanServerExists() {
        try {
            return !MBeanServerFactory.findMBeanServer(null).isEmpty();
        } catch (RuntimeException e) {
            return false; // a security manager that forbids the question: register in the background
        }
    }

    private void publish(EngineStats stats) {
        ObjectName n = registerJmx(stats);
        synchronized (this) {
            name = n;
            if (closed) {
                unregister();
            }
        }
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

    /** The JMX name, or {@code null} if registration failed or has not happened yet (see the class comment). */
    public ObjectName objectName() {
        return name;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            unregister();
        }
        if (micrometer != null) {
            try {
                micrometer.close();
            } catch (Exception e) {
                LOG.debug("removing Micrometer meters: {}", e.toString());
            }
        }
    }

    private void unregister() {
        ObjectName n = name;
        if (n != null) {
            name = null;
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(n);
            } catch (Exception e) {
                LOG.debug("unregistering {}: {}", n, e.toString());
            }
        }
    }
}
