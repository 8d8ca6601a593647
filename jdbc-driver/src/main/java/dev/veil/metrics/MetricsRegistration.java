package dev.veil.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Publishes an engine's {@link EngineStats}: as an MXBean on the platform MBean server, and as
 * Micrometer meters on {@code Metrics.globalRegistry} when Micrometer is on the class path.
 * Publishing never fails the engine: problems are logged and skipped.
 *
 * <p>Creating the platform MBean server registers every JDK MXBean and costs a fresh JVM more than
 * a tenth of a second of CPU. So when an MBean server exists (something in the JVM uses JMX: {@code
 * -Dcom.sun.management.jmxremote}, a framework that exposes beans) the MXBean is registered at
 * once, before {@link #register} returns; when none exists yet, a background daemon thread waits
 * for one to appear (checking every {@value #POLL_MILLIS} ms) and registers the MXBean then, or
 * after {@value #MAKE_SERVER_AFTER_MILLIS} ms makes the platform server itself and registers it, so
 * a tool that attaches later finds it. A short program thus never pays for JMX it does not use.
 */
public final class MetricsRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistration.class);
    private static final boolean MICROMETER = present("io.micrometer.core.instrument.Metrics");
    /** How long the background registration waits for another MBean server user before making the platform server itself. */
    static final long MAKE_SERVER_AFTER_MILLIS = 5_000;
    static final long POLL_MILLIS = 200;

    private final AutoCloseable micrometer;
    private volatile ObjectName name;
    private volatile boolean closed;

    private MetricsRegistration(EngineStats stats, AutoCloseable micrometer) {
        this.micrometer = micrometer;
        if (mbeanServerExists()) {
            this.name = registerJmx(stats);
        } else {
            // classes rather than lambdas, which spin a class each at first use (a JVM's first connection)
            Thread background = new Thread(new Runnable() {
                @Override
                public void run() {
                    awaitMBeanServer(new java.util.function.BooleanSupplier() {
                        @Override
                        public boolean getAsBoolean() {
                            return closed || mbeanServerExists();
                        }
                    }, MAKE_SERVER_AFTER_MILLIS, POLL_MILLIS);
                    publish(stats);
                }
            }, "veil-jmx-registration");
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

    /**
     * Waits until {@code ready} holds, checking every {@code pollMillis}, for at most {@code maxMillis}.
     *
     * @return whether {@code ready} held (else the time ran out or the thread was interrupted)
     */
    static boolean awaitMBeanServer(BooleanSupplier ready, long maxMillis, long pollMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (!ready.getAsBoolean()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(pollMillis, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void publish(EngineStats stats) {
        if (closed) {
            return; // closed while waiting: make no MBean server for it
        }
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
