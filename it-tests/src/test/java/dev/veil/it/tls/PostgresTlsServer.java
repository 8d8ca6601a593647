package dev.veil.it.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the tests' own, with {@code ssl = on} and a certificate from
 * {@link TestCertificates}, on a free port of 127.0.0.1; plain and TLS connections are both let in
 * ({@code trust}), so that Veil, not the server, is what refuses. Statements are logged to
 * {@link #log()}. Stopped and deleted by {@link #close()}. The shared server is never touched.
 */
public final class PostgresTlsServer implements AutoCloseable {
    private final Path dir;
    private final Path data;
    private final Path log;
    private final int port;
    private final TestCertificates certificates;
    private final String bin;

    private PostgresTlsServer(Path dir, int port, TestCertificates certificates, String bin) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.log = dir.resolve("server.log");
        this.port = port;
        this.certificates = certificates;
        this.bin = bin;
    }

    /** Creates and starts the cluster (a few seconds: initdb, then start). */
    public static PostgresTlsServer start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "veil-pgtls-");
        PostgresTlsServer s = new PostgresTlsServer(dir, Processes.freePort(), TestCertificates.create(dir), bin());
        try {
            s.init();
            s.launch();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** The binaries of PostgreSQL 15 when installed, else of the newest version there. */
    private static String bin() throws IOException {
        Path fifteen = Path.of("/usr/lib/postgresql/15/bin");
        if (Files.isExecutable(fifteen.resolve("postgres"))) {
            return fifteen.toString();
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(java.util.Comparator.naturalOrder()).orElseThrow(() -> new IOException("no PostgreSQL under /usr/lib/postgresql"))
                    .toString();
        }
    }

    private void init() throws Exception {
        Files.setPosixFilePermissions(certificates.key(), PosixFilePermissions.fromString("rw-------"));
        if (Processes.root()) {
            Processes.run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
        }
        Processes.run(Processes.as("postgres", bin + "/initdb", "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--no-sync", "--no-instructions"));
        String conf = String.join("\n",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + dir + "'",
                "ssl = on",
                "ssl_cert_file = '" + certificates.cert() + "'",
                "ssl_key_file = '" + certificates.key() + "'",
                "fsync = off",
                "synchronous_commit = off",
                "max_connections = 20",
                "shared_buffers = 16MB",
                "log_statement = 'all'",
                "");
        Files.writeString(data.resolve("postgresql.conf"), conf, java.nio.file.StandardOpenOption.APPEND);
    }

    private void launch() throws Exception {
        // -w: returns once the server accepts connections (no JDBC here: under the agent it would be checked itself)
        Processes.run(Processes.as("postgres", bin + "/pg_ctl", "-D", data.toString(), "-l", log.toString(), "-w", "-t", "60", "start"));
    }

    /** A plain JDBC URL of the {@code postgres} database, without any ssl setting. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** The URL with pgjdbc settings that verify the server's certificate and host name against the test CA. */
    public String verifiedUrl() {
        return url() + "&sslmode=verify-full&sslrootcert=" + certificates.ca();
    }

    public TestCertificates certificates() {
        return certificates;
    }

    /** The server's log, where every statement is written. */
    public Path log() {
        return log;
    }

    /** A plain connection for setting up and inspecting the server. */
    public Connection admin() throws SQLException {
        return DriverManager.getConnection(url() + "&sslmode=disable");
    }

    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                Processes.run(Processes.as("postgres", bin + "/pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop"));
            }
        } finally {
            Processes.deleteTree(dir);
        }
    }
}
