package dev.veil.it.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * A running application the agent is attached to later: it loads and uses the driver first,
 * then, after a line on standard input, writes a row through a new connection.
 */
public final class AttachTarget {
    private AttachTarget() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection before = DriverManager.getConnection(args[0])) {
            before.createStatement().execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, name TEXT, email TEXT, note TEXT)");
        }
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        try (Connection c = DriverManager.getConnection(args[0]);
             PreparedStatement ps = c.prepareStatement("INSERT INTO visits (id, name, email, note) VALUES (1, 'Ada', ?, ?)")) {
            ps.setString(1, "ada@example.org");
            ps.setString(2, "attached");
            ps.executeUpdate();
            System.out.println("DONE " + c.getClass().getName());
        }
    }
}
