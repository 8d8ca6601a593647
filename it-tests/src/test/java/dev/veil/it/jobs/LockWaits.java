package dev.veil.it.jobs;

import dev.veil.testkit.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Waiting, in a test, until a running job is blocked on rows an open application transaction holds. */
final class LockWaits {
    private LockWaits() {
    }

    /**
     * Polls {@code countQuery} (a count of blocked sessions, on {@code db}) until it is positive.
     * Fails with the job's result or error if the job ends first, and after 30 seconds.
     */
    static void await(TestDatabase db, String countQuery, Future<?> job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection raw = db.connect(); PreparedStatement ps = raw.prepareStatement(countQuery)) {
            while (System.nanoTime() < deadline) {
                if (job.isDone()) {
                    throw new AssertionError("the job ended without waiting on the locked rows: " + job.get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the job never reached the locked rows");
    }
}
