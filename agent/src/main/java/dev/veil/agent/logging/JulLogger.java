package dev.veil.agent.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One SLF4J logger over the {@code java.util.logging} logger of the same name. */
final class JulLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient Logger jul;

    JulLogger(String name) {
        this.name = name;
        this.jul = Logger.getLogger(name);
    }

    private static java.util.logging.Level jul(Level level) {
        return switch (level) {
            case ERROR -> java.util.logging.Level.SEVERE;
            case WARN -> java.util.logging.Level.WARNING;
            case INFO -> java.util.logging.Level.INFO;
            case DEBUG -> java.util.logging.Level.FINE;
            case TRACE -> java.util.logging.Level.FINEST;
        };
    }

    @Override
    public boolean isTraceEnabled() {
        return jul.isLoggable(java.util.logging.Level.FINEST);
    }

    @Override
    public boolean isDebugEnabled() {
        return jul.isLoggable(java.util.logging.Level.FINE);
    }

    @Override
    public boolean isInfoEnabled() {
        return jul.isLoggable(java.util.logging.Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return jul.isLoggable(java.util.logging.Level.WARNING);
    }

    @Override
    public boolean isErrorEnabled() {
        return jul.isLoggable(java.util.logging.Level.SEVERE);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        LogRecord r = new LogRecord(jul(level), MessageFormatter.basicArrayFormat(pattern, arguments));
        r.setLoggerName(name);
        r.setSourceClassName(name);
        r.setThrown(throwable);
        jul.log(r);
    }
}
