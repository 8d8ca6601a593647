package dev.veil.jdbc;

/**
 * An SLF4J {@code ILoggerFactory} whose first record is costly to write in a fresh JVM (the Java
 * agent's bridge to {@code java.util.logging} sets up its handlers and date formatting then) can
 * implement this: Veil's background start-up thread calls it, so the first connection's log line
 * does not pay for that set-up. It must write nothing.
 */
public interface LoggingWarmUp {
    /** Loads and initialises what writing the first record needs, without writing one. Never throws. */
    void warmUp();
}
