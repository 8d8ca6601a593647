package dev.veil.jobs;

import java.util.Locale;

/** What a bulk job does to each encrypted value it reads. */
public enum JobKind {
    /** Encrypt legacy plaintext in place (columns in migration read mode meanwhile). */
    MIGRATE,
    /** Re-encrypt values not under their ring's active key, so old keys can be retired. */
    REKEY,
    /** Read and authenticate every value; count values per key; name the rows that fail. */
    VERIFY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
