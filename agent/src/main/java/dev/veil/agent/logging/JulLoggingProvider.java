package dev.veil.agent.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Where the agent's own logs go. The agent carries a relocated copy of SLF4J so it never clashes
 * with the application's; that copy cannot see the application's logging backend, so this
 * provider hands every record to {@code java.util.logging}. Without configuration that prints
 * INFO and above to standard error; an application that bridges JUL (Spring Boot does) gets the
 * agent's records in its own logs.
 */
public final class JulLoggingProvider implements SLF4JServiceProvider {
    private final ILoggerFactory loggers = name -> new JulLogger(name);
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
}
