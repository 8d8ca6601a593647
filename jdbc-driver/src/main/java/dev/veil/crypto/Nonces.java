package dev.veil.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Random 96-bit GCM nonces for one thread, cheaply: AES-256 in counter mode under a key and a
 * counter prefix drawn from {@link SecureRandom}, 12 bytes taken from each output block, made 64
 * at a time in one JCE call.
 *
 * <p>GCM needs its nonces unique, not secret or unpredictable; they are stored in the clear. AES
 * under a random key is a pseudo-random permutation, so these nonces collide no more often than
 * truly random ones (about {@code q^2 / 2^97} for {@code q} values under one data key, which the
 * key ring's nonce budget bounds). Drawing 12 bytes from {@code SecureRandom} per value instead cost
 * more than encrypting the value: the default source takes a global lock and mixes SHA-1 per call.
 * The generator is re-seeded after {@value #RESEED_AFTER} blocks.
 */
final class Nonces {
    private static final int BLOCK = 16;
    private static final int BATCH = 64;
    private static final long RESEED_AFTER = 1L << 32;
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final SecureRandom seeds;
    private final byte[] counters = new byte[BATCH * BLOCK];
    private final byte[] stream = new byte[BATCH * BLOCK];
    private Cipher aes;
    private long prefix;
    private long counter;
    private int next = BATCH;

    Nonces(SecureRandom seeds) {
        this.seeds = seeds;
    }

    /** Writes the next nonce to {@code out[off, off+12)}. */
    void next(byte[] out, int off) throws GeneralSecurityException {
        if (next == BATCH) {
            refill();
        }
        System.arraycopy(stream, next * BLOCK, out, off, AesGcm.NONCE_BYTES);
        next++;
    }

    private void refill() throws GeneralSecurityException {
        if (aes == null || counter >= RESEED_AFTER) {
            reseed();
        }
        byte[] c = counters;
        for (int i = 0; i < BATCH; i++) {
            LONG_BE.set(c, i * BLOCK, prefix);
            LONG_BE.set(c, i * BLOCK + 8, counter++);
        }
        aes.update(c, 0, c.length, stream, 0);
        next = 0;
    }

    private void reseed() throws GeneralSecurityException {
        byte[] key = new byte[32];
        seeds.nextBytes(key);
        try {
            Cipher cipher = Cipher.getInstance("AES/ECB/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            aes = cipher;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        prefix = seeds.nextLong();
        counter = 0;
    }
}
