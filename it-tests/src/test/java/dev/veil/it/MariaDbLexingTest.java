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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MariaDB's lexical rules against the real server: executable comments are code, backslashes
 * escape unless NO_BACKSLASH_ESCAPES, double quotes quote strings unless ANSI_QUOTES, and
 * server-side PREPARE cannot carry a statement on an encrypted table past Veil.
 */
class MariaDbLexingTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static String url;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        ShopSchema.create(db);
        url = ShopSchema.veilUrl(db, ShopSchema.policy(dir));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    /** The raw value of one column of the customer of that name, read without Veil. */
    static String raw(String column, String name) throws Exception {
        return raw(db, column, name);
    }

    /** The raw value of one column of the customer of that name in a shop database, read without Veil. */
    static String raw(TestDatabase db, String column, String name) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM customers WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no row for " + name);
                return rs.getString(1);
            }
        }
    }

    static String read(Connection veil, String column, String name) throws Exception {
        try (PreparedStatement ps = veil.prepareStatement("SELECT " + column + " FROM customers WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    static void assertEncrypted(Connection veil, String column, String name, String plaintext) throws Exception {
        assertEncrypted(db, veil, column, name, plaintext);
    }

    /** The value is stored as ciphertext in that shop database and reads back through Veil as {@code plaintext}. */
    static void assertEncrypted(TestDatabase db, Connection veil, String column, String name, String plaintext) throws Exception {
        String stored = raw(db, column, name);
        assertTrue(stored.startsWith("vl1:"), "stored in the clear: " + column + " of " + name);
        assertEquals(plaintext, read(veil, column, name));
    }

    static VeilException refused(Connection veil, String sql) {
        VeilException e = assertThrows(VeilException.class, () -> {
            try (Statement s = veil.createStatement()) {
                s.execute(sql);
            }
        }, sql);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
        assertFalse(e.getMessage().contains("x@y"), e.getMessage());
        return e;
    }

    @Test
    void valuesInExecutableCommentsAreEncrypted() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('exec1' /*!, 'x@y' */)");
            s.executeUpdate("INSERT INTO customers (name /*!, email */) VALUES ('exec2' /*!, 'x@y' */)");
            s.executeUpdate("INSERT INTO customers (name /*M!, email */) VALUES ('exec3' /*M!, 'x@y' */)");
            s.executeUpdate("INSERT INTO customers (name /*!50000, email */) VALUES ('exec4' /*!50000, 'x@y' */)");
            for (String name : new String[] {"exec1", "exec2", "exec3", "exec4"}) {
                assertEncrypted(c, "email", name, "x@y");
            }
        }
    }

    @Test
    void predicatesInExecutableCommentsAreRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            assertTrue(refused(c, "SELECT id FROM customers WHERE name = 'n' /*! OR email LIKE 'x%' */").getMessage().contains("customers.email"));
            refused(c, "SELECT id FROM customers WHERE name = 'n' /*M! OR email LIKE 'x%' */");
            refused(c, "SELECT id FROM customers WHERE name = 'n' /* a /* b */ OR email LIKE 'x%' /* c */");
        }
    }

    @Test
    void serverSidePrepareOfAnEncryptedTableIsRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            refused(c, "PREPARE s FROM 'INSERT INTO customers (name, email) VALUES (''prep'', ''x@y'')'");
            assertThrows(java.sql.SQLException.class, () -> s.execute("EXECUTE s"), "the refused PREPARE never ran");
            s.execute("SET @q = CONCAT('INSERT INTO cust', 'omers (name, email) VALUES (''prep'', ''x@y'')')");
            refused(c, "PREPARE s FROM @q");
            refused(c, "EXECUTE IMMEDIATE @q");
            s.execute("PREPARE p FROM 'SELECT message FROM audit_log WHERE id = ?'");
            s.execute("SET @id = 1");
            s.execute("EXECUTE p USING @id");
            s.execute("DEALLOCATE PREPARE p");
        }
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM customers WHERE name = 'prep'")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void backslashEscapesFollowTheSessionMode() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('bs1', 'o\\'b\\\\x@y')");
            assertEncrypted(c, "email", "bs1", "o'b\\x@y");
            s.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('bs2', 'a\\')");
            assertEncrypted(c, "email", "bs2", "a\\");
        }
    }

    @Test
    void doubleQuotesFollowTheSessionMode() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email) VALUES (\"dq1\", \"x@y\")");
            assertEncrypted(c, "email", "dq1", "x@y");
            s.execute("SET sql_mode = 'ANSI_QUOTES'");
            try (ResultSet rs = s.executeQuery("SELECT \"email\" FROM customers WHERE name = 'dq1'")) {
                assertTrue(rs.next());
                assertEquals("x@y", rs.getString(1));
            }
        }
    }

    @Test
    void filesAreRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            refused(c, "SELECT email FROM customers INTO OUTFILE '/tmp/veil-customers.csv'");
            refused(c, "LOAD DATA LOCAL INFILE '/tmp/veil-customers.csv' INTO TABLE customers");
        }
    }

    /** A same-named table in another database: written through Veil, never in plaintext. */
    @Test
    void aTableOfAnotherDatabaseIsNeverWrittenInPlaintext() throws Exception {
        try (TestDatabase other = TestDatabase.mariadbOrNull()) {
            ShopSchema.create(other);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + other.name() + ".customers (name, email) VALUES ('elsewhere', 'x@y')");
            }
            try (Connection c = other.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT email FROM customers WHERE name = 'elsewhere'")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("vl1:"), "stored in the clear in another database");
            }
        }
    }

    /** A statement read under one sql_mode does not run under another. */
    @Test
    void aStatementPreparedBeforeSqlModeChangesIsRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             PreparedStatement before = c.prepareStatement("INSERT INTO customers (name, email) VALUES ('mode1', ?)")) {
            s.execute("SET sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
            before.setString(1, "x@y");
            VeilException e = assertThrows(VeilException.class, before::executeUpdate);
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
            assertTrue(e.getMessage().contains("SQL mode changed"), e.getMessage());
            try (PreparedStatement after = c.prepareStatement("INSERT INTO customers (name, email) VALUES ('mode1', ?)")) {
                after.setString(1, "x@y");
                assertEquals(1, after.executeUpdate());
            }
            assertEncrypted(c, "email", "mode1", "x@y");
        }
    }
}
