package dev.veil.it.agent;

import dev.veil.testkit.TestKeys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A plain-JDBC application that works with and without Veil (policy-examples' SampleApp needs
 * Veil to read dates from its text columns), for the start-up baseline and the non-matching
 * case. Run in forked JVMs from the test classes; it uses nothing but {@code java.sql}.
 */
public final class PlainJdbcApp {
    private PlainJdbcApp() {
    }

    /** {@code PlainJdbcApp <url> [n]}: the app's work on one connection, then {@code n} more connections opened and closed. */
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
                        System.out.println("APP found " + rs.getString(1) + ": " + rs.getString(2));
                    }
                }
            }
        }
        for (int i = args.length > 1 ? Integer.parseInt(args[1]) : 0; i > 0; i--) {
            DriverManager.getConnection(args[0]).close();
        }
    }

    /** The class path of a JVM that runs this app: the test classes and the PostgreSQL driver, nothing of Veil. */
    static String classPath() throws Exception {
        return ForkedJvm.classPath(Path.of(PlainJdbcApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                AgentProcessTest.postgresDriver());
    }

    /** A policy for this app's table, matching one database. */
    static Path writePolicy(Path dir, String database) throws Exception {
        Path keystore = TestKeys.keystore(dir);
        Path policy = dir.resolve("plain-app-policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(keystore) + """
                match: { databases: [%s] }
                tables:
                  visits:
                    email: deterministic
                    note: randomized
                """.formatted(database));
        return policy;
    }
}
