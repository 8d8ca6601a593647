package dev.veil.it;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * After a text that may change the connection's {@code sql_mode} or character set, Veil reads them
 * from MariaDB once before the next statement, and not again: literal writes that follow are read
 * by the new rules, and the server counts one extra {@code SELECT}, whatever number of statements follow.
 */
class MariaDbModeReadsTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static String url;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        ShopSchema.create(db);
        db.execute("CREATE PROCEDURE touch_audit() INSERT INTO audit_log (message) VALUES ('called')");
        url = ShopSchema.veilUrl(db, ShopSchema.policy(dir));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @FunctionalInterface
    interface Work {
        void run(Connection c, String tag) throws SQLException;
    }

    private static long comSelect(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            assertTrue(rs.next());
            return rs.getLong(2);
        }
    }

    /** The SELECTs the server counted for {@code work} on a warm connection of that URL. */
    private static long selectsOf(String url, String tag, Work work) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            work.run(c, tag + "w");
            long before = comSelect(c);
            work.run(c, tag);
            return comSelect(c) - before;
        }
    }

    private static void write(Connection c, String name, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, email);
            ps.executeUpdate();
        }
    }

    /** Ten OLTP-like statements, prepared and plain, none of which change the rules. */
    private static void tenStatements(Connection c, String tag) throws SQLException {
        for (int i = 0; i < 5; i++) {
            write(c, tag + i, "e" + i + "@y");
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE customers SET phone = '+1 555 0100' WHERE name = '" + tag + i + "'");
            }
        }
    }

    private static String mode(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    @Test
    void theModeIsReadOnceAfterASetAndNotBeforeEveryLaterStatement() throws Exception {
        Work work = (c, tag) -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            }
            tenStatements(c, tag);
            try (Statement s = c.createStatement()) {
                s.execute("SET NAMES utf8mb4");
            }
            tenStatements(c, tag + "n");
        };
        long raw = selectsOf(db.url(), "rawset", work);
        long veil = selectsOf(url, "veilset", work);
        assertEquals(raw + 2, veil, "one read after each of the two SETs, none for the twenty statements after them");
    }

    @Test
    void aStoredProcedureCallIsFollowedByOneRead() throws Exception {
        Work work = (c, tag) -> {
            try (CallableStatement call = c.prepareCall("CALL touch_audit()")) {
                call.execute();
                call.execute();
            }
            tenStatements(c, tag);
        };
        long raw = selectsOf(db.url(), "rawcall", work);
        long veil = selectsOf(url, "veilcall", work);
        assertEquals(raw + 1, veil, "one read before the first statement after the calls, none after");
    }

    /** Each way of changing the mode through Veil is followed: the literal {@code 'a\'} is a string only under NO_BACKSLASH_ESCAPES. */
    @Test
    void aLiteralWriteAfterEachKindOfSetIsReadByTheNewMode() throws Exception {
        String[] sets = {"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
            "SET @unused = 1, sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
            "SET @@session.sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')",
            "SET @@sql_mode = 'NO_BACKSLASH_ESCAPES', NAMES utf8mb4"};
        for (int i = 0; i < sets.length; i++) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO customers (name, email) VALUES ('nbe" + i + "', 'o\\'b')");
                s.execute(sets[i]);
                s.executeUpdate("INSERT INTO customers (name, email) VALUES ('nbe" + i + "b', 'a\\')");
                MariaDbLexingTest.assertEncrypted(db, c, "email", "nbe" + i + "b", "a\\");
                s.execute("SET sql_mode = DEFAULT");
                s.executeUpdate("INSERT INTO customers (name, email) VALUES ('nbe" + i + "c', 'o\\'b')");
                MariaDbLexingTest.assertEncrypted(db, c, "email", "nbe" + i + "c", "o'b");
            }
        }
    }

    /** A SET prepared before other statements are planned takes effect when it runs, and is followed from then. */
    @Test
    void aPreparedSetIsFollowedWhenItRuns() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             PreparedStatement set = c.prepareStatement("SET sql_mode = ?")) {
            String before = mode(c);
            write(c, "pset1", "x@y");
            set.setString(1, before + ",ANSI_QUOTES,NO_BACKSLASH_ESCAPES");
            set.execute();
            s.executeUpdate("INSERT INTO customers (\"name\", \"email\") VALUES ('pset2', 'a\\')");
            MariaDbLexingTest.assertEncrypted(db, c, "email", "pset2", "a\\");
            set.setString(1, before);
            set.execute();
            s.executeUpdate("INSERT INTO customers (name, email) VALUES (\"pset3\", \"x@y\")");
            MariaDbLexingTest.assertEncrypted(db, c, "email", "pset3", "x@y");
        }
    }

    /** The texts of a batch are read before any of them runs: after a SET in it, a text on an encrypted table is refused. */
    @Test
    void aBatchThatChangesTheModeCannotCarryAWriteOnAnEncryptedTable() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.addBatch("SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            s.addBatch("INSERT INTO audit_log (message) VALUES ('batched')");
            VeilException e = assertThrows(VeilException.class,
                    () -> s.addBatch("INSERT INTO customers (name, email) VALUES ('batch1', 'a\\\\')"));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
            s.executeBatch();
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('batch2', 'a\\')");
            MariaDbLexingTest.assertEncrypted(db, c, "email", "batch2", "a\\");
        }
    }

    /**
     * MySQL Connector/J with {@code autoReconnect} replaces a killed server connection under the same
     * JDBC one, and the new server connection starts from the server's default {@code sql_mode}, not
     * from the one a {@code SET} made: once a SET ran, Veil reads the rules before every statement on
     * such a connection, so what follows the reconnect is read by the rules the server has then.
     */
    @Test
    void aReconnectTheDriverMakesAloneIsFollowed() throws Exception {
        try (TestDatabase my = TestDatabase.mariadbThroughMySqlDriverOrNull()) {
            ShopSchema.create(my);
            Path own = java.nio.file.Files.createDirectories(dir.resolve("reconnect"));
            String reconnecting = ShopSchema.veilUrl(my, ShopSchema.policy(own)) + "&autoReconnect=true";
            try (Connection c = DriverManager.getConnection(reconnecting)) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
                    s.executeUpdate("INSERT INTO customers (name, email) VALUES ('r1', 'a\\')");
                }
                MariaDbLexingTest.assertEncrypted(my, c, "email", "r1", "a\\");
                long id;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    assertTrue(rs.next());
                    id = rs.getLong(1);
                }
                my.execute("KILL " + id);
                assertThrows(SQLException.class, () -> {
                    try (Statement s = c.createStatement()) {
                        s.executeQuery("SELECT 1").close();
                    }
                }, "the driver finds its server connection gone");
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO customers (name, email) VALUES ('r2', 'o\\'b')");
                }
                MariaDbLexingTest.assertEncrypted(my, c, "email", "r2", "o'b");
                assertTrue(!mode(c).contains("NO_BACKSLASH_ESCAPES"), "the server connection was replaced and has the default mode");
            }
        }
    }

    /** Where the driver may reconnect alone, every statement after a SET is preceded by a read of the rules. */
    @Test
    void aConnectionThatMayReconnectAloneReadsTheModeBeforeEveryStatementAfterASet() throws Exception {
        Work work = (c, tag) -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            }
            tenStatements(c, tag);
        };
        long raw = selectsOf(db.url(), "rawre", work);
        long veil = selectsOf(url + "&transactionReplay=true", "veilre", work);
        assertTrue(veil - raw >= 10, "a read before each of the ten statements: " + (veil - raw));
    }
}
