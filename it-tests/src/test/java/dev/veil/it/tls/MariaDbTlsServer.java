package dev.veil.it.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of the tests' own with TLS on ({@code --ssl-ca/--ssl-cert/--ssl-key} from
 * {@link TestCertificates}) on a free port of 127.0.0.1; plain and TLS connections are both let in,
 * so that Veil, not the server, is what refuses. Stopped and deleted by {@link #close()}. Needs
 * {@code mariadb-install-db} and {@code mariadbd}, and root (the server runs as root with
 * {@code --user=root}); {@link #available()} says whether this machine has them.
 */
public final class MariaDbTlsServer implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/sbin/mariadbd");

    private final Path dir;
    private final int port;
    private final TestCertificates certificates;
    private Process process;

    private MariaDbTlsServer(Path dir, int port, TestCertificates certificates) {
        this.dir = dir;
        this.port = port;
        this.certificates = certificates;
    }

    /** Whether a MariaDB server can be started here. */
    public static boolean available() {
        return Processes.root() && Files.isExecutable(SERVER);
    }

    /** Creates the data directory and starts the server (several seconds). */
    public static MariaDbTlsServer start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "veil-mdbtls-");
        MariaDbTlsServer s = new MariaDbTlsServer(dir, Processes.freePort(), TestCertificates.create(dir));
        try {
            s.launch();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void launch() throws Exception {
        List<String> quick = List.of("--innodb-flush-method=nosync", "--innodb-doublewrite=0", "--innodb-buffer-pool-size=16M");
        List<String> install = new java.util.ArrayList<>(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--auth-root-authentication-method=normal", "--skip-test-db", "--user=root"));
        install.addAll(quick);
        Processes.run(install);
        List<String> server = new java.util.ArrayList<>(List.of(SERVER.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("server.sock"), "--pid-file=" + dir.resolve("server.pid"),
                "--user=root", "--skip-log-bin", "--ssl-ca=" + certificates.ca(), "--ssl-cert=" + certificates.cert(),
                "--ssl-key=" + certificates.key()));
        server.addAll(quick);
        process = new ProcessBuilder(server).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = admin()) {
                c.createStatement().execute("CREATE DATABASE veil_tls");
                return;
            } catch (SQLException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("MariaDB did not start: " + Files.readString(dir.resolve("server.log")), e);
                }
                Thread.sleep(200);
            }
        }
    }

    /** A plain JDBC URL of the {@code veil_tls} database, without any ssl setting. */
    public String url() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/veil_tls?user=root";
    }

    /** The URL with Connector/J settings that verify the server's certificate and host name against the test CA. */
    public String verifiedUrl() {
        return url() + "&sslMode=verify-full&serverSslCert=" + certificates.ca();
    }

    public TestCertificates certificates() {
        return certificates;
    }

    /** A plain connection for setting up and inspecting the server. */
    public Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root&sslMode=disable");
    }

    @Override
    public void close() throws Exception {
        try {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            Processes.deleteTree(dir);
        }
    }
}
