package dev.veil.agent.logging;

import dev.veil.jdbc.LoggingWarmUp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

class JulLoggingProviderTest {
    @Test
    void warmUpFormatsWithTheRootHandlersButPublishesNothing() {
        List<LogRecord> published = new ArrayList<>();
        List<LogRecord> formatted = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                published.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                formatted.add(r);
                return r.getMessage();
            }
        });
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        try {
            JulLoggingProvider provider = new JulLoggingProvider();
            assertInstanceOf(LoggingWarmUp.class, provider.getLoggerFactory()).warmUp();
            assertEquals(1, formatted.size(), "the handler's formatter ran once");
            assertEquals(List.of(), published, "nothing was written");
            // named like a real record's source: a record without one makes the formatter walk the stack for its caller
            assertEquals("dev.veil", formatted.get(0).getSourceClassName());
            assertNull(formatted.get(0).getSourceMethodName());
        } finally {
            root.removeHandler(h);
        }
    }

    @Test
    void warmUpSurvivesAFailingFormatter() {
        Handler h = new java.util.logging.ConsoleHandler();
        h.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                throw new IllegalStateException("broken formatter");
            }
        });
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        try {
            ((LoggingWarmUp) new JulLoggingProvider().getLoggerFactory()).warmUp();
        } finally {
            root.removeHandler(h);
        }
    }
}
