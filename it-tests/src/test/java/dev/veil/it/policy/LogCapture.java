package dev.veil.it.policy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What SLF4J's simple binding (the it-tests' backend, which writes to {@code System.err} as it is
 * at each call) logged while open; the lines still reach the real standard error.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Everything logged so far. */
    synchronized String text() {
        System.err.flush();
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** How many logged lines contain {@code fragment}. */
    long count(String fragment) {
        return text().lines().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
