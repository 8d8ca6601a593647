package dev.veil.jobs;

import org.junit.jupiter.api.Test;

import java.sql.Types;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TableShapeTest {
    static TableShape shape(boolean postgres, String... keys) {
        List<Integer> types = java.util.Arrays.stream(keys).map(k -> Types.INTEGER).toList();
        return new TableShape("t", null, List.of(keys), types, List.of("secret"), List.of(), postgres ? "\"" : "`",
                java.util.Arrays.stream(keys).map(k -> "integer").toList(), postgres);
    }

    @Test
    void compositeKeyIsARowValueComparisonOnPostgres() {
        assertEquals("(\"a\", \"b\") > (?, ?)", shape(true, "a", "b").keyCompare(">"));
    }

    @Test
    void compositeKeyIsSpelledOutWithALeadingRangeOnMariaDb() {
        // MariaDB scans the whole index for a row-value comparison; a bound on the first column makes it a range scan
        assertEquals("(`a` >= ? AND ((`a` > ?) OR (`a` = ? AND `b` > ?)))", shape(false, "a", "b").keyCompare(">"));
        assertEquals("(t.`a` <= ? AND ((t.`a` < ?) OR (t.`a` = ? AND t.`b` < ?) OR (t.`a` = ? AND t.`b` = ? AND t.`c` <= ?)))",
                shape(false, "a", "b", "c").keyCompare("<=", "t."));
    }

    @Test
    void oneColumnKeyIsAPlainComparison() {
        assertEquals("`id` > ?", shape(false, "id").keyCompare(">"));
    }
}
