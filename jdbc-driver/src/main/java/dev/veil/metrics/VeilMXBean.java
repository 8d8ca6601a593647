package dev.veil.metrics;

import java.util.Map;

/**
 * The JMX view of one engine, registered as {@code dev.veil:type=Veil,policy="<policy file>"}
 * while the engine is open. Counts only; never values or keys.
 */
public interface VeilMXBean {
    String getPolicy();

    long getEncryptions();

    long getDecryptions();

    /** Failed encryptions and decryptions by SQLState (VE005 tampering, VE004 destroyed key, …). */
    Map<String, Long> getFailures();

    long getKeyCacheHits();

    long getKeyUnwraps();

    int getCachedKeys();

    /** Values read as NULL or masked because this process lacks their data key. */
    long getMissingKeyReads();

    /** Statements refused (VE006, VE007) before reaching the database. */
    long getStatementsRefused();

    int getCachedPlans();

    /**
     * Policy tables that do not exist in the database its connections reach (names only): their
     * columns are not protected there until the tables exist. Empty when the policy fits.
     */
    java.util.List<String> getMissingTables();

    /** Job progress: {@code <job>.done} and {@code <job>.total} (-1 when unknown). */
    Map<String, Long> getJobProgress();
}
