package dev.veil.examples;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;

/**
 * A small clinic application written against plain JDBC. It knows nothing about Veil: it takes a
 * JDBC URL and runs ordinary SQL. Pointed at a {@code jdbc:veil:} URL, its sensitive columns are
 * encrypted at rest without a line of it changing.
 */
public final class SampleApp {
    /** The app's table. The columns Veil encrypts are BYTEA: they hold binary envelopes (storage: binary). */
    static final String CREATE_TABLE = "CREATE TABLE patients (id INTEGER PRIMARY KEY, name VARCHAR(100), email BYTEA, "
            + "national_id BYTEA, diagnosis BYTEA, birth_date BYTEA)";

    private final PrintStream out;

    public SampleApp(PrintStream out) {
        this.out = out;
    }

    /** Usage: {@code SampleApp <jdbc-url>} or the environment variable APP_JDBC_URL. */
    public static void main(String[] args) throws SQLException {
        String url = args.length > 0 ? args[0] : System.getenv("APP_JDBC_URL");
        if (url == null) {
            System.err.println("usage: SampleApp <jdbc-url>   (or set APP_JDBC_URL)");
            System.exit(2);
        }
        try (Connection c = DriverManager.getConnection(url)) {
            new SampleApp(System.out).run(c);
        }
    }

    public void run(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS patients");
            s.execute(CREATE_TABLE);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO patients (id, name, email, national_id, diagnosis, birth_date) VALUES (?, ?, ?, ?, ?, ?)")) {
            add(ps, 1, "Ada Lovelace", "ada@example.org", "AB 12 34 56 C", "seasonal allergy", LocalDate.of(1815, 12, 10));
            add(ps, 2, "Alan Turing", "alan@example.org", "CD 78 90 12 E", "sprained ankle", LocalDate.of(1912, 6, 23));
            add(ps, 3, "Grace Hopper", "grace@example.org", "EF 34 56 78 G", "routine check-up", LocalDate.of(1906, 12, 9));
            ps.executeBatch();
        }
        out.println("The app inserted 3 patients. It now looks one up by e-mail and lists them all:");
        try (PreparedStatement ps = c.prepareStatement("SELECT name, national_id FROM patients WHERE email = ?")) {
            ps.setString(1, "alan@example.org");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.printf("  found by e-mail: %s, national id %s%n", rs.getString("name"), rs.getString("national_id"));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE patients SET diagnosis = ? WHERE id = ?")) {
            ps.setString(1, "recovered");
            ps.setInt(2, 2);
            ps.executeUpdate();
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, name, email, national_id, diagnosis, birth_date FROM patients ORDER BY id")) {
            while (rs.next()) {
                out.printf("  %d | %-13s | %-18s | %-13s | %-16s | %s%n", rs.getInt("id"), rs.getString("name"), rs.getString("email"),
                        rs.getString("national_id"), rs.getString("diagnosis"), rs.getObject("birth_date", LocalDate.class));
            }
        }
    }

    private static void add(PreparedStatement ps, int id, String name, String email, String nationalId, String diagnosis,
                            LocalDate born) throws SQLException {
        ps.setInt(1, id);
        ps.setString(2, name);
        ps.setString(3, email);
        ps.setString(4, nationalId);
        ps.setString(5, diagnosis);
        ps.setObject(6, born);
        ps.addBatch();
    }
}
