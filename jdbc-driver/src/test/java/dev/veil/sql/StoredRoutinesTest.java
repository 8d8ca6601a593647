package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoredRoutinesTest {
    private static StoredRoutines.Routine r(String name, String body) {
        return new StoredRoutines.Routine("shop", name, body);
    }

    @Test
    void findsRoutinesThatReachAProtectedTableDirectlyThroughOthersOrByDynamicSql() {
        Map<String, StoredRoutines.Reach> reach = StoredRoutines.reaching(Set.of("customers"), List.of(
                r("Add_Customer", "INSERT INTO `customers` (email) VALUES (e)"),
                r("outer1", "CALL add_customer(x, y)"),
                r("outer2", "BEGIN CALL outer1(x, y); END"),
                r("dyn", "BEGIN PREPARE s FROM @q; EXECUTE s; END"),
                r("hidden", null),
                r("harmless", "INSERT INTO audit_log VALUES (m)"),
                r("customers_x", "SELECT 1")));
        assertEquals(Set.of("add_customer", "outer1", "outer2", "dyn", "hidden"), reach.keySet());
        assertTrue(reach.get("outer2").text().contains("`customers`"), "the callee's body comes along");
        assertFalse(reach.get("outer2").anyTable());
        assertTrue(reach.get("dyn").anyTable());
        assertTrue(reach.get("hidden").anyTable());
    }

    @Test
    void mutualRecursionEnds() {
        Map<String, StoredRoutines.Reach> reach = StoredRoutines.reaching(Set.of("customers", "orders"), List.of(
                r("a", "CALL b(); SELECT * FROM customers"), r("b", "CALL a(); SELECT * FROM orders")));
        assertTrue(reach.get("a").text().contains("orders") && reach.get("b").text().contains("customers"));
    }

    @Test
    void routineBodiesNeverPrint() {
        assertFalse(r("p", "INSERT INTO customers VALUES ('secret')").toString().contains("secret"));
        assertFalse(new StoredRoutines.Reach("secret", false).toString().contains("secret"));
    }
}
