package dev.veil.crypto;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.FixedKeys;
import org.junit.jupiter.api.Test;

import static dev.veil.testkit.Hex.decode;
import static dev.veil.testkit.Hex.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins the persistent envelope format (README "Ciphertext format" documents this vector). If one
 * of these fails, stored data written by earlier versions would no longer decrypt: do not update
 * the expected values; add a new format version instead.
 */
class EnvelopeVectorTest {
    static final int KEY_ID = 0x01020304;
    static final FixedKeys KEYS = FixedKeys.sequential(KEY_ID, "default");

    static ColumnPolicy column(String spec) throws Exception {
        return PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\ntables:\n  customers:\n    email: " + spec + "\n", "vector.yaml")
                .column(null, "customers", "email").orElseThrow();
    }

    @Test
    void deterministicEnvelopeIsPinned() throws Exception {
        ColumnCipher cipher = new ColumnCipher(column("{ mode: deterministic, storage: binary }"), KEYS);
        byte[] envelope = cipher.encryptToEnvelope("alice@example.com");
        assertEquals(DETERMINISTIC_VECTOR, encode(envelope));
        assertEquals("vl1:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(envelope),
                new ColumnCipher(column("deterministic"), KEYS).encrypt("alice@example.com"));
    }

    @Test
    void randomizedEnvelopeIsPinned() throws Exception {
        ColumnCipher cipher = new ColumnCipher(column("{ mode: randomized, storage: binary }"), KEYS);
        assertEquals("alice@example.com", cipher.decrypt(decode(RANDOMIZED_VECTOR)));
    }

    /** Data key bytes 00..1f, key id 0x01020304, column customers.email (string). */
    static final String DETERMINISTIC_VECTOR = "f712010203046b0f207358f7fea2cd1b024c369be8872fc15f5c84bd66dcc5579af862b327e95d";
    static final String RANDOMIZED_VECTOR = "f71101020304131f225dab13a2e5a08f3951e42c8cc1dd960b7da37b952e4cd3f09c20b388b952c0c843652e2cfb7ea45a7e95";

    /** 1234.50 as written to a decimal column (binary storage) before randomized columns kept the written scale. */
    static final String RANDOMIZED_DECIMAL_VECTOR = "f711010203045e1ae49a7bf5f81e982ce18906ebed176658be95eadcb9dc326d98a4e1ce3d3e0a99";
    static final String DETERMINISTIC_DECIMAL_VECTOR = "f7120102030422f6b1add7f38fd80db38aafad49129b4d4aefb43f4b";

    @Test
    void decimalEnvelopesArePinnedAndReadWithTheDeclaredScale() throws Exception {
        ColumnCipher randomized = new ColumnCipher(column("{ mode: randomized, type: decimal, storage: binary }"), KEYS);
        assertEquals("1234.5", ((java.math.BigDecimal) randomized.decrypt(decode(RANDOMIZED_DECIMAL_VECTOR))).toPlainString());
        ColumnCipher randomizedScaled = new ColumnCipher(column("{ mode: randomized, type: decimal, storage: binary, scale: 2 }"), KEYS);
        assertEquals("1234.50", ((java.math.BigDecimal) randomizedScaled.decrypt(decode(RANDOMIZED_DECIMAL_VECTOR))).toPlainString());

        // the canonical (deterministic) encoding is unchanged: equality lookups find values written before
        ColumnCipher deterministic = new ColumnCipher(column("{ mode: deterministic, type: decimal, storage: binary, scale: 2 }"), KEYS);
        assertEquals(DETERMINISTIC_DECIMAL_VECTOR, encode(deterministic.encryptToEnvelope(new java.math.BigDecimal("1234.50"))));
        assertEquals(DETERMINISTIC_DECIMAL_VECTOR, encode(deterministic.encryptToEnvelope(new java.math.BigDecimal("1234.5"))));
        assertEquals("1234.50", ((java.math.BigDecimal) deterministic.decrypt(decode(DETERMINISTIC_DECIMAL_VECTOR))).toPlainString());
    }

    @Test
    void textFormIsPinned() throws Exception {
        assertEquals("vl1:9xIBAgMEaw8gc1j3_qLNGwJMNpvohy_BX1yEvWbcxVea-GKzJ-ld",
                new ColumnCipher(column("deterministic"), KEYS).encrypt("alice@example.com"));
    }
}
