package dev.veil.examples;

import dev.veil.VeilException;
import dev.veil.keys.Pkcs12MasterKeyProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The quick-start demo: provisions a master key and a policy, runs the unmodified {@link SampleApp}
 * through {@code jdbc:veil:}, then shows what the table really holds. Uses the local PostgreSQL
 * when a server listens there (database {@code veil_demo}, recreated each run), an embedded H2 when
 * none does; a server that refuses the login is an error with a hint, never a silent fallback.
 *
 * <p>Arguments: an optional admin JDBC URL of a PostgreSQL server (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}); {@code --h2} forces H2.
 * The keystore password comes from {@code VEIL_DEMO_MASTER_PASSWORD} ({@code ./demo.sh} sets it).
 */
public final class Demo {
    private static final String PASSWORD_ENV = "VEIL_DEMO_MASTER_PASSWORD";
    private static final PrintStream OUT = System.out;
    private static final String DEFAULT_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    private static final String H2_URL = "jdbc:h2:mem:veil_demo;DB_CLOSE_DELAY=-1";
    static final String USAGE = """
            usage: ./demo.sh [--h2 | ADMIN-URL]
              (no argument)  PostgreSQL at 127.0.0.1:5432 as user postgres; embedded H2 when no server answers there
              --h2           embedded H2 in memory, whatever servers run
              ADMIN-URL      a PostgreSQL URL of a user that may create databases, for example
                             'jdbc:postgresql://127.0.0.1:5432/postgres?user=me&password=...'
            On PostgreSQL the demo drops and recreates the database veil_demo.""";

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

        if (args.length > 1 || args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")
                || !args[0].equals("--h2") && !args[0].startsWith("jdbc:postgresql:"))) {
            System.err.println(USAGE);
            System.exit(2);
        }
        boolean forceH2 = args.length == 1 && args[0].equals("--h2");
        boolean urlGiven = args.length == 1 && !forceH2;
        String admin = urlGiven ? args[0] : DEFAULT_ADMIN_URL;
        String rawUrl;
        if (forceH2) {
            rawUrl = H2_URL;
            OUT.println("Database: embedded H2 in memory (--h2)");
        } else if (!answers(admin)) {
            if (urlGiven) {
                System.err.println("No PostgreSQL server answers at " + redact(admin) + ". Start it, fix the URL, or run ./demo.sh --h2.");
                System.exit(1);
            }
            rawUrl = H2_URL;
            OUT.println("Database: embedded H2 in memory (no PostgreSQL server answers at " + redact(admin) + ")");
        } else {
            OUT.println("Database: PostgreSQL at " + redact(admin) + ": dropping and recreating database veil_demo");
            rawUrl = postgres(admin);
        }
        String veilUrl = "jdbc:veil:" + rawUrl.substring("jdbc:".length());
        Properties props = new Properties();
        props.setProperty("veil.policy", policy.toString());
        OUT.println("Policy:   " + policy);
        OUT.println("App URL:  " + redact(veilUrl) + "   <- the only change: jdbc: became jdbc:veil:");
        OUT.println();

        // the table exists before the app connects, as in production, so Veil finds every table its policy names
        try (Connection raw = DriverManager.getConnection(rawUrl); Statement s = raw.createStatement()) {
            s.execute("DROP TABLE IF EXISTS patients");
            s.execute(SampleApp.CREATE_TABLE);
        }
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
                OUT.printf("  %d | %-13s | email=%s%n", rs.getInt(1), rs.getString(2), shorten(stored(rs, 3)));
                OUT.printf("    %-15s | national_id=%s%n", "", shorten(stored(rs, 4)));
                OUT.printf("    %-15s | diagnosis=%s%n", "", shorten(stored(rs, 5)));
                OUT.printf("    %-15s | birth_date=%s%n", "", shorten(stored(rs, 6)));
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

    /**
     * Whether a server listens at the URL's host and port. Only this decides the fallback to H2: a
     * server that answers but refuses the login (or the DROP/CREATE) is an error, reported with a hint.
     */
    static boolean answers(String admin) {
        HostPort hp = HostPort.of(admin);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hp.host(), hp.port()), 3000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    record HostPort(String host, int port) {
        /** Host and port of a {@code jdbc:postgresql://host[:port]/...} URL (default localhost:5432). */
        static HostPort of(String url) {
            String rest = url.substring("jdbc:postgresql:".length());
            if (!rest.startsWith("//")) {
                return new HostPort("localhost", 5432);
            }
            rest = rest.substring(2);
            int end = rest.length();
            for (char c : new char[] {'/', '?', ','}) {
                int i = rest.indexOf(c);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            String authority = rest.substring(0, end);
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                String host = authority.substring(1, close);
                String port = authority.substring(close + 1);
                return new HostPort(host, port.startsWith(":") ? Integer.parseInt(port.substring(1)) : 5432);
            }
            int colon = authority.lastIndexOf(':');
            String host = colon < 0 ? authority : authority.substring(0, colon);
            return new HostPort(host.isEmpty() ? "localhost" : host, colon < 0 ? 5432 : Integer.parseInt(authority.substring(colon + 1)));
        }
    }

    /** Drops and recreates database veil_demo on the server; exits with a hint when the server refuses. */
    private static String postgres(String admin) {
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS veil_demo WITH (FORCE)");
            s.execute("CREATE DATABASE veil_demo");
        } catch (SQLException e) {
            System.err.println("PostgreSQL at " + redact(admin) + " answered but refused: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            System.err.println("The demo needs a user that may create databases. Pass its URL, for example");
            System.err.println("  ./demo.sh 'jdbc:postgresql://127.0.0.1:5432/postgres?user=me&password=...'");
            System.err.println("or run the demo on embedded H2 instead: ./demo.sh --h2");
            System.exit(1);
        }
        int q = admin.indexOf('?');
        String base = q < 0 ? admin : admin.substring(0, q);
        return base.substring(0, base.lastIndexOf('/')) + "/veil_demo" + (q < 0 ? "" : admin.substring(q));
    }

    /** A stored value as the plain driver returns it: binary envelopes in hex, text as it is. */
    private static String stored(ResultSet rs, int column) throws SQLException {
        Object v = rs.getObject(column);
        if (v instanceof byte[] b) {
            return "0x" + HexFormat.of().formatHex(b);
        }
        return v == null ? null : v.toString();
    }

    private static String shorten(String s) {
        return s == null ? "NULL" : s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
