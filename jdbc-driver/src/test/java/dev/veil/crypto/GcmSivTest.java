package dev.veil.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production GCM-SIV ({@link GcmSiv} behind {@link AesGcmSiv}) against BouncyCastle's
 * {@code GCMSIVBlockCipher} on its own AES as the reference, plus tamper and counter-wrap checks.
 */
class GcmSivTest {
    private static final int HEADER = Envelope.HEADER_BYTES;

    @AfterEach
    void dropCachedStates() {
        AesGcmSiv.clearThreadCache();
    }

    @Test
    void matchesBouncyCastleOnRandomInputs() throws Exception {
        Random random = new Random(20240501);
        int cases = 0;
        for (int ptLen = 0; ptLen <= 2100; ptLen += ptLen < 80 ? 1 : 1 + random.nextInt(12)) {
            for (int rep = 0; rep < 6; rep++) {
                int aadLen = rep == 0 ? 0 : random.nextInt(rep < 4 ? 40 : 300);
                byte[] key = bytes(random, 32);
                byte[] nonce = bytes(random, 12);
                byte[] aad = bytes(random, aadLen);
                byte[] pt = bytes(random, ptLen);
                byte[] expected = reference(key, nonce, aad, pt);
                assertArrayEquals(expected, AesGcmSiv.encrypt(key, nonce, aad, pt), () -> "pt " + pt.length + " aad " + aad.length);
                assertArrayEquals(pt, AesGcmSiv.decrypt(key, nonce, aad, expected));
                cases++;
            }
        }
        assertTrue(cases > 2000, "cases: " + cases);
    }

    @Test
    void sealAndOpenMatchBouncyCastleWithFixedNonceAcrossCachedKeys() throws Exception {
        Random random = new Random(77);
        byte[][] keys = new byte[12][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = bytes(random, 32);
        }
        byte[][] contexts = new byte[6][];
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = bytes(random, 10 + 9 * i);
        }
        byte[][] headers = {bytes(random, HEADER), bytes(random, HEADER), bytes(random, HEADER)};
        for (int n = 0; n < 1500; n++) {
            // more keys than the per-thread cache holds, so states are evicted, wiped and rebuilt
            byte[] key = keys[random.nextInt(keys.length)];
            // a few contexts reused (more than the remembered associated-data states), some fresh
            byte[] context = n % 7 == 0 ? bytes(random, random.nextInt(70)) : contexts[random.nextInt(contexts.length)];
            byte[] pt = bytes(random, random.nextInt(n % 10 == 0 ? 2100 : 130));
            byte[] out = new byte[HEADER + pt.length + 16];
            random.nextBytes(out);
            System.arraycopy(headers[random.nextInt(headers.length)], 0, out, 0, HEADER);
            byte[] header = Arrays.copyOf(out, HEADER);
            AesGcmSiv.seal(key, out, context, pt);

            byte[] aad = concat(header, context);
            assertArrayEquals(reference(key, new byte[12], aad, pt), Arrays.copyOfRange(out, HEADER, out.length));
            assertArrayEquals(header, Arrays.copyOf(out, HEADER));
            assertArrayEquals(pt, AesGcmSiv.open(key, out, context));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4095, 4096, 4097, 9000})
    void valuesLongerThanOneKeystreamChunkMatchBouncyCastle(int length) throws Exception {
        Random random = new Random(length);
        byte[] key = bytes(random, 32);
        byte[] nonce = bytes(random, 12);
        byte[] aad = bytes(random, 21);
        byte[] pt = bytes(random, length);
        byte[] expected = reference(key, nonce, aad, pt);
        assertArrayEquals(expected, AesGcmSiv.encrypt(key, nonce, aad, pt));
        assertArrayEquals(pt, AesGcmSiv.decrypt(key, nonce, aad, expected));
    }

    /**
     * The little-endian 32-bit counter wraps to 0 and carries on across keystream chunks (RFC 8452
     * C.3 covers a wrap within one block; see PrimitiveVectorsTest). The reference derives the
     * encryption key and encrypts each counter block on its own.
     */
    @Test
    void counterWrapsModulo2To32AcrossChunks() throws Exception {
        Random random = new Random(32);
        byte[] key = bytes(random, 32);
        byte[] nonce = bytes(random, 12);
        byte[] tag = bytes(random, 16);
        tag[0] = (byte) 0xf0;
        tag[1] = tag[2] = tag[3] = (byte) 0xff;
        byte[] in = bytes(random, 9000);
        byte[] out = new byte[in.length];
        GcmSiv.create(key, nonce).ctr(tag, 0, in, 0, in.length, out, 0);

        Cipher kdf = Cipher.getInstance("AES/ECB/NoPadding");
        kdf.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        byte[] encKey = new byte[32];
        for (int i = 0; i < 4; i++) {
            byte[] block = new byte[16];
            block[0] = (byte) (i + 2);
            System.arraycopy(nonce, 0, block, 4, 12);
            System.arraycopy(kdf.doFinal(block), 0, encKey, 8 * i, 8);
        }
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(encKey, "AES"));
        long first = 0xfffffff0L;
        for (int b = 0; b * 16 < in.length; b++) {
            byte[] counter = tag.clone();
            counter[15] |= (byte) 0x80;
            long c = (first + b) & 0xffffffffL;
            for (int i = 0; i < 4; i++) {
                counter[i] = (byte) (c >>> (8 * i));
            }
            byte[] stream = aes.doFinal(counter);
            for (int i = 0; i < 16 && b * 16 + i < in.length; i++) {
                assertEquals((byte) (in[b * 16 + i] ^ stream[i]), out[b * 16 + i], "block " + b);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 40})
    void everyFlippedBitFailsAndReleasesNoPlaintext(int length) throws Exception {
        Random random = new Random(length);
        byte[] key = bytes(random, 32);
        byte[] context = bytes(random, 19);
        byte[] envelope = new byte[HEADER + length + 16];
        random.nextBytes(envelope);
        AesGcmSiv.seal(key, envelope, context, bytes(random, length));
        GcmSiv siv = GcmSiv.create(key, new byte[12]);
        for (int bit = 0; bit < envelope.length * 8; bit++) {
            byte[] tampered = envelope.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(AEADBadTagException.class, () -> AesGcmSiv.open(key, tampered, context), "bit " + bit);
            byte[] out = new byte[length];
            Arrays.fill(out, (byte) 0x5a);
            assertThrows(AEADBadTagException.class,
                    () -> siv.open(tampered, HEADER, context, tampered, HEADER, tampered.length - HEADER, out, 0));
            assertArrayEquals(new byte[length], out, "plaintext released for bit " + bit);
        }
        byte[] otherContext = context.clone();
        otherContext[0] ^= 1;
        assertThrows(AEADBadTagException.class, () -> AesGcmSiv.open(key, envelope, otherContext));
        assertThrows(AEADBadTagException.class, () -> AesGcmSiv.open(key, Arrays.copyOf(envelope, envelope.length - 1), context));
        assertEquals(length, AesGcmSiv.open(key, envelope, context).length);
    }

    private static byte[] reference(byte[] key, byte[] nonce, byte[] aad, byte[] pt) throws InvalidCipherTextException {
        GCMSIVBlockCipher bc = new GCMSIVBlockCipher(AESEngine.newInstance());
        bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        byte[] out = new byte[bc.getOutputSize(pt.length)];
        int n = bc.processBytes(pt, 0, pt.length, out, 0);
        bc.doFinal(out, n);
        return out;
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
