package dev.veil.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionEffectTest {
    @Test
    void commandsThatChangeTheSearchPathAreNames() {
        for (String sql : new String[] {"SET search_path TO aaa", "set local search_path = t1", "SET SCHEMA 'x'", "  /* c */ SET ROLE app",
                "RESET ALL", "DISCARD ALL", "USE shop", "SELECT set_config('search_path', 'x', false)", "SELECT 1; SELECT 2"}) {
            assertEquals(SessionEffect.NAMES, SessionEffect.of(sql), sql);
        }
    }

    @Test
    void transactionEndsAndDdlAreTold() {
        assertEquals(SessionEffect.TRANSACTION_END, SessionEffect.of("ROLLBACK TO SAVEPOINT a"));
        assertEquals(SessionEffect.TRANSACTION_END, SessionEffect.of("commit"));
        assertEquals(SessionEffect.TRANSACTION_END, SessionEffect.of("PREPARE TRANSACTION 'x'"));
        assertEquals(SessionEffect.DDL, SessionEffect.of("CREATE TABLE customers_2027 PARTITION OF customers FOR VALUES IN (2027)"));
    }

    @Test
    void everythingElseIsNone() {
        for (String sql : new String[] {"SELECT * FROM customers", "SET statement_timeout = 5", "INSERT INTO t VALUES ('a;b')",
                "SELECT 1;", "PREPARE s AS SELECT 1"}) {
            assertEquals(SessionEffect.NONE, SessionEffect.of(sql), sql);
        }
    }
}
