package dev.veil.agent;

import dev.veil.agent.bootstrap.VeilBridge;
import dev.veil.jdbc.VeilConnections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.lang.instrument.Instrumentation;
import java.sql.Driver;

/**
 * Installs the transformer that makes every implementation of {@code java.sql.Driver#connect(String,
 * Properties)} and {@code javax.sql.DataSource#getConnection()} / {@code getConnection(String,
 * String)}, in whatever class loader the driver or pool lives, report to {@link VeilBridge}.
 *
 * <p>Only methods declared to return exactly {@code java.sql.Connection} are instrumented: a
 * covariant override returning a vendor type (its bridge method is instrumented instead) could not
 * return Veil's wrapper. At start-up no driver is loaded yet, so nothing is scanned; when attached
 * to a running JVM, the drivers and data sources already loaded are retransformed.
 */
final class Instrumenter {
    private static final Logger LOG = LoggerFactory.getLogger(Instrumenter.class);

    private Instrumenter() {
    }

    static void start(String policyPath, boolean debug, boolean attached, Instrumentation inst) {
        long started = System.nanoTime();
        if (VeilBridge.class.getClassLoader() != null) {
            throw new IllegalStateException("Veil agent: its bridge was loaded by " + VeilBridge.class.getClassLoader()
                    + " instead of the bootstrap class loader; connections cannot be wrapped reliably");
        }
        VeilBridge.install(new ConnectionInterceptor(policyPath));
        // the policy and master key are read while the application starts, not when it first connects
        VeilConnections.prepare(policyPath);
        inst.addTransformer(new PrefilteringTransformer(new ConnectTransformer(debug)), attached);
        if (attached) {
            retransformLoaded(inst);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        // the first record sets up java.util.logging (handlers, date formatting): tens of
        // milliseconds of a fresh JVM that the application's start need not wait for
        Thread announce = new Thread(() -> LOG.info("Veil agent installed in {} ms; policy {}", millis,
                policyPath == null ? "not set (connections will be refused)" : policyPath), "veil-agent-announce");
        announce.setDaemon(true);
        announce.start();
    }

    /** Drivers and data sources loaded before the attach; one that cannot be retransformed is reported and skipped. */
    private static void retransformLoaded(Instrumentation inst) {
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.isInterface() || c.isArray() || c.isPrimitive() || !(Driver.class.isAssignableFrom(c) || DataSource.class.isAssignableFrom(c))
                    || ConnectTransformer.ignored(c.getName().replace('.', '/')) || !inst.isModifiableClass(c)) {
                continue;
            }
            try {
                inst.retransformClasses(c);
            } catch (Exception | LinkageError e) {
                LOG.warn("Veil agent could not instrument the loaded class {}; connections it opens are not wrapped: {}", c.getName(), e.toString());
            }
        }
    }
}
