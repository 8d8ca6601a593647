package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastPathFilterTest {
    private final FastPathFilter filter = new FastPathFilter(List.of("customers", "orders", "Line Items"));

    @Test
    void findsTableNamesAsWordsInAnyCase() {
        assertTrue(filter.mayMention("SELECT * FROM CUSTOMERS"));
        assertTrue(filter.mayMention("select * from public.customers c"));
        assertTrue(filter.mayMention("select * from \"Orders\""));
        assertTrue(filter.mayMention("update orders set x=1"));
        assertTrue(filter.mayMention("select 1 from \"Line Items\""));
        assertTrue(filter.mayMention("customers"));
    }

    @Test
    void ignoresNamesInsideLongerWords() {
        assertFalse(filter.mayMention("select * from customers_archive join my_orders on 1=1"));
        assertFalse(filter.mayMention("select * from orders2"));
        assertFalse(filter.mayMention("SELECT 1"));
        assertFalse(filter.mayMention(""));
    }

    @Test
    void errsOnTheSideOfParsing() {
        // a name inside a literal or comment still counts: a false "yes" only costs a parse
        assertTrue(filter.mayMention("select 'customers'"));
        assertTrue(filter.mayMention("select 1 -- orders"));
    }

    @Test
    void scansTheSameWayWithManyTableNames() {
        List<String> many = new java.util.ArrayList<>(List.of("customers", "orders"));
        for (int i = 0; i < 20; i++) {
            many.add("t" + i);
        }
        FastPathFilter big = new FastPathFilter(many);
        assertTrue(big.mayMention("SELECT * FROM Customers"));
        assertTrue(big.mayMention("select * from t7 where x = 1"));
        assertFalse(big.mayMention("select * from customers_archive join t77 on 1=1"));
    }

    @Test
    void listsTheMentionedTables() {
        assertEquals(Set.of("customers", "orders"), filter.mentioned("select * from orders o join customers c on 1=1"));
    }
}
