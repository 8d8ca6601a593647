package dev.veil.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The plain JDBC program {@link StartupBenchmark} starts in fresh JVMs: connect, create a table,
 * insert three rows in a batch, update one, read it back, exit. It uses nothing but
 * {@code java.sql}, so the same class runs on raw pgjdbc, on {@code jdbc:veil:} and under the agent.
 */
public final class StartupApp {
    private StartupApp() {
    }

    /** {@code StartupApp <jdbc-url>}; prints the row it read back. */
    public static void main(String[] args) throws SQLException {
        try (Connection c = DriverManager.getConnection(args[0])) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS visits");
                s.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, name TEXT, email TEXT, note TEXT)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO visits (id, name, email, note) VALUES (?, ?, ?, ?)")) {
                String[][] rows = {{"Ada Lovelace", "ada@example.org", "seasonal allergy"}, {"Alan Turing", "alan@example.org", "sprained ankle"},
                        {"Grace Hopper", "grace@example.org", "routine check-up"}};
                for (int i = 0; i < rows.length; i++) {
                    ps.setInt(1, i + 1);
                    ps.setString(2, rows[i][0]);
                    ps.setString(3, rows[i][1]);
                    ps.setString(4, rows[i][2]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE visits SET note = ? WHERE email = ?")) {
                ps.setString(1, "recovered");
                ps.setString(2, "ada@example.org");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, note FROM visits WHERE email = ?")) {
                ps.setString(1, "ada@example.org");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        System.out.println("APP " + rs.getString(1) + ": " + rs.getString(2));
                    }
                }
            }
        }
    }
}
