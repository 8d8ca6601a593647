package dev.veil.crypto;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.metrics.VeilMetrics;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.LogicalType;
import dev.veil.policy.MissingKeyAction;
import dev.veil.policy.StorageFormat;

import javax.crypto.AEADBadTagException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Encrypts and decrypts the values of one column, as its policy says. Thread-safe and immutable;
 * one instance per encrypted column is shared by every connection.
 *
 * <p>Every value is bound to the column's context (its table and column, or its domain) and
 * logical type: a ciphertext copied into another column, or into the same column under a changed
 * type, fails authentication instead of decrypting.
 */
public final class ColumnCipher {
    private static final int MAX_ATTEMPTS = 3;
    private final ColumnPolicy policy;
    private final Algorithm algorithm;
    private final byte[] context;
    private final DataKeySource keys;
    private final MissingKeyAction onMissingKey;
    private final VeilMetrics metrics;
    /**
     * The data key this column decrypted with last. A column's values are almost all under one or
     * two keys, and asking the key source costs as much as decrypting a short value. A key the
     * source drops (evicted, closed) is destroyed, which sends the next call back to the source.
     */
    private volatile DataKey lastKey;

    /** A cipher that fails when a key is missing, with counters of its own. */
    public ColumnCipher(ColumnPolicy policy, DataKeySource keys) {
        this(policy, keys, MissingKeyAction.ERROR, new VeilMetrics());
    }

    /**
     * @param onMissingKey what {@link #decrypt} returns when this process lacks the value's data key
     * @param metrics where encryptions, decryptions and failures are counted
     */
    public ColumnCipher(ColumnPolicy policy, DataKeySource keys, MissingKeyAction onMissingKey, VeilMetrics metrics) {
        this.policy = policy;
        this.algorithm = Algorithm.forMode(policy.mode());
        this.context = context(policy);
        this.keys = keys;
        this.onMissingKey = onMissingKey;
        this.metrics = metrics;
    }

    /** The associated data bound into every value after the envelope header. */
    static byte[] context(ColumnPolicy policy) {
        return ("veil/v1|" + policy.context() + "|type:" + policy.type().code()).getBytes(StandardCharsets.UTF_8);
    }

    public ColumnPolicy policy() {
        return policy;
    }

    /**
     * Encrypts and decrypts one throwaway text per kind of column (mode, storage, type) under a
     * throwaway random key, never a data key of the policy and destroyed afterwards, so that a fresh
     * JVM loads and sets up the ciphers on the calling (background) thread rather than on the first
     * statement's. Counts nothing and never fails: a column whose type takes no text is skipped.
     */
    public static void warmUp(Iterable<ColumnPolicy> columns) {
        byte[] bytes = new byte[DataKey.KEY_BYTES];
        new java.security.SecureRandom().nextBytes(bytes);
        DataKey key;
        try {
            key = DataKey.derive(1, bytes);
        } catch (GeneralSecurityException e) {
            return;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        DataKeySource throwaway = new DataKeySource() {
            @Override
            public DataKey activeKey(String ring, boolean consumesNonce) {
                return key;
            }

            @Override
            public DataKey key(int keyId) {
                return key;
            }
        };
        java.util.Set<String> kinds = new java.util.HashSet<>();
        try {
            for (ColumnPolicy c : columns) {
                if (!kinds.add(c.mode() + "/" + c.storage() + "/" + c.type())) {
                    continue;
                }
                try {
                    ColumnCipher cipher = new ColumnCipher(c, throwaway);
                    cipher.decrypt(cipher.encrypt("warm-up"));
                } catch (VeilException | RuntimeException e) {
                    // its first statement sets it up
                }
            }
        } finally {
            key.destroy();
        }
    }

    /**
     * Encrypts a value for storage.
     *
     * @param value the application's value, or {@code null}
     * @return {@code null} for null, else a {@code String} (text storage) or {@code byte[]} (binary)
     * @throws VeilException {@code VE008} if the value does not fit the column's type, or a key error
     */
    public Object encrypt(Object value) throws VeilException {
        if (value == null) {
            return null;
        }
        byte[] envelope = encryptToEnvelope(value);
        return policy.storage() == StorageFormat.TEXT ? Envelope.toText(envelope) : envelope;
    }

    /** Encrypts a non-null value to a binary envelope. */
    public byte[] encryptToEnvelope(Object value) throws VeilException {
        try {
            byte[] out = seal(value);
            metrics.encrypted();
            return out;
        } catch (VeilException e) {
            metrics.failed(e.state());
            throw e;
        }
    }

    private byte[] seal(Object value) throws VeilException {
        return sealPlaintext(ValueCodec.encode(policy, value));
    }

    private byte[] sealPlaintext(byte[] plaintext) throws VeilException {
        for (int attempt = 0; ; attempt++) {
            DataKey key = keys.activeKey(policy.keyRing(), algorithm == Algorithm.AES_256_GCM);
            byte[] out = sealWith(key, plaintext, attempt);
            if (out != null) {
                return out;
            }
        }
    }

    /**
     * Seals under {@code key}; {@code null} when the key was evicted and wiped while in use (the
     * output may then be under wiped bytes, so it is discarded and the caller fetches the key again).
     */
    private byte[] sealWith(DataKey key, byte[] plaintext, int attempt) throws VeilException {
        byte[] out = new byte[Envelope.size(algorithm, plaintext.length)];
        Envelope.writeHeader(out, algorithm, key.id());
        try {
            if (algorithm == Algorithm.AES_256_GCM) {
                AesGcm.seal(key.randomizedKey(), out, context, plaintext);
            } else {
                AesGcmSiv.seal(key.deterministicKey(), out, context, plaintext);
            }
        } catch (GeneralSecurityException | IllegalStateException e) {
            if (!key.isDestroyed() || attempt >= MAX_ATTEMPTS) {
                throw new VeilException(VeilState.DECRYPTION_FAILED, "cannot encrypt a value for " + policy.column()
                        + " with key " + key.id() + ": " + e.getClass().getSimpleName(), e);
            }
            return null;
        }
        if (!key.isDestroyed()) {
            return out;
        }
        if (attempt >= MAX_ATTEMPTS) {
            throw new VeilException(VeilState.KEY_STORE_FAILURE, "data key " + key.id() + " was evicted repeatedly while in use; raise keys.cache-size");
        }
        return null;
    }

    /**
     * How many data-key versions an equality lookup on this (deterministic) column must match now:
     * 1 outside a rotation. See {@link DataKeySource#lookupKeys}.
     */
    public int lookupVersions() throws VeilException {
        return keys.lookupKeys(policy.keyRing()).length;
    }

    /** The ids of the data keys {@link #encryptForLookup} uses now, the write key's first. */
    public int[] lookupKeyIds() throws VeilException {
        DataKey[] versions = keys.lookupKeys(policy.keyRing());
        int[] ids = new int[versions.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = versions[i].id();
        }
        return ids;
    }

    /**
     * Encrypts a value for an equality lookup: once under every data-key version of the column's
     * ring that may hold values, the write key's form first, so that {@code col IN (all of them)}
     * finds the row whichever version wrote it. Deterministic columns only.
     *
     * @param value a non-null value
     * @param out receives the stored forms ({@code String} or {@code byte[]}); at least
     *        {@link #lookupVersions()} long. Slots past the live versions are left alone.
     * @return how many forms were written
     * @throws VeilException as {@link #encrypt}
     */
    public int encryptForLookup(Object value, Object[] out) throws VeilException {
        return encryptForLookup(value, out, 0);
    }

    /** As {@link #encryptForLookup(Object, Object[])}, writing from {@code out[from]}. */
    public int encryptForLookup(Object value, Object[] out, int from) throws VeilException {
        byte[] plaintext = ValueCodec.encode(policy.type(), value, policy.column());
        try {
            for (int attempt = 0; ; attempt++) {
                DataKey[] versions = keys.lookupKeys(policy.keyRing());
                if (from + versions.length > out.length) {
                    throw new VeilException(VeilState.UNSUPPORTED_SQL, "a lookup on " + policy.column() + " must match "
                            + versions.length + " data-key versions of ring '" + policy.keyRing() + "', more than the "
                            + (out.length - from) + " this statement has room for; finish the rekey (veil rekey) and retire "
                            + "old versions (veil keys retire) once 'veil keys list --usage' shows they hold no value");
                }
                boolean complete = true;
                for (int i = 0; i < versions.length && complete; i++) {
                    byte[] env = sealWith(versions[i], plaintext, attempt);
                    if (env == null) {
                        complete = false;
                    } else {
                        out[from + i] = policy.storage() == StorageFormat.TEXT ? Envelope.toText(env) : env;
                    }
                }
                if (complete) {
                    metrics.encrypted();
                    return versions.length;
                }
            }
        } catch (VeilException e) {
            metrics.failed(e.state());
            throw e;
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * Decrypts a stored value.
     *
     * @param stored the column's value as read ({@code String} or {@code byte[]}), or {@code null}
     * @return {@code null} for null; the canonical decoded value (see {@link ValueCodec}); or, for
     *         a column in migration, a legacy value that is not a Veil ciphertext, unchanged; or,
     *         when this process lacks the value's key and the ring's {@code on-missing-key} is
     *         {@code null} or {@code mask}, {@code null} or {@link MissingKeyAction#MASK_TEXT}
     * @throws VeilException {@code VE005} when the value was altered, copied from another column,
     *         or is not a ciphertext; {@code VE003} for key ids not in the key table; {@code VE004} for
     *         destroyed keys; {@code VE002}/{@code VE010} for keys this process lacks, when the ring's
     *         on-missing-key is {@code error}
     */
    public Object decrypt(Object stored) throws VeilException {
        if (stored == null) {
            return null;
        }
        try {
            Object value = unseal(stored);
            metrics.decrypted();
            return value;
        } catch (VeilException e) {
            return onFailure(e);
        }
    }

    /**
     * Decrypts a text-stored value handed over as the bytes of its text, as PostgreSQL's driver
     * holds them, so a result set need not build a {@code String} of the ciphertext first. Same
     * results and failures as {@link #decrypt} of that text.
     *
     * @param text the column's value as UTF-8 bytes (read only, never kept), or {@code null}
     */
    public Object decryptText(byte[] text) throws VeilException {
        if (text == null) {
            return null;
        }
        if (!Envelope.isTextEnvelope(text)) {
            // legacy plaintext during a migration, or garbage: decrypt says which
            return decrypt(new String(text, StandardCharsets.UTF_8));
        }
        try {
            Object value = unsealText(Envelope.fromText(text));
            metrics.decrypted();
            return value;
        } catch (VeilException e) {
            return onFailure(e);
        }
    }

    /**
     * Decrypts a stored ciphertext, failing whatever the ring's {@code on-missing-key} says: for
     * jobs that derive something from the value (search tokens), which must never work on a mask.
     *
     * @throws VeilException as {@link #decrypt}, and {@code VE005} for a value that is not a ciphertext
     */
    public Object decryptStrictly(Object stored) throws VeilException {
        byte[] envelope = envelopeOf(stored);
        if (envelope == null) {
            throw failed("it is not a Veil ciphertext", -1);
        }
        Object value = ValueCodec.decode(policy, open(envelope));
        metrics.decrypted();
        return value;
    }

    /** What a failed decryption yields: the ring's on-missing-key answer for a key this process lacks, else the failure. */
    private Object onFailure(VeilException e) throws VeilException {
        if (onMissingKey != MissingKeyAction.ERROR && isMissingKey(e.state())) {
            metrics.missingKeyRead();
            return onMissingKey == MissingKeyAction.MASK && policy.type() == LogicalType.STRING ? MissingKeyAction.MASK_TEXT : null;
        }
        metrics.failed(e.state());
        throw e;
    }

    /**
     * Whether a failure means this process lacks the key (its master key is not here or cannot
     * unwrap it), so the ring's on-missing-key setting applies. A key id absent from the key table
     * (VE003) is not that: it points at an altered value or the wrong database, and fails like
     * tampering and destroyed keys always do.
     */
    private static boolean isMissingKey(VeilState state) {
        return state == VeilState.MASTER_KEY_UNAVAILABLE || state == VeilState.KEY_UNWRAP_FAILED;
    }

    private Object unseal(Object stored) throws VeilException {
        if (stored instanceof String s && Envelope.isTextEnvelope(s)) {
            return unsealText(Envelope.fromText(s));
        }
        if (stored instanceof byte[] b && Envelope.isBinaryEnvelope(b)) {
            return ValueCodec.decode(policy, open(b));
        }
        // plaintext, or a column the database stores as neither text nor binary, which cannot hold a ciphertext
        return legacy(stored);
    }

    /** Decrypts the binary envelope decoded from a text form ({@code null} when that was not canonical base64url). */
    private Object unsealText(byte[] envelope) throws VeilException {
        if (envelope == null || !Envelope.isBinaryEnvelope(envelope)) {
            throw failed("its text form is damaged", -1);
        }
        return ValueCodec.decode(policy, open(envelope));
    }

    /**
     * Moves a stored value to the key {@code activeKeyId} (the ring's active key), for bulk
     * re-encryption: the envelope is parsed once and the canonical plaintext is sealed again
     * without being decoded into a Java value.
     *
     * @return the new stored form, or {@code null} when there is nothing to do: {@code stored} is
     *         null, is not a Veil ciphertext (legacy plaintext is migration's business), or already
     *         names {@code activeKeyId} — the same values {@link #keyIdOf} reports -1 or that id for
     * @throws VeilException when the value cannot be decrypted, including when this process lacks
     *         its key whatever the ring's {@code on-missing-key} says: a job must never write a mask
     *         or NULL over a value it could not read
     */
    public Object reencrypt(Object stored, int activeKeyId) throws VeilException {
        // a text form too damaged to name a key is left for verify to report, as keyIdOf does
        byte[] envelope = envelopeOf(stored);
        if (envelope == null) {
            return null;
        }
        if (Envelope.keyId(envelope) == activeKeyId) {
            return null;
        }
        byte[] plaintext = null;
        try {
            plaintext = open(envelope);
            metrics.decrypted();
            byte[] out = sealPlaintext(plaintext);
            metrics.encrypted();
            return policy.storage() == StorageFormat.TEXT ? Envelope.toText(out) : out;
        } catch (VeilException e) {
            metrics.failed(e.state());
            throw e;
        } finally {
            if (plaintext != null) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    /**
     * The data-key id a stored value names, read from its envelope header without decrypting it,
     * or -1 when the value is null or not a Veil ciphertext.
     */
    public static int keyIdOf(Object stored) {
        byte[] envelope = envelopeOf(stored);
        return envelope != null ? Envelope.keyId(envelope) : -1;
    }

    /** The binary envelope a stored value holds, or {@code null} when it is null, not a ciphertext, or damaged. */
    private static byte[] envelopeOf(Object stored) {
        byte[] envelope = stored instanceof String s && Envelope.isTextEnvelope(s) ? Envelope.fromText(s)
                : stored instanceof byte[] b ? b : null;
        return envelope != null && Envelope.isBinaryEnvelope(envelope) ? envelope : null;
    }

    /** Whether a stored value is a Veil ciphertext (by shape; it is not authenticated). */
    public static boolean isCiphertext(Object stored) {
        return stored instanceof String s ? Envelope.isTextEnvelope(s)
                : stored instanceof byte[] b && Envelope.isBinaryEnvelope(b);
    }

    /** Authenticates and decrypts a binary envelope to its canonical plaintext bytes. */
    byte[] open(byte[] envelope) throws VeilException {
        Algorithm alg = Envelope.algorithm(envelope);
        if (alg == null) {
            throw failed("unknown envelope version or algorithm", -1);
        }
        if (alg != algorithm) {
            throw failed("it was encrypted " + (alg == Algorithm.AES_256_GCM ? "randomized" : "deterministic")
                    + " but the column is " + policy.mode().policyName(), -1);
        }
        int keyId = Envelope.keyId(envelope);
        for (int attempt = 0; ; attempt++) {
            DataKey key = key(keyId);
            try {
                return alg == Algorithm.AES_256_GCM
                        ? AesGcm.open(key.randomizedKey(), envelope, context)
                        : AesGcmSiv.open(key.deterministicKey(), envelope, context);
            } catch (AEADBadTagException | IllegalStateException e) {
                // a key wiped by cache eviction while we used it is fetched again, not blamed on the data
                if (!key.isDestroyed() || attempt == MAX_ATTEMPTS) {
                    throw failed("authentication failed (the value was altered, truncated, or copied from another column)", keyId);
                }
            } catch (GeneralSecurityException e) {
                throw failed(e.getClass().getSimpleName(), keyId);
            }
        }
    }

    private DataKey key(int keyId) throws VeilException {
        DataKey key = lastKey;
        if (key == null || key.id() != keyId || key.isDestroyed()) {
            key = keys.key(keyId);
            lastKey = key;
        }
        return key;
    }

    private Object legacy(Object stored) throws VeilException {
        if (policy.migrating()) {
            return stored;
        }
        throw failed("it is not a Veil ciphertext (mark the column 'migrating: true' while plaintext remains)", -1);
    }

    private VeilException failed(String why, int keyId) {
        return new VeilException(VeilState.DECRYPTION_FAILED, "cannot decrypt a value of " + policy.column() + ": " + why
                + (keyId == -1 ? "" : " [key " + keyId + "]"));
    }
}
