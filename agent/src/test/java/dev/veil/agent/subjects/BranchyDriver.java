package dev.veil.agent.subjects;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/** Shapes the rewriter must keep verifiable: several returns, a loop, a try/catch/finally, a throw, a long local. */
public class BranchyDriver {
    public static final Connection NULL_URL_CONNECTION = connection("none");

    public static Connection connection(String name) {
        return (Connection) Proxy.newProxyInstance(BranchyDriver.class.getClassLoader(), new Class<?>[] {Connection.class},
                (p, m, a) -> m.getName().equals("toString") ? name : null);
    }

    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null) {
            return NULL_URL_CONNECTION;
        }
        long tries = 0;
        for (int i = 0; i < url.length(); i++) {
            tries += url.charAt(i);
        }
        try {
            if (url.startsWith("fail")) {
                throw new SQLException("refused " + tries);
            }
            if (url.startsWith("caught")) {
                try {
                    throw new IllegalStateException("inner");
                } catch (IllegalStateException e) {
                    return connection("caught:" + e.getMessage());
                }
            }
        } finally {
            tries = -1;
        }
        return url.startsWith("none") ? null : connection(url);
    }

    public Connection getConnection() {
        return connection("no-args");
    }

    public Connection getConnection(String user, String password) {
        return connection(user);
    }

    /** Not instrumented: static, and another descriptor. */
    public static Connection getConnection(String user) {
        return connection(user);
    }
}
