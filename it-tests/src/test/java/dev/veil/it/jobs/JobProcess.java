package dev.veil.it.jobs;

import dev.veil.Veil;
import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobOptions;
import dev.veil.jobs.JobResult;
import dev.veil.jobs.ProgressListener;
import dev.veil.jobs.TableJob;
import dev.veil.policy.PolicyLoader;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;

/** A bulk job in a process of its own, so a test can kill -9 it. Args: policy url table kind. */
public final class JobProcess {
    public static void main(String[] args) throws Exception {
        String url = args[1];
        try (Veil veil = Veil.open(PolicyLoader.load(Path.of(args[0])), () -> DriverManager.getConnection(url))) {
            // throttled so the job outlives five kills at random points (unthrottled it finishes in about a second)
            JobOptions options = JobOptions.defaults().withBatchSize(200).withChunkSize(2000).withWorkers(2).withLease(Duration.ofSeconds(1))
                    .withMaxRowsPerSecond(2500);
            JobResult r = new TableJob(veil, () -> DriverManager.getConnection(url), args[2], JobKind.valueOf(args[3]), options,
                    ProgressListener.NONE).run();
            System.out.println("RESULT finished=" + r.finished() + " changed=" + r.rowsChanged() + " conflicts=" + r.conflicts());
        }
    }
}
