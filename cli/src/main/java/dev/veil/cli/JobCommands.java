package dev.veil.cli;

import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.JobResult;
import dev.veil.jobs.TableJob;
import dev.veil.jobs.Verifier;
import dev.veil.jobs.VerifyReport;
import dev.veil.policy.TablePolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The bulk jobs: {@code veil migrate}, {@code veil rekey}, {@code veil verify}. */
final class JobCommands {
    private JobCommands() {
    }

    /** Options shared by migrate and rekey. */
    static final class Tuning {
        @Option(names = "--batch-size", defaultValue = "500", description = "rows per transaction (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--chunk-size", defaultValue = "10000", description = "rows per claimable chunk shared between workers and processes (default: ${DEFAULT-VALUE})")
        int chunkSize;

        @Option(names = "--max-rows-per-second", defaultValue = "0", description = "throttle for this process; 0 = unthrottled (default)")
        double maxRowsPerSecond;

        @Option(names = "--workers", defaultValue = "1", description = "worker threads in this process (default: ${DEFAULT-VALUE}); "
                + "run the same command on more machines to scale out")
        int workers;

        @Option(names = "--lease", defaultValue = "30", paramLabel = "SECONDS",
                description = "how long a dead worker's chunk stays claimed before others take it over (default: ${DEFAULT-VALUE})")
        int leaseSeconds;

        @Option(names = "--restart", description = "forget this job's checkpoints and start again from the first row")
        boolean restart;

        JobOptions options() {
            return new JobOptions(batchSize, Math.max(chunkSize, batchSize), maxRowsPerSecond, workers, Duration.ofSeconds(leaseSeconds));
        }
    }

    /** How long a Ctrl-C waits for the batches in flight before the JVM exits anyway. */
    static final int STOP_WAIT_SECONDS = 30;

    static List<String> tablesOf(Target.Session s, List<String> requested) {
        if (requested != null && !requested.isEmpty()) {
            return requested;
        }
        List<String> all = new ArrayList<>();
        for (TablePolicy t : s.policy().tables()) {
            all.add(t.name().schema() == null ? t.name().name().text() : t.name().schema().text() + "." + t.name().name().text());
        }
        return all;
    }

    static int runJob(CommandSpec spec, Target target, Tuning tuning, List<String> tables, JobKind kind) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int code = ExitCode.OK;
        try (Target.Session s = target.open()) {
            for (String table : tablesOf(s, tables)) {
                if (tuning.restart) {
                    TableJob.reset(s.database(), kind, table, s.veil());
                }
                ProgressPrinter progress = ProgressPrinter.forConsole(out);
                JobResult r;
                try {
                    r = runStoppable(new TableJob(s.veil(), s.database(), table, kind, tuning.options(), progress), () -> {
                        progress.done();
                        spec.commandLine().getErr().printf("veil: %s %s stopped; every committed batch is kept: run the same command "
                                + "again to continue%n", kind.label(), table);
                    });
                } catch (InterruptedException e) {
                    return ExitCode.INTERRUPTED;
                }
                progress.done();
                if (r.alreadyFinished()) {
                    out.printf("%s %s: already finished (use --restart to run it again)%n", kind.label(), r.table());
                } else {
                    out.printf(Locale.ROOT, "%s %s: %s; %,d rows read, %,d rewritten, %,d concurrent writes re-read, in %.1f s%n",
                            kind.label(), r.table(), r.finished() ? "finished" : "NOT finished: other processes still hold chunks",
                            r.rowsScanned(), r.rowsChanged(), r.conflicts(), r.elapsed().toMillis() / 1000.0);
                    if (!r.finished()) {
                        code = ExitCode.UNFINISHED;
                    } else {
                        printSearchGuards(s, table, out);
                    }
                }
            }
        }
        return code;
    }

    /**
     * After a finished job on a table with searchable columns (PostgreSQL), what still keeps each
     * column's searches refused: a guard missing, or not yet validated now that every row has its
     * tokens, with the statement that completes it.
     */
    static void printSearchGuards(Target.Session s, String table, PrintWriter out) throws java.sql.SQLException {
        dev.veil.policy.TableName name = dev.veil.policy.TableName.parse(table);
        TablePolicy t = s.policy().table(name.schema() == null ? null : name.schema().toString(), name.name().toString()).orElse(null);
        if (t == null || t.columns().values().stream().noneMatch(dev.veil.policy.ColumnPolicy::isSearchable)) {
            return;
        }
        try (java.sql.Connection c = s.connect()) {
            if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
                return;
            }
            for (dev.veil.policy.ColumnPolicy col : t.columns().values()) {
                if (col.isSearchable()) {
                    String gap = dev.veil.jdbc.SearchGuards.gap(c, col);
                    if (gap != null) {
                        out.printf("  %s: searches on it are refused: %s%n", col.column(), gap);
                    }
                }
            }
        }
    }

    /**
     * Runs a job so that Ctrl-C or SIGTERM stops it between batches: the JVM's shutdown interrupts
     * it and waits (a bounded time) while each worker lets its batch in flight commit or roll back
     * and hands its chunk back, so the next run resumes at once instead of after the lease.
     *
     * @param onStop tells the operator, when the job was stopped that way
     */
    static JobResult runStoppable(TableJob job, Runnable onStop) throws Exception {
        Thread runner = Thread.currentThread();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runner.interrupt();
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "veil-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return job.run();
        } catch (InterruptedException e) {
            onStop.run(); // before the shutdown goes on: the JVM may halt as soon as the latch opens
            throw e;
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the job has stopped
            }
        }
    }

    /** What migrate and rekey share: the target, the tuning, the tables, and running the job. */
    abstract static class TableJobCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Target target;
        @Mixin
        Tuning tuning;
        @Parameters(paramLabel = "TABLE", arity = "0..*", description = "tables (default: every table in the policy)")
        List<String> tables;

        abstract JobKind kind();

        @Override
        public Integer call() throws Exception {
            return runJob(spec, target, tuning, tables, kind());
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = {"Encrypts legacy plaintext in place, online; resumable after a crash or Ctrl-C.",
                    "Mark the columns 'migrating: true' in the policy first, so the application reads both forms meanwhile. Every "
                    + "row is updated with a compare-and-set on the value read, so concurrent application writes are never "
                    + "overwritten."},
            footer = {"%nExamples:", "  veil migrate --policy /etc/veil/policy.yaml --url jdbc:postgresql://db/shop?user=ops customers",
                    "  veil migrate --workers 2 --max-rows-per-second 5000 customers orders", ExitCode.FOOTER})
    static final class Migrate extends TableJobCommand {
        @Override
        JobKind kind() {
            return JobKind.MIGRATE;
        }
    }

    @Command(name = "rekey", mixinStandardHelpOptions = true,
            description = {"Re-encrypts every value that is not under its ring's active key, online and resumable.",
                    "Run it after 'veil keys rotate', so the old keys can be retired and destroyed."},
            footer = {"%nExamples:", "  veil keys rotate national-id && veil rekey customers",
                    "  veil rekey --workers 2 --max-rows-per-second 2000", ExitCode.FOOTER})
    static final class Rekey extends TableJobCommand {
        @Override
        JobKind kind() {
            return JobKind.REKEY;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Reads and authenticates every encrypted value; reports the values per data key.",
                    "The primary keys (never the values) of values that fail are listed."},
            footer = {"%nExamples:", "  veil verify --policy /etc/veil/policy.yaml --url jdbc:postgresql://db/shop?user=ops", ExitCode.FOOTER})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Target target;
        @Parameters(paramLabel = "TABLE", arity = "0..*", description = "tables to verify (default: every table in the policy)")
        List<String> tables;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            int code = ExitCode.OK;
            try (Target.Session s = target.open()) {
                for (String table : tablesOf(s, tables)) {
                    ProgressPrinter progress = ProgressPrinter.forConsole(out);
                    VerifyReport r = new Verifier(s.veil(), s.database()).verify(table, progress);
                    progress.done();
                    out.printf(Locale.ROOT, "verify %s: %,d rows; %,d NULL, %,d legacy plaintext (migrating), %,d failed%n",
                            r.table(), r.rows(), r.nullValues(), r.legacyValues(), r.failureCount());
                    for (Map.Entry<Integer, Long> e : r.valuesPerKey().entrySet()) {
                        out.printf(Locale.ROOT, "  key %11d: %,d values%n", e.getKey(), e.getValue());
                    }
                    for (VerifyReport.Failure f : r.failures()) {
                        out.printf("  FAILED primary key %s, column %s: %s%n", f.primaryKey(), f.column(), f.state().sqlState());
                    }
                    if (r.failureCount() > r.failures().size()) {
                        out.printf("  … and %,d more%n", r.failureCount() - r.failures().size());
                    }
                    if (!r.ok()) {
                        code = ExitCode.VERIFY_FAILED;
                    }
                }
            }
            return code;
        }
    }
}
