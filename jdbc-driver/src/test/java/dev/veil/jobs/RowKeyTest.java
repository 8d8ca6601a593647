package dev.veil.jobs;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RowKeyTest {
    private static final List<RowKey.Kind> MIXED = List.of(RowKey.Kind.INTEGRAL, RowKey.Kind.TEXT, RowKey.Kind.DECIMAL,
            RowKey.Kind.BYTES, RowKey.Kind.INTEGRAL);

    @Test
    void compositeKeyOfMixedKindsRoundTripsThroughItsCheckpointText() {
        RowKey key = new RowKey(Arrays.asList(42L, "a\u001fb%1F%25c, 'é'", new BigDecimal("1234.50"), new byte[] {0, (byte) 0xff, 0x1f},
                new BigInteger("18446744073709551615")));
        RowKey back = RowKey.decode(key.encode(), MIXED);
        assertEquals(42L, back.values().get(0));
        assertEquals("a\u001fb%1F%25c, 'é'", back.values().get(1));
        assertEquals(new BigDecimal("1234.50"), back.values().get(2));
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x1f}, (byte[]) back.values().get(3));
        assertEquals(new BigInteger("18446744073709551615"), back.values().get(4));
        assertEquals(key.encode(), back.encode());
        assertEquals(key, back);
    }

    @Test
    void emptyTextAndOneColumnKeysRoundTrip() {
        assertEquals(List.of(""), RowKey.decode(new RowKey(List.of("")).encode(), List.of(RowKey.Kind.TEXT)).values());
        assertEquals(List.of("", ""), RowKey.decode(new RowKey(List.of("", "")).encode(), List.of(RowKey.Kind.TEXT, RowKey.Kind.TEXT)).values());
        assertEquals(List.of(7L), RowKey.decode("7", List.of(RowKey.Kind.INTEGRAL)).values());
    }

    @Test
    void checkpointOfAnotherKeyShapeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RowKey.decode("1\u001f2", List.of(RowKey.Kind.INTEGRAL)));
    }
}
