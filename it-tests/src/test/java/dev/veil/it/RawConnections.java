package dev.veil.it;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Connections beneath Veil, for reading what a table really holds. Veil hands out no path to the
 * real driver, so tests open their own. Without the agent a plain URL gives a plain connection; with
 * the agent attached, this helper opens one with wrapping suppressed, as the agent opens its own
 * key-table connections (through the agent's bootstrap bridge, by reflection: it is on the class
 * path only when the agent is attached).
 */
public final class RawConnections {
    private RawConnections() {
    }

    /** A plain driver connection to {@code url} (a {@code jdbc:postgresql:} or {@code jdbc:mariadb:} URL). */
    public static Connection open(String url) throws SQLException {
        Class<?> bridge;
        try {
            bridge = Class.forName("dev.veil.agent.bootstrap.VeilBridge", true, null);
        } catch (ClassNotFoundException e) {
            return DriverManager.getConnection(url);
        }
        try {
            Method suppress = bridge.getMethod("suppress");
            Method resume = bridge.getMethod("resume");
            suppress.invoke(null);
            try {
                return DriverManager.getConnection(url);
            } finally {
                resume.invoke(null);
            }
        } catch (ReflectiveOperationException e) {
            throw new SQLException("cannot open a connection beneath the agent", e);
        }
    }
}
