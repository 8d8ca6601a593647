package dev.veil.crypto;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.FixedKeys;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ColumnCipherTest {
    static final Policy POLICY = policy();
    static final FixedKeys KEYS = FixedKeys.sequential(77, "default", "national-id");

    static Policy policy() {
        try {
            return PolicyLoader.parse("""
                    version: 1
                    keys:
                      master: { provider: env }
                    tables:
                      customers:
                        email: deterministic
                        nickname: deterministic
                        ssn: { mode: randomized, key: national-id }
                        phone: { mode: deterministic, domain: phone }
                        age: { mode: deterministic, type: integer }
                        salary: { mode: randomized, type: decimal, storage: binary }
                        legacy: { mode: randomized, migrating: true }
                      payments:
                        contact_phone: { mode: deterministic, domain: phone }
                      everything:
                        s: { mode: deterministic, type: string }
                        b: { mode: deterministic, type: bytes, storage: binary }
                        i: { mode: deterministic, type: integer }
                        d: { mode: deterministic, type: decimal }
                        f: { mode: deterministic, type: boolean }
                        dt: { mode: deterministic, type: date }
                        tm: { mode: deterministic, type: time }
                        ts: { mode: deterministic, type: timestamp }
                        tz: { mode: deterministic, type: timestamptz }
                        u: { mode: deterministic, type: uuid }
                    """, "test.yaml");
        } catch (VeilException e) {
            throw new AssertionError(e);
        }
    }

    static ColumnCipher cipher(String table, String column) {
        ColumnPolicy c = POLICY.column(null, table, column).orElseThrow();
        return new ColumnCipher(c, KEYS);
    }

    @Test
    void warmUpRunsEveryKindOfColumnWithoutAKeyOfThePolicyAndNeverFails() throws Exception {
        ColumnCipher.warmUp(POLICY.columns()); // integer, decimal, date, ... columns take no text: skipped, no exception
        ColumnCipher.warmUp(java.util.List.of());
        ColumnCipher c = cipher("customers", "email");
        assertEquals("ada@example.org", c.decrypt(c.encrypt("ada@example.org")));
    }

    @Test
    void reencryptMovesValuesToTheActiveKeyAndLeavesTheRestAlone() throws Exception {
        FixedKeys keys = FixedKeys.sequential(1, "default", "national-id");
        ColumnPolicy ssnPolicy = POLICY.column(null, "customers", "ssn").orElseThrow();
        ColumnPolicy salaryPolicy = POLICY.column(null, "customers", "salary").orElseThrow();
        Object oldSsn = new ColumnCipher(ssnPolicy, keys).encrypt("123-45-6789");
        Object oldSalary = new ColumnCipher(salaryPolicy, keys).encrypt(new BigDecimal("12.50"));
        byte[] next = new byte[32];
        Arrays.fill(next, (byte) 9);
        keys.active("national-id", 2, next).active("default", 2, next);
        ColumnCipher ssn = new ColumnCipher(ssnPolicy, keys);
        ColumnCipher salary = new ColumnCipher(salaryPolicy, keys);

        Object movedSsn = ssn.reencrypt(oldSsn, 2);
        assertEquals(2, ColumnCipher.keyIdOf(movedSsn));
        assertEquals("123-45-6789", ssn.decrypt(movedSsn));
        Object movedSalary = salary.reencrypt(oldSalary, 2);
        assertTrue(movedSalary instanceof byte[]);
        assertEquals(2, ColumnCipher.keyIdOf(movedSalary));
        assertEquals(0, new BigDecimal("12.50").compareTo((BigDecimal) salary.decrypt(movedSalary)));

        assertNull(ssn.reencrypt(movedSsn, 2), "already under the active key");
        assertNull(ssn.reencrypt(null, 2));
        assertNull(ssn.reencrypt("plain legacy text", 2));
        String tampered = ((String) oldSsn).substring(0, 30) + (((String) oldSsn).charAt(30) == 'A' ? 'B' : 'A') + ((String) oldSsn).substring(31);
        assertEquals(VeilState.DECRYPTION_FAILED, assertThrows(VeilException.class, () -> ssn.reencrypt(tampered, 2)).state());
    }

    @Test
    void randomizedGivesDifferentCiphertextsThatDecryptToTheValue() throws Exception {
        ColumnCipher ssn = cipher("customers", "ssn");
        Object a = ssn.encrypt("123-45-6789");
        Object b = ssn.encrypt("123-45-6789");
        assertNotEquals(a, b);
        assertEquals("123-45-6789", ssn.decrypt(a));
        assertEquals("123-45-6789", ssn.decrypt(b));
        assertFalse(((String) a).contains("123"));
    }

    @Test
    void deterministicIsCanonicalAcrossSetterTypes() throws Exception {
        ColumnCipher age = cipher("customers", "age");
        Object fromInt = age.encrypt(5);
        assertEquals(fromInt, age.encrypt(5L));
        assertEquals(fromInt, age.encrypt((short) 5));
        assertEquals(fromInt, age.encrypt("5"));
        assertEquals(fromInt, age.encrypt(new BigDecimal("5.00")));
        assertEquals(5L, age.decrypt(fromInt));
        ColumnCipher d = cipher("everything", "d");
        assertEquals(d.encrypt(new BigDecimal("1.0")), d.encrypt(new BigDecimal("1.00")));
        assertEquals(d.encrypt(BigDecimal.ZERO), d.encrypt(new BigDecimal("0.000")));
    }

    @Test
    void everyLogicalTypeRoundTrips() throws Exception {
        UUID u = UUID.randomUUID();
        Object[][] cases = {
                {"s", "héllo wörld"},
                {"i", Long.MIN_VALUE},
                {"d", new BigDecimal("-12345678901234567890.123456789")},
                {"f", true},
                {"dt", LocalDate.of(1969, 7, 20)},
                {"tm", LocalTime.of(23, 59, 58, 999_999_000)},
                {"ts", LocalDateTime.of(2026, 11, 22, 4, 42, 0, 123_456_000)},
                {"tz", OffsetDateTime.of(2026, 11, 22, 4, 42, 0, 0, ZoneOffset.UTC)},
                {"u", u},
        };
        for (Object[] c : cases) {
            ColumnCipher cipher = cipher("everything", (String) c[0]);
            assertEquals(c[1], cipher.decrypt(cipher.encrypt(c[1])), (String) c[0]);
        }
        ColumnCipher b = cipher("everything", "b");
        assertArrayEquals(new byte[] {0, 1, (byte) 0xFF}, (byte[]) b.decrypt(b.encrypt(new byte[] {0, 1, (byte) 0xFF})));
        ColumnCipher tz = cipher("everything", "tz");
        Instant now = Instant.parse("2026-11-22T04:42:00Z");
        assertEquals(tz.encrypt(now), tz.encrypt(now.atOffset(ZoneOffset.ofHours(5))), "an instant is one value whatever its offset");
    }

    @Test
    void nullStaysNull() throws Exception {
        assertNull(cipher("customers", "ssn").encrypt(null));
        assertNull(cipher("customers", "ssn").decrypt(null));
    }

    @Test
    void overheadIs34BytesRandomizedAnd22Deterministic() throws Exception {
        assertEquals(16 + 34, cipher("customers", "ssn").encryptToEnvelope("0123456789abcdef").length);
        assertEquals(16 + 22, cipher("customers", "email").encryptToEnvelope("0123456789abcdef").length);
    }

    @Test
    void everySingleFlippedBitIsAnError() throws Exception {
        for (String column : new String[] {"ssn", "email"}) {
            ColumnCipher cipher = cipher("customers", column);
            byte[] envelope = cipher.encryptToEnvelope("secret value");
            for (int bit = 0; bit < envelope.length * 8; bit++) {
                byte[] tampered = envelope.clone();
                tampered[bit / 8] ^= (byte) (1 << (bit % 8));
                String text = Envelope.toText(tampered);
                VeilException e = assertThrows(VeilException.class, () -> cipher.decrypt(text), column + " bit " + bit);
                assertTrue(e.state() == VeilState.DECRYPTION_FAILED || e.state() == VeilState.KEY_NOT_FOUND, e.getMessage());
                assertFalse(e.getMessage().contains("secret"), e.getMessage());
            }
        }
    }

    @Test
    void everyAlteredCharacterOfTheTextFormIsAnError() throws Exception {
        ColumnCipher cipher = cipher("customers", "email");
        String text = (String) cipher.encrypt("alice@example.com");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = "vl1:".length(); i < text.length(); i++) {
            for (char c : new char[] {alphabet.charAt((alphabet.indexOf(text.charAt(i)) + 1) % 64), '=', '+'}) {
                String altered = text.substring(0, i) + c + text.substring(i + 1);
                try {
                    Object v = cipher.decrypt(altered);
                    fail("altered character " + i + " decrypted to a value of type " + v.getClass());
                } catch (VeilException e) {
                    assertTrue(e.state() == VeilState.DECRYPTION_FAILED || e.state() == VeilState.KEY_NOT_FOUND);
                }
            }
        }
        assertThrows(VeilException.class, () -> cipher.decrypt(text.substring(0, text.length() - 1)));
        assertThrows(VeilException.class, () -> cipher.decrypt(text + "A"));
    }

    @Test
    void decryptingTheTextsBytesAnswersAsDecryptingTheText() throws Exception {
        assertNull(cipher("customers", "email").decryptText(null));
        for (String column : new String[] {"email", "ssn"}) {
            ColumnCipher cipher = cipher("customers", column);
            String text = (String) cipher.encrypt("caf\u00e9 \uD83D\uDE00 alice@example.com");
            assertEquals(cipher.decrypt(text), cipher.decryptText(text.getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i < text.length(); i++) {
                String altered = text.substring(0, i) + (text.charAt(i) == 'A' ? 'B' : 'A') + text.substring(i + 1);
                byte[] bytes = altered.getBytes(StandardCharsets.UTF_8);
                VeilException viaText = assertThrows(VeilException.class, () -> cipher.decrypt(altered), "char " + i);
                VeilException viaBytes = assertThrows(VeilException.class, () -> cipher.decryptText(bytes), "char " + i);
                assertEquals(viaText.getMessage(), viaBytes.getMessage());
            }
        }
        ColumnCipher age = cipher("customers", "age");
        assertEquals(42L, ((Number) age.decryptText(((String) age.encrypt(42)).getBytes(StandardCharsets.US_ASCII))).longValue());
        VeilException e = assertThrows(VeilException.class,
                () -> cipher("customers", "ssn").decryptText("123-45-6789".getBytes(StandardCharsets.UTF_8)));
        assertEquals(VeilState.DECRYPTION_FAILED, e.state());
        assertFalse(e.getMessage().contains("123"));
        assertEquals("old pl\u00e4intext", cipher("customers", "legacy").decryptText("old pl\u00e4intext".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void ciphertextCopiedToAnotherColumnDoesNotDecrypt() throws Exception {
        Object email = cipher("customers", "email").encrypt("alice@example.com");
        VeilException e = assertThrows(VeilException.class, () -> cipher("customers", "nickname").decrypt(email));
        assertEquals(VeilState.DECRYPTION_FAILED, e.state());
        assertTrue(e.getMessage().contains("customers.nickname"), e.getMessage());
        assertEquals("VE005", e.getSQLState());
    }

    @Test
    void domainColumnsShareCiphertexts() throws Exception {
        Object a = cipher("customers", "phone").encrypt("+44 20 7946 0000");
        assertEquals(a, cipher("payments", "contact_phone").encrypt("+44 20 7946 0000"));
        assertEquals("+44 20 7946 0000", cipher("payments", "contact_phone").decrypt(a));
    }

    @Test
    void randomizedCiphertextDoesNotDecryptAsDeterministic() throws Exception {
        Object fromRandomized = cipher("customers", "ssn").encrypt("x");
        assertEquals(VeilState.DECRYPTION_FAILED, assertThrows(VeilException.class, () -> cipher("customers", "email").decrypt(fromRandomized)).state());
    }

    @Test
    void unknownKeyIdIsKeyNotFound() throws Exception {
        byte[] envelope = cipher("customers", "salary").encryptToEnvelope(new BigDecimal("10"));
        envelope[5] ^= 1;
        VeilException e = assertThrows(VeilException.class, () -> cipher("customers", "salary").decrypt(envelope));
        assertEquals(VeilState.KEY_NOT_FOUND, e.state());
    }

    @Test
    void plaintextInAnEncryptedColumnIsRefusedUnlessMigrating() throws Exception {
        VeilException e = assertThrows(VeilException.class, () -> cipher("customers", "ssn").decrypt("123-45-6789"));
        assertEquals(VeilState.DECRYPTION_FAILED, e.state());
        assertFalse(e.getMessage().contains("123"));
        assertEquals("old plaintext", cipher("customers", "legacy").decrypt("old plaintext"));
        ColumnCipher legacy = cipher("customers", "legacy");
        assertEquals("new value", legacy.decrypt(legacy.encrypt("new value")));
    }

    @Test
    void valueOfTheWrongTypeIsAConversionErrorWithoutTheValue() {
        VeilException e = assertThrows(VeilException.class, () -> cipher("customers", "age").encrypt("forty-two"));
        assertEquals(VeilState.VALUE_CONVERSION, e.state());
        assertTrue(e.getMessage().contains("customers.age"));
        assertFalse(e.getMessage().contains("forty"));
        assertEquals(VeilState.VALUE_CONVERSION, assertThrows(VeilException.class, () -> cipher("everything", "u").encrypt(42)).state());
        assertEquals(VeilState.VALUE_CONVERSION, assertThrows(VeilException.class, () -> cipher("customers", "age").encrypt(1.5)).state());
    }

    @Test
    void changedLogicalTypeFailsInsteadOfReturningGarbage() throws Exception {
        Object asString = cipher("everything", "s").encrypt("x");
        byte[] envelope = Envelope.fromText((String) asString);
        // same key and column identity but a different declared type: the type is bound in the AAD
        assertThrows(VeilException.class, () -> cipher("everything", "i").decrypt(Envelope.toText(envelope)));
        assertTrue(Arrays.equals(envelope, Envelope.fromText((String) asString)));
    }
}
