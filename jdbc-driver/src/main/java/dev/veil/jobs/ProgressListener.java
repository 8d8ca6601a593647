package dev.veil.jobs;

/** Receives job progress; the CLI draws a bar on a terminal and prints lines otherwise. Called from worker threads. */
@FunctionalInterface
public interface ProgressListener {
    void progress(JobProgress progress);

    ProgressListener NONE = p -> { };
}
