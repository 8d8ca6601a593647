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
import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wrapping driver end to end on PostgreSQL: the raw table holds ciphertext, the app sees plaintext. */
class DriverSmokeTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static String url;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        ShopSchema.create(db);
        url = ShopSchema.veilUrl(db, ShopSchema.policy(dir));
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    @Test
    void writesCiphertextAndReadsPlaintext() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn, birth_date) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, "Alice");
                ps.setString(2, "alice@example.com");
                ps.setString(3, "123-45-6789");
                ps.setObject(4, LocalDate.of(1990, 5, 17));
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, email, ssn, birth_date FROM customers WHERE email = ?")) {
                ps.setString(1, "alice@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Alice", rs.getString("name"));
                    assertEquals("alice@example.com", rs.getString("email"));
                    assertEquals("123-45-6789", rs.getString(3));
                    assertEquals(LocalDate.of(1990, 5, 17), rs.getObject("birth_date", LocalDate.class));
                    assertEquals(java.sql.Date.valueOf("1990-05-17"), rs.getDate(4));
                    assertSame(ps, rs.getStatement());
                    assertSame(c, rs.getStatement().getConnection());
                }
            }
        }
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT email, ssn, birth_date FROM customers WHERE name = 'Alice'")) {
            assertTrue(rs.next());
            for (int i = 1; i <= 3; i++) {
                assertTrue(rs.getString(i).startsWith("vl1:"), rs.getString(i));
            }
            assertFalse(rs.getString(1).contains("alice") || rs.getString(2).contains("123") || rs.getString(3).contains("1990"));
        }
    }

    @Test
    void plainStatementLiteralsAreEncryptedNeverSentAsPlaintext() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO customers (name, email, ssn) VALUES ('Bob', 'bob@example.com', '987-65-4321')");
            try (ResultSet rs = s.executeQuery("SELECT ssn FROM customers WHERE email = 'bob@example.com'")) {
                assertTrue(rs.next());
                assertEquals("987-65-4321", rs.getString(1));
            }
        }
        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT email, ssn FROM customers WHERE name = 'Bob'")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).startsWith("vl1:") && rs.getString(2).startsWith("vl1:"));
        }
    }

    @Test
    void nullStaysNullAndWasNullIsRight() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
                ps.setString(1, "Carol");
                ps.setNull(2, java.sql.Types.VARCHAR);
                ps.setString(3, null);
                ps.executeUpdate();
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT email, ssn FROM customers WHERE name = 'Carol'")) {
                assertTrue(rs.next());
                assertNull(rs.getString(1));
                assertTrue(rs.wasNull());
                assertNull(rs.getString("ssn"));
                assertTrue(rs.wasNull());
            }
        }
    }

    @Test
    void unsupportedShapesFailClosed() throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            VeilException e = assertThrows(VeilException.class, () -> c.prepareStatement("SELECT id FROM customers WHERE email LIKE ?"));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
            assertTrue(e.getMessage().contains("email"), e.getMessage());
            assertEquals(VeilState.UNSUPPORTED_SQL, assertThrows(VeilException.class,
                    () -> c.prepareStatement("SELECT id FROM customers WHERE ssn = ?")).state());
        }
    }

    @Test
    void sqlWithoutEncryptedColumnsPassesThrough() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO audit_log (message) VALUES ('hello')");
            try (ResultSet rs = s.executeQuery("SELECT message FROM audit_log")) {
                assertTrue(rs.next());
                assertEquals("hello", rs.getString("message"));
            }
        }
    }

    private static void assertSame(Object expected, Object actual) {
        org.junit.jupiter.api.Assertions.assertSame(expected, actual);
    }
}
