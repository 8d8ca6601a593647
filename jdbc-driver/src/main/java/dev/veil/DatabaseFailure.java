package dev.veil;

import java.sql.SQLException;

/**
 * What to tell an operator about a database error Veil met in its own statements (key table,
 * bulk jobs, catalog reads): the SQLState and what to check, by the SQLState's class. The
 * driver's message stays in the exception's cause, never in Veil's own message.
 */
public final class DatabaseFailure {
    private DatabaseFailure() {
    }

    /** {@code SQLState 08001; check …}: the state and the first thing to check. */
    public static String describe(SQLException e) {
        String state = e.getSQLState();
        return "SQLState " + (state == null ? "unknown" : state) + "; " + hint(state);
    }

    static String hint(String state) {
        if (state == null || state.length() < 2) {
            return "see the database's message below";
        }
        return switch (state.substring(0, 2)) {
            case "08" -> "check the JDBC URL (--url or VEIL_URL) and that the database server is up and reachable";
            case "28" -> "check the database user and password (--user, --password-env)";
            case "3D" -> "check the database name in the JDBC URL";
            case "40" -> "the database aborted the transaction (deadlock or serialization failure): run the same command again";
            case "53" -> "the database is out of resources (disk, memory, connections): free them and run the same command again";
            case "57" -> "the database server is shutting down or cancelled the statement: run the same command again when it is up";
            case "42" -> "42501".equals(state) ? "grant the database user the privileges it needs on that table"
                    : "a table or column is missing or not what Veil expects: check the schema against the policy";
            case "23" -> "a constraint refused the change: see the database's message below";
            case "22" -> "a value does not fit its column (too long, or of another type): widen the column as veil policy check advises";
            default -> "see the database's message below";
        };
    }
}
