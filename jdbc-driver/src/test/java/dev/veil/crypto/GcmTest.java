package dev.veil.crypto;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production AES-GCM ({@link Gcm} behind {@link AesGcm}) against the JDK's own
 * {@code AES/GCM/NoPadding} as the reference, plus tamper checks and the nonce generator.
 */
class GcmTest {
    private static final int HEADER = Envelope.HEADER_BYTES;
    private static final int BODY = HEADER + Gcm.NONCE_BYTES;

    @AfterEach
    void dropCachedStates() {
        AesGcm.clearThreadCache();
    }

    @Test
    void matchesJceOnRandomInputs() throws Exception {
        Random random = new Random(20261122);
        int cases = 0;
        for (int ptLen = 0; ptLen <= 2100; ptLen += ptLen < 80 ? 1 : 1 + random.nextInt(12)) {
            for (int rep = 0; rep < 6; rep++) {
                int aadLen = rep == 0 ? 0 : random.nextInt(rep < 4 ? 40 : 300);
                SecretKey key = new SecretKeySpec(bytes(random, 32), "AES");
                byte[] nonce = bytes(random, 12);
                byte[] aad = bytes(random, aadLen);
                byte[] pt = bytes(random, ptLen);
                byte[] expected = reference(key, nonce, aad, pt);
                assertArrayEquals(expected, AesGcm.encrypt(key, nonce, aad, pt), () -> "pt " + pt.length + " aad " + aad.length);
                assertArrayEquals(pt, AesGcm.decrypt(key, nonce, aad, expected));
                cases++;
            }
        }
        assertTrue(cases > 2000, "cases: " + cases);
    }

    @Test
    void sameTagNoticesEveryByteAtItsOffset() {
        Random random = new Random(20261129);
        byte[] computed = bytes(random, Gcm.TAG_BYTES);
        byte[] received = new byte[40];
        int off = 21;
        System.arraycopy(computed, 0, received, off, Gcm.TAG_BYTES);
        assertTrue(Gcm.sameTag(computed, received, off));
        for (int i = 0; i < Gcm.TAG_BYTES; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] altered = received.clone();
                altered[off + i] ^= (byte) (1 << bit);
                assertFalse(Gcm.sameTag(computed, altered, off), "byte " + i + " bit " + bit);
            }
        }
        // bytes around the tag are not part of it
        received[off - 1] ^= 1;
        received[off + Gcm.TAG_BYTES] ^= 1;
        assertTrue(Gcm.sameTag(computed, received, off));
    }

    @Test
    void sealAndOpenMatchJceAcrossCachedKeys() throws Exception {
        Random random = new Random(78);
        SecretKey[] keys = new SecretKey[12];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new SecretKeySpec(bytes(random, 32), "AES");
        }
        Set<ByteBuffer> nonces = new HashSet<>();
        byte[][] contexts = new byte[6][];
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = bytes(random, 10 + 9 * i);
        }
        byte[][] headers = {bytes(random, HEADER), bytes(random, HEADER), bytes(random, HEADER)};
        for (int n = 0; n < 1500; n++) {
            // more keys than the per-thread cache holds, so states are evicted, wiped and rebuilt
            SecretKey key = keys[random.nextInt(keys.length)];
            // a few contexts reused (more than the remembered associated-data states), some fresh
            byte[] context = n % 7 == 0 ? bytes(random, random.nextInt(70)) : contexts[random.nextInt(contexts.length)];
            byte[] pt = bytes(random, random.nextInt(n % 10 == 0 ? 2100 : 130));
            byte[] out = new byte[BODY + pt.length + 16];
            random.nextBytes(out);
            System.arraycopy(headers[random.nextInt(headers.length)], 0, out, 0, HEADER);
            byte[] header = Arrays.copyOf(out, HEADER);
            AesGcm.seal(key, out, context, pt);

            byte[] nonce = Arrays.copyOfRange(out, HEADER, BODY);
            assertTrue(nonces.add(ByteBuffer.wrap(nonce)), "nonce repeated");
            assertArrayEquals(reference(key, nonce, concat(header, context), pt), Arrays.copyOfRange(out, BODY, out.length));
            assertArrayEquals(header, Arrays.copyOf(out, HEADER));
            assertArrayEquals(pt, AesGcm.open(key, out, context));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4079, 4080, 4095, 4096, 4097, 9000})
    void valuesLongerThanOneKeystreamChunkMatchJce(int length) throws Exception {
        Random random = new Random(length);
        SecretKey key = new SecretKeySpec(bytes(random, 32), "AES");
        byte[] nonce = bytes(random, 12);
        byte[] aad = bytes(random, 21);
        byte[] pt = bytes(random, length);
        byte[] expected = reference(key, nonce, aad, pt);
        assertArrayEquals(expected, AesGcm.encrypt(key, nonce, aad, pt));
        assertArrayEquals(pt, AesGcm.decrypt(key, nonce, aad, expected));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 40, AesGcm.SHORT_VALUE, AesGcm.SHORT_VALUE + 1, 300})
    void everyFlippedBitFailsAndReleasesNoPlaintext(int length) throws Exception {
        Random random = new Random(length);
        SecretKey key = new SecretKeySpec(bytes(random, 32), "AES");
        byte[] context = bytes(random, 19);
        byte[] envelope = new byte[BODY + length + 16];
        random.nextBytes(envelope);
        AesGcm.seal(key, envelope, context, bytes(random, length));
        Gcm gcm = Gcm.create(key);
        for (int bit = 0; bit < envelope.length * 8; bit++) {
            byte[] tampered = envelope.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(AEADBadTagException.class, () -> AesGcm.open(key, tampered, context), "bit " + bit);
            byte[] out = new byte[length];
            Arrays.fill(out, (byte) 0x5a);
            assertThrows(AEADBadTagException.class,
                    () -> gcm.open(tampered, HEADER, context, tampered, HEADER, tampered, BODY, tampered.length - BODY, out, 0));
            assertArrayEquals(new byte[length], out, "plaintext released for bit " + bit);
        }
        byte[] otherContext = context.clone();
        otherContext[0] ^= 1;
        assertThrows(AEADBadTagException.class, () -> AesGcm.open(key, envelope, otherContext));
        assertThrows(AEADBadTagException.class, () -> AesGcm.open(key, Arrays.copyOf(envelope, envelope.length - 1), context));
        assertEquals(length, AesGcm.open(key, envelope, context).length);
    }

    @Test
    void noncesDoNotRepeatWithinOrAcrossThreadsOrReseeds() throws Exception {
        Set<ByteBuffer> seen = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    // each generator is fresh, as after a reseed: a new key and counter prefix
                    for (int g = 0; g < 5; g++) {
                        Nonces nonces = new Nonces(new SecureRandom());
                        for (int i = 0; i < 20_000; i++) {
                            byte[] n = new byte[Gcm.NONCE_BYTES];
                            nonces.next(n, 0);
                            if (!seen.add(ByteBuffer.wrap(n))) {
                                throw new AssertionError("nonce repeated");
                            }
                        }
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, failure[0]);
        assertEquals(4 * 5 * 20_000, seen.size());
    }

    private static byte[] reference(SecretKey key, byte[] nonce, byte[] aad, byte[] pt) throws Exception {
        Cipher jce = Cipher.getInstance("AES/GCM/NoPadding");
        jce.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        jce.updateAAD(aad);
        return jce.doFinal(pt);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
