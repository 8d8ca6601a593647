package dev.veil.it.catalog;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;

import static dev.veil.it.catalog.NameResolutionTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Stored procedures and functions that already exist on MariaDB (made outside Veil) and reach an
 * encrypted table: calling one through Veil would let server-side code store or compare plaintext,
 * so it is refused unless the table allows opaque code. Each refusal is checked against what the
 * table holds afterwards, read beneath Veil.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbStoredRoutinesTest {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeAll
    void createRoutines() throws Exception {
        db = TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        db.execute("CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name TEXT, email TEXT)",
                "CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, message TEXT)",
                "CREATE PROCEDURE add_customer(n TEXT, e TEXT) INSERT INTO customers (name, email) VALUES (n, e)",
                "CREATE FUNCTION customers_like(p TEXT) RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM `customers` WHERE email LIKE p)",
                "CREATE PROCEDURE add_twice(n TEXT, e TEXT) BEGIN CALL add_customer(n, e); CALL add_customer(n, e); END",
                "CREATE PROCEDURE run_text(q TEXT) BEGIN SET @q = q; PREPARE s FROM @q; EXECUTE s; END",
                "CREATE PROCEDURE log_it(m TEXT) INSERT INTO audit_log (message) VALUES (m)");
    }

    @AfterAll
    void drop() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private String url(String tableOptions) throws Exception {
        Path policy = Files.createTempDirectory(dir, "p").resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(policy.getParent()))
                + "tables:\n  customers:\n    columns: { email: deterministic }\n" + tableOptions);
        return ShopSchema.veilUrl(db, policy);
    }

    private static void refused(Executable call, String routine, String reason) {
        VeilException e = assertThrows(VeilException.class, call);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
        assertTrue(e.getMessage().contains(routine) && e.getMessage().contains(reason), e.getMessage());
        assertTrue(!e.getMessage().contains("plain@example.com"), e.getMessage());
    }

    /** What the table holds, read beneath Veil. */
    private List<String> raw(String sql) throws Exception {
        try (Connection c = db.connect()) {
            return rows(c, sql);
        }
    }

    @Test
    void callsOfRoutinesThatReachAnEncryptedTableAreRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url("")); Statement s = c.createStatement()) {
            refused(() -> s.execute("CALL add_customer('n', 'plain@example.com')"), "add_customer", "customers");
            refused(() -> s.execute("call `ADD_CUSTOMER` ('n', 'plain@example.com')"), "ADD_CUSTOMER", "customers");
            refused(() -> s.execute("CALL " + db.name() + ".add_customer('n', 'plain@example.com')"), "add_customer", "customers");
            refused(() -> c.prepareStatement("CALL add_customer(?, ?)"), "add_customer", "customers");
            refused(() -> c.prepareCall("{call add_customer(?, ?)}"), "add_customer", "customers");
            refused(() -> s.executeQuery("SELECT customers_like('plain%')"), "customers_like", "customers");
            refused(() -> s.executeQuery("SELECT id FROM audit_log WHERE customers_like(message) > 0"), "customers_like", "customers");
            refused(() -> s.execute("CALL add_twice('n', 'plain@example.com')"), "add_twice", "customers");
            refused(() -> s.execute("CALL run_text('INSERT INTO audit_log (message) VALUES (1)')"), "run_text", "dynamic SQL");
            refused(() -> s.execute("PREPARE p FROM 'CALL add_customer(''n'', ''plain@example.com'')'"), "PREPARE", "add_customer");
            // a routine that reaches no encrypted table runs as before
            s.execute("CALL log_it('hello')");
            try (CallableStatement cs = c.prepareCall("{call log_it(?)}")) {
                cs.setString(1, "world");
                cs.execute();
            }
        }
        assertEquals(List.of("0"), raw("SELECT COUNT(*) FROM customers"));
        assertEquals(List.of("hello", "world"), raw("SELECT message FROM audit_log ORDER BY id"));
    }

    @Test
    void aTableThatAllowsOpaqueCodeLetsItsRoutinesRun() throws Exception {
        try (Connection c = DriverManager.getConnection(url("    allow-opaque: true\n")); Statement s = c.createStatement()) {
            s.execute("CALL add_twice('opaque', 'opaque@example.com')");
            try (PreparedStatement ps = c.prepareStatement("SELECT customers_like(?)")) {
                ps.setString(1, "opaque%");
                ps.executeQuery().close();
            }
            // dynamic SQL can reach any table: only when every policy table allows it, as here
            s.execute("CALL run_text('SELECT 1')");
        }
        assertEquals(List.of("opaque@example.com", "opaque@example.com"),
                raw("SELECT email FROM customers WHERE name = 'opaque'"));
        db.execute("DELETE FROM customers");
    }
}
