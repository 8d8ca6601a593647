package dev.veil.jdbc;

import java.sql.SQLException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The rows Veil drops from a query's result before the application sees them: those a search
 * index matched although their decrypted value does not satisfy the predicate. Immutable.
 */
final class RowFilter {
    /**
     * One test: the decrypted value of result column {@code column} (1-based) must pass {@code test}.
     */
    record Check(int column, Predicate<Object> test) {
    }

    private final List<Check> checks;

    RowFilter(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** Whether the current row of {@code rs} is kept. */
    boolean accepts(VeilResultSet rs) throws SQLException {
        for (Check c : checks) {
            if (!c.test().test(rs.plaintextAt(c.column()))) {
                return false;
            }
        }
        return true;
    }
}
