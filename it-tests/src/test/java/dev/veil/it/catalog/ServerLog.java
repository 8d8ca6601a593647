package dev.veil.it.catalog;

import dev.veil.testkit.TestDatabase;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the PostgreSQL server received for one test database: {@code log_statement = 'all'} is set
 * on the database, and the lines of the server log written since {@link #start} that name it are
 * searched for a marker value.
 */
public final class ServerLog {
    private final TestDatabase db;
    private final Path file;
    private final long start;

    private ServerLog(TestDatabase db, Path file, long start) {
        this.db = db;
        this.file = file;
        this.start = start;
    }

    /** Turns statement logging on for the database (new sessions) and remembers where the log ends now. */
    public static ServerLog start(TestDatabase db) throws SQLException, IOException {
        db.execute("ALTER DATABASE " + db.name() + " SET log_statement = 'all'");
        Path file;
        try (Stream<Path> logs = Files.list(Path.of("/var/log/postgresql"))) {
            file = logs.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL log under /var/log/postgresql"));
        }
        return new ServerLog(db, file, Files.size(file));
    }

    /** The log lines of this database since {@link #start}. */
    public String statements() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long end = f.length();
            byte[] bytes = new byte[(int) Math.max(0, end - start)];
            f.seek(start);
            f.readFully(bytes);
            StringBuilder out = new StringBuilder();
            String tag = "@" + db.name() + " ";
            boolean ours = false;
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                // continuation lines of a multi-line statement start with a tab
                if (!line.startsWith("\t")) {
                    ours = line.contains(tag);
                }
                if (ours) {
                    out.append(line).append('\n');
                }
            }
            return out.toString();
        }
    }

    /** Fails when the server received {@code marker}; also checks that statements of this database were logged at all. */
    public void assertNeverSent(String marker) throws IOException {
        String log = statements();
        assertTrue(log.contains("statement:") || log.contains("execute"), "the server log shows no statement of " + db.name());
        assertFalse(log.contains(marker), "the server received the plaintext marker");
    }
}
