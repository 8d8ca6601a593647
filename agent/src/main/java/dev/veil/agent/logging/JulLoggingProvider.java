package dev.veil.agent.logging;

import dev.veil.jdbc.LoggingWarmUp;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Where the agent's own logs go. The agent carries a relocated copy of SLF4J so it never clashes
 * with the application's; that copy cannot see the application's logging backend, so this
 * provider hands every record to {@code java.util.logging}. Without configuration that prints
 * INFO and above to standard error; an application that bridges JUL (Spring Boot does) gets the
 * agent's records in its own logs.
 */
public final class JulLoggingProvider implements SLF4JServiceProvider {
    private final ILoggerFactory loggers = new Loggers();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    /** The loggers, and the warm-up of {@code java.util.logging} that Veil's background start-up thread runs. */
    static final class Loggers implements ILoggerFactory, LoggingWarmUp {
        @Override
        public org.slf4j.Logger getLogger(String name) {
            return new JulLogger(name);
        }

        /**
         * Sets up the root handlers (the console handler of the default configuration) and formats,
         * without publishing, one record with each handler's formatter: the first record's date
         * formatting and resource loading cost a fresh JVM tens of milliseconds. The record names
         * its source as {@link JulLogger}'s do, so formatting it does not walk the stack for a
         * caller (a stack walker and its classes) that no real record needs.
         */
        @Override
        public void warmUp() {
            try {
                for (Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
                    Formatter f = h.getFormatter();
                    if (f != null) {
                        LogRecord r = new LogRecord(Level.INFO, "Veil start-up");
                        r.setLoggerName("dev.veil");
                        r.setSourceClassName("dev.veil");
                        f.format(r);
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // only a warm-up: the first real record sets up whatever is missing
            }
        }
    }
}
