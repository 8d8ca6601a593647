package dev.veil.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static dev.veil.testkit.Hex.decode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** POLYVAL, constant-time and table-driven, against RFC 8452 and a bit-by-bit reference multiplication. */
class PolyvalTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesRfc8452AppendixA(boolean tables) {
        assertArrayEquals(decode("f7a3b47b846119fae5b7866cf5e5b77e"),
                hash(decode("25629347589242761d31f826ba4b757b"),
                        decode("4f4f95668c83dfb6401762bb2d01a262 d1a24ddd2721d006bbe45f20d3c9f362"), tables));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesRfc8452AppendixC1Trace(boolean tables) {
        assertArrayEquals(decode("eb93b7740962c5e49d2a90a7dc5cec74"),
                hash(decode("d9b360279694941ac5dbc6987ada7377"),
                        decode("01000000000000000000000000000000 00000000000000004000000000000000"), tables));
    }

    @Test
    void constantTimeIsTheDefault() {
        assertFalse(Polyval.TABLES, "run without -D" + Polyval.TABLES_PROPERTY);
    }

    @Test
    void carryLessLowHalfMatchesShiftAndXor() {
        Random random = new Random(64);
        long[] edges = {0, 1, -1, Long.MIN_VALUE, 0x1111111111111111L, 0x8888888888888888L, 0xF000000000000000L};
        for (int n = 0; n < 5000; n++) {
            long x = n < 49 ? edges[n % 7] : random.nextLong();
            long y = n < 49 ? edges[n / 7] : random.nextLong();
            long expected = 0;
            for (int i = 0; i < 64; i++) {
                if ((y >>> i & 1) != 0) {
                    expected ^= x << i;
                }
            }
            assertEquals(expected, Polyval.clmulLow(x, y), () -> Long.toHexString(x) + " * " + Long.toHexString(y));
        }
    }

    @Test
    void bothMultiplicationsAgreeOnEveryEntryPoint() {
        Random random = new Random(1287);
        for (int n = 0; n < 300; n++) {
            byte[] h = new byte[16];
            random.nextBytes(h);
            if (n < 4) {
                java.util.Arrays.fill(h, (byte) (n == 0 ? 0 : n == 1 ? -1 : n == 2 ? 0x80 : 1));
            }
            byte[] data = new byte[random.nextInt(100)];
            random.nextBytes(data);
            byte[] aad = new byte[random.nextInt(40)];
            random.nextBytes(aad);
            Polyval ct = new Polyval(h, false);
            Polyval tables = new Polyval(h, true);
            boolean reversed = random.nextBoolean();
            for (Polyval p : new Polyval[] {ct, tables}) {
                p.startWithAssociatedData(aad, Math.min(aad.length, 5), java.util.Arrays.copyOfRange(aad, Math.min(aad.length, 5), aad.length), reversed);
                p.finish(data, 0, data.length, data.length * 8L, aad.length * 8L, reversed);
            }
            assertEquals(tables.low(), ct.low());
            assertEquals(tables.high(), ct.high());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesBitwiseDefinitionAndSplitsBlocksAcrossUpdates(boolean tables) {
        Random random = new Random(8452);
        for (int n = 0; n < 200; n++) {
            byte[] h = new byte[16];
            random.nextBytes(h);
            byte[] data = new byte[16 * (1 + random.nextInt(6))];
            random.nextBytes(data);
            byte[] expected = new byte[16];
            for (int off = 0; off < data.length; off += 16) {
                for (int i = 0; i < 16; i++) {
                    expected[i] ^= data[off + i];
                }
                expected = dot(expected, h);
            }
            assertArrayEquals(expected, hash(h, data, tables));
            Polyval split = new Polyval(h, tables);
            for (int off = 0; off < data.length; ) {
                int len = Math.min(data.length - off, random.nextInt(20));
                split.update(data, off, len);
                off += len;
            }
            assertArrayEquals(expected, digest(split));
        }
    }

    private static byte[] hash(byte[] h, byte[] data, boolean tables) {
        Polyval p = new Polyval(h, tables);
        p.update(data, 0, data.length);
        return digest(p);
    }

    private static byte[] digest(Polyval p) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (p.low() >>> (8 * i));
            out[8 + i] = (byte) (p.high() >>> (8 * i));
        }
        return out;
    }

    /** RFC 8452 dot(a, b) = a * b * x^-128 in GF(2)[x]/(x^128 + x^127 + x^126 + x^121 + 1), one bit at a time. */
    private static byte[] dot(byte[] a, byte[] b) {
        boolean[] product = new boolean[256];
        for (int i = 0; i < 128; i++) {
            for (int j = 0; j < 128; j++) {
                product[i + j] ^= bit(a, i) && bit(b, j);
            }
        }
        // multiply by x^-128: repeatedly add P where the lowest bit is set, then divide by x
        boolean[] p = new boolean[129];
        p[0] = p[121] = p[126] = p[127] = p[128] = true;
        for (int k = 0; k < 128; k++) {
            if (product[k]) {
                for (int i = 0; i <= 128; i++) {
                    product[k + i] ^= p[i];
                }
            }
        }
        // now divisible by x^128; what remains is below x^256 and must be reduced below x^128
        byte[] out = new byte[16];
        for (int i = 0; i < 128; i++) {
            if (product[128 + i]) {
                out[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        return out;
    }

    private static boolean bit(byte[] v, int i) {
        return (v[i / 8] >>> (i % 8) & 1) != 0;
    }
}
