package dev.veil.sql;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarmlessPartitionTest {
    @Test
    void aNewPartitionCarriesNoValues() {
        assertTrue(HarmlessCommands.isHarmless("CREATE TABLE events_us PARTITION OF events FOR VALUES IN (?)"));
        assertTrue(HarmlessCommands.isHarmless("create unlogged table if not exists e2 partition of events default"));
    }

    @Test
    void otherCreateTablesAreNot() {
        assertFalse(HarmlessCommands.isHarmless("CREATE TABLE copy AS SELECT * FROM customers"));
        assertFalse(HarmlessCommands.isHarmless("CREATE TABLE p PARTITION OF events FOR VALUES IN (1); INSERT INTO customers VALUES (1)"));
    }
}
