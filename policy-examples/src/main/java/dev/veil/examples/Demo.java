package dev.veil.examples;

import dev.veil.VeilException;
import dev.veil.keys.Pkcs12MasterKeyProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The quick-start demo: provisions a master key and a policy, runs the unmodified {@link SampleApp}
 * through {@code jdbc:veil:}, then shows what the table really holds. Uses the local PostgreSQL
 * when one answers (database {@code veil_demo}, recreated each run), an embedded H2 otherwise.
 *
 * <p>Arguments: an optional admin JDBC URL of a PostgreSQL server (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}); {@code --h2} forces H2.
 * The keystore password comes from {@code VEIL_DEMO_MASTER_PASSWORD} ({@code ./demo.sh} sets it).
 */
public final class Demo {
    private static final String PASSWORD_ENV = "VEIL_DEMO_MASTER_PASSWORD";
    private static final PrintStream OUT = System.out;

    public static void main(String[] args) throws Exception {
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isBlank()) {
            System.err.println("Set " + PASSWORD_ENV + " (the demo keystore's password), or run ./demo.sh which sets a demo value.");
            System.exit(2);
        }
        Path work = Path.of("target", "veil-demo").toAbsolutePath();
        Files.createDirectories(work);
        Path keystore = work.resolve("master.p12");
        if (!Files.exists(keystore)) {
            Pkcs12MasterKeyProvider.createKeystore(keystore, password.toCharArray(), "veil-master");
        }
        Path policy = work.resolve("policy.yaml");
        Files.writeString(policy, template().replace("${KEYSTORE}", keystore.toString().replace("'", "''")));

        boolean forceH2 = args.length > 0 && args[0].equals("--h2");
        String admin = !forceH2 && args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        String rawUrl = forceH2 ? null : postgres(admin);
        if (rawUrl == null) {
            rawUrl = "jdbc:h2:mem:veil_demo;DB_CLOSE_DELAY=-1";
            OUT.println("Database: embedded H2 (no PostgreSQL answered at " + (forceH2 ? "-" : redact(admin)) + ")");
        } else {
            OUT.println("Database: PostgreSQL, database veil_demo");
        }
        String veilUrl = "jdbc:veil:" + rawUrl.substring("jdbc:".length());
        Properties props = new Properties();
        props.setProperty("veil.policy", policy.toString());
        OUT.println("Policy:   " + policy);
        OUT.println("App URL:  " + redact(veilUrl) + "   <- the only change: jdbc: became jdbc:veil:");
        OUT.println();

        try (Connection app = DriverManager.getConnection(veilUrl, props)) {
            new SampleApp(OUT).run(app);
        } catch (VeilException e) {
            System.err.println("Veil refused: " + e.getMessage() + " (" + e.getSQLState() + ")");
            System.exit(1);
        }

        OUT.println();
        OUT.println("What the table holds (read through the plain driver, as a DBA or a stolen backup sees it):");
        try (Connection raw = DriverManager.getConnection(rawUrl); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, email, national_id, diagnosis, birth_date FROM patients ORDER BY id")) {
            while (rs.next()) {
                OUT.printf("  %d | %-13s | email=%s%n", rs.getInt(1), rs.getString(2), shorten(rs.getString(3)));
                OUT.printf("    %-15s | national_id=%s%n", "", shorten(rs.getString(4)));
                OUT.printf("    %-15s | diagnosis=%s%n", "", shorten(rs.getString(5)));
                OUT.printf("    %-15s | birth_date=%s%n", "", shorten(rs.getString(6)));
            }
        }
        try (Connection raw = DriverManager.getConnection(rawUrl); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT ring, version, state, kek_id FROM veil_keys ORDER BY ring, version")) {
            OUT.println();
            OUT.println("Data keys (wrapped by the master key in " + keystore.getFileName() + "):");
            while (rs.next()) {
                OUT.printf("  ring %-12s version %d  %-7s wrapped by %s%n", rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4));
            }
        }
        OUT.println();
        OUT.println("Same app, same SQL: plaintext to the app, ciphertext at rest. Equal e-mails encrypt equally");
        OUT.println("(deterministic), so WHERE email = ? still works; national_id and diagnosis are randomized.");
    }

    private static String template() throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream("/demo-policy.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Creates (or recreates) database veil_demo on the server; null when PostgreSQL does not answer. */
    private static String postgres(String admin) {
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS veil_demo WITH (FORCE)");
            s.execute("CREATE DATABASE veil_demo");
        } catch (SQLException e) {
            return null;
        }
        int q = admin.indexOf('?');
        String base = q < 0 ? admin : admin.substring(0, q);
        return base.substring(0, base.lastIndexOf('/')) + "/veil_demo" + (q < 0 ? "" : admin.substring(q));
    }

    private static String shorten(String s) {
        return s == null ? "NULL" : s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
