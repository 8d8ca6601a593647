package dev.veil.jdbc;

import dev.veil.sql.SortKey;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowOrderTest {
    private static final dev.veil.policy.ColumnPolicy ENCRYPTED = null;

    @Test
    void comparesStringsByCodePointNotUtf16Unit() {
        // U+1F600 is above U+FF5E by code point, below it by UTF-16 unit (a surrogate, 0xD83D)
        assertTrue("\uFF5E".compareTo("\uD83D\uDE00") > 0);
        assertTrue(RowOrder.codePoints("\uFF5E", "\uD83D\uDE00") < 0);
        assertTrue(RowOrder.codePoints("Da", "Dav") < 0);
        assertTrue(RowOrder.codePoints("Z", "a") < 0);
        assertEquals(0, RowOrder.codePoints("é", "é"));
    }

    @Test
    void sortsByKeysInTurnWithNullsWhereAskedAndTiesInDatabaseOrder() {
        List<SortKey> keys = List.of(new SortKey(1, null, true, true), new SortKey(2, null, false, false));
        RowOrder order = new RowOrder(keys);
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {1, LocalDate.of(2000, 1, 1)});
        rows.add(new Object[] {null, LocalDate.of(2000, 1, 2)});
        rows.add(new Object[] {2, null});
        rows.add(new Object[] {2, LocalDate.of(1999, 1, 1)});
        rows.add(new Object[] {1, LocalDate.of(2000, 1, 1)});
        int[] positions = {10, 20, 30, 40, 50};
        // DESC NULLS FIRST on the first key, then ASC NULLS LAST; equal rows keep 10 before 50
        assertArrayEquals(new int[] {20, 40, 30, 10, 50}, order.order(rows, positions));
    }

    @Test
    void comparesDecimalsByValue() {
        assertEquals(0, RowOrder.compareValues(new BigDecimal("1.0"), new BigDecimal("1.00")));
        assertTrue(RowOrder.compareValues(2L, 10L) < 0);
    }

    @Test
    void refusesAPlaintextTextKeyWhoseOrderIsTheDatabaseCollation() {
        RowOrder order = new RowOrder(List.of(new SortKey(1, ENCRYPTED, false, false)));
        SQLException e = assertThrows(SQLException.class, () -> order.row(k -> "text"));
        assertEquals("VE006", e.getSQLState());
        assertTrue(e.getMessage().contains("collation"), e.getMessage());
    }
}
