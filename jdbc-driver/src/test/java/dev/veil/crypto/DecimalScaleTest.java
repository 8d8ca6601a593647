package dev.veil.crypto;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decimal columns return the scale a value was written with (randomized) or the scale the policy declares. */
class DecimalScaleTest {
    static ColumnCipher cipher(String spec) throws Exception {
        return new ColumnCipher(EnvelopeVectorTest.column(spec), EnvelopeVectorTest.KEYS);
    }

    static String roundTrip(ColumnCipher c, String value) throws Exception {
        return ((BigDecimal) c.decrypt(c.encrypt(new BigDecimal(value)))).toPlainString();
    }

    @Test
    void randomizedDecimalKeepsTheScaleItWasWrittenWith() throws Exception {
        ColumnCipher c = cipher("{ mode: randomized, type: decimal }");
        assertEquals("1234.50", roundTrip(c, "1234.50"));
        assertEquals("1234.5", roundTrip(c, "1234.5"));
        assertEquals("0.000", roundTrip(c, "0.000"));
        assertEquals("1000", roundTrip(c, "1E+3"));
        assertEquals("-12345678901234567890.1234567890", roundTrip(c, "-12345678901234567890.1234567890"));
        assertEquals("12.5", ((BigDecimal) c.decrypt(c.encrypt(12.5d))).toPlainString());
    }

    @Test
    void deterministicDecimalStaysCanonicalAndReadsBackWithTheDeclaredScale() throws Exception {
        ColumnCipher c = cipher("{ mode: deterministic, type: decimal, scale: 2 }");
        assertEquals(c.encrypt(new BigDecimal("1234.5")), c.encrypt(new BigDecimal("1234.50")));
        assertEquals("1234.50", roundTrip(c, "1234.5"));
        assertEquals("7.00", roundTrip(c, "7"));
        assertEquals("0.00", roundTrip(c, "0"));
        // with no declared scale the canonical form is what comes back
        assertEquals("1234.5", roundTrip(cipher("{ mode: deterministic, type: decimal }"), "1234.50"));
    }

    @Test
    void randomizedDecimalWithADeclaredScaleReadsBackWithIt() throws Exception {
        assertEquals("1234.50", roundTrip(cipher("{ mode: randomized, type: decimal, scale: 2 }"), "1234.5"));
    }

    @Test
    void valueWithMorePlacesThanTheDeclaredScaleIsRefused() throws Exception {
        for (String mode : new String[] {"deterministic", "randomized"}) {
            ColumnCipher c = cipher("{ mode: " + mode + ", type: decimal, scale: 2 }");
            VeilException e = assertThrows(VeilException.class, () -> c.encrypt(new BigDecimal("1.234")));
            assertEquals(VeilState.VALUE_CONVERSION, e.state());
            assertTrue(e.getMessage().contains("customers.email") && e.getMessage().contains("2 decimal place"), e.getMessage());
            assertTrue(!e.getMessage().contains("1.234"), "no value in messages: " + e.getMessage());
            assertEquals("1.20", roundTrip(c, "1.200"));
        }
    }

    @Test
    void scaleIsValidatedWhereThePolicyDeclaresIt() {
        for (String spec : new String[] {"{ mode: deterministic, scale: 2 }", "{ mode: deterministic, type: decimal, scale: -1 }",
                "{ mode: deterministic, type: decimal, scale: two }"}) {
            VeilException e = assertThrows(VeilException.class, () -> PolicyLoader.parse(
                    "version: 1\nkeys:\n  master: { provider: env }\ntables:\n  customers:\n    email: " + spec + "\n", "scale.yaml"));
            assertEquals(VeilState.POLICY_INVALID, e.state(), spec);
            assertTrue(e.getMessage().startsWith("scale.yaml:6:") && e.getMessage().contains("scale of customers.email"), e.getMessage());
        }
    }
}
