package dev.veil.cli;

/** The CLI's documented exit codes (README, and every command's --help). */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** Failed: the message on standard error names the SQLState (VE002 master key unavailable, …). */
    public static final int FAILURE = 1;
    /** Wrong usage: unknown command or option, missing argument. */
    public static final int USAGE = 2;
    /** Refused because the key is in use (rows still use it, or it is its ring's active key): VE012. */
    public static final int IN_USE = 3;
    /** {@code policy check} found problems (errors, not warnings). */
    public static final int CHECK_FAILED = 4;
    /** {@code verify} found values that do not authenticate (their primary keys are listed). */
    public static final int VERIFY_FAILED = 5;
    /** A bulk job is not finished: other processes still hold part of it (rerun, or let them finish). */
    public static final int UNFINISHED = 6;
    /** {@code keys list --expiring D}: the active key of at least one ring expires within D (the rings are named). */
    public static final int EXPIRING = 7;
    /** A bulk job was stopped (Ctrl-C, SIGTERM) between batches; what it committed is kept: rerun to continue. */
    public static final int INTERRUPTED = 130;

    static final String FOOTER = "%nExit codes: 0 ok, 1 failure (SQLState on stderr), 2 usage error, 3 refused: key in use, "
            + "4 policy check found errors, 5 verify found failing values, 6 job not finished (held by other processes), "
            + "7 keys list --expiring: a ring's active key expires within the window, "
            + "130 job stopped by Ctrl-C or SIGTERM (rerun to continue).";

    private ExitCode() {
    }
}
