package dev.veil.cli;

import dev.veil.jobs.JobProgress;
import dev.veil.jobs.ProgressListener;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows job progress: a bar redrawn in place on a terminal, or a plain line every few seconds when
 * the output goes to a log (rows done of total, rate, ETA).
 */
final class ProgressPrinter implements ProgressListener {
    private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;
    private final PrintWriter out;
    private final boolean terminal;
    private long lastLine;
    // a job reports its last batch and then its end: both are complete, the line is printed once
    private boolean completePrinted;

    ProgressPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    static ProgressPrinter forConsole(PrintWriter out) {
        return new ProgressPrinter(out, System.console() != null);
    }

    @Override
    public synchronized void progress(JobProgress p) {
        String text = line(p);
        if (terminal) {
            out.print("\r" + bar(p) + " " + text + "   ");
            out.flush();
        } else {
            long now = System.nanoTime();
            boolean complete = p.rowsDone() >= p.totalRows();
            if (complete && completePrinted) {
                return;
            }
            if (now - lastLine >= LOG_INTERVAL_NANOS || complete) {
                lastLine = now;
                completePrinted = complete;
                out.println(p.kind().label() + " " + p.table() + ": " + text);
                out.flush();
            }
        }
    }

    /** Ends the bar's line on a terminal. */
    synchronized void done() {
        if (terminal) {
            out.println();
            out.flush();
        }
    }

    static String line(JobProgress p) {
        double pct = p.totalRows() == 0 ? 100 : 100.0 * p.rowsDone() / p.totalRows();
        long eta = p.etaSeconds();
        return String.format(Locale.ROOT, "%5.1f%% %,d/%,d rows, %,.0f rows/s%s", pct, p.rowsDone(), p.totalRows(), p.rowsPerSecond(),
                eta < 0 ? "" : String.format(Locale.ROOT, ", ETA %d:%02d", eta / 60, eta % 60));
    }

    static String bar(JobProgress p) {
        int width = 30;
        int filled = p.totalRows() == 0 ? width : (int) Math.min(width, width * p.rowsDone() / p.totalRows());
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }
}
