package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.veil.sql.ShopFixture.literals;
import static dev.veil.sql.ShopFixture.parameters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analysis under MariaDB/MySQL rules: what those rules make code is analysed as code. */
class MySqlAnalysisTest {
    private final SchemaLookup schema = ShopFixture.schema(new AtomicInteger());
    private final SqlAnalyzer analyzer = new SqlAnalyzer(ShopFixture.policy(), 1000);

    private StatementPlan plan(String sql) throws VeilException {
        return analyzer.plan(sql, schema, MySqlScannerTest.MARIADB);
    }

    private void assertUnsupported(String sql, String... fragments) {
        VeilException e = assertThrows(VeilException.class, () -> plan(sql), sql);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
        assertFalse(e.getMessage().contains("x@y"), e.getMessage());
    }

    @Test
    void literalsInExecutableCommentsAreEncrypted() throws VeilException {
        StatementPlan p = plan("INSERT INTO customers (name, email) VALUES ('n' /*!, 'x@y' */)");
        assertEquals(List.of("'x@y' -> customers.email = x@y"), literals(p));
        p = plan("INSERT INTO customers (name /*M!, email */) VALUES ('n' /*M!, 'x@y' */)");
        assertEquals(List.of("'x@y' -> customers.email = x@y"), literals(p));
        p = plan("INSERT INTO customers (name /*!50000, email */) VALUES ('n' /*!50000, 'x@y' */)");
        assertEquals(List.of("'x@y' -> customers.email = x@y"), literals(p));
    }

    @Test
    void nullSafeEqualityOnAnEncryptedColumnIsRefused() {
        // <=> could be served like IS NOT DISTINCT FROM; until it is, its value must not reach the server in plaintext
        assertUnsupported("SELECT id FROM customers WHERE email <=> ?", "customers.email");
        assertUnsupported("SELECT id FROM customers WHERE email <=> 'x@y'", "customers.email");
    }

    @Test
    void orderByAnEncryptedColumnIsRefusedBecauseVeilSortsOnlyByPostgresRules() {
        // MariaDB puts NULLs first and compares strings by collation: a Veil-sorted answer would differ from the server's
        assertUnsupported("SELECT name, email FROM customers ORDER BY email", "customers.email");
        assertUnsupported("SELECT name, email FROM customers ORDER BY 2 DESC", "customers.email");
    }

    @Test
    void predicatesInExecutableCommentsAreChecked() {
        assertUnsupported("SELECT id FROM customers WHERE name = 'n' /*! OR email LIKE 'x%' */", "customers.email");
        assertUnsupported("SELECT id FROM customers WHERE name = 'n' /*M! OR email LIKE 'x%' */", "customers.email");
    }

    @Test
    void nothingOnAnEncryptedTableIsReadUnderACharsetWhoseCharactersCanEndInABackslash() throws VeilException {
        SqlSyntax gbk = SqlSyntax.mysql(true, "10.11.6-MariaDB", "", "gbk");
        VeilException e = assertThrows(VeilException.class, () -> analyzer.plan("SELECT id FROM customers WHERE email = ?", schema, gbk));
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
        assertTrue(e.getMessage().contains("gbk"), e.getMessage());
        assertThrows(VeilException.class, () -> analyzer.plan("PREPARE s FROM 'SELECT 1'", schema, gbk));
        assertTrue(analyzer.plan("SELECT 1", schema, gbk).literals().isEmpty());
    }

    @Test
    void mySql8RowAliasIsRefusedByName() throws VeilException {
        assertUnsupported("INSERT INTO customers (id, email) VALUES (?, ?) AS new ON DUPLICATE KEY UPDATE email = new.email",
                "row alias", "customers", "VALUES(col)");
        assertUnsupported("INSERT INTO customers (id, email) VALUES (1, 'x@y'), (2, 'x@y') AS new (i, e) ON DUPLICATE KEY UPDATE email = new.e",
                "row alias");
        assertUnsupported("INSERT INTO customers SET id = 1, email = 'x@y' AS new ON DUPLICATE KEY UPDATE email = new.email", "row alias");
        assertUnsupported("insert customers value (1, 'x@y') as `new` on duplicate key update email = `new`.email", "row alias");
        // AS that belongs to a query or an expression is no row alias
        plan("INSERT INTO customers (id, email) SELECT id + 100 AS i, email AS e FROM customers WHERE id = ?");
        assertEquals(1, plan("INSERT INTO customers (id, email) VALUES (CAST(? AS SIGNED), ?) ON DUPLICATE KEY UPDATE email = VALUES(email)")
                .parameters().size());
    }

    @Test
    void theSameTextIsReadByEachConnectionsRules() throws VeilException {
        String sql = "INSERT INTO customers (name, email) VALUES ('n' /*!, 'x@y' */)";
        StatementPlan postgres = analyzer.plan(sql, schema);
        // under PostgreSQL's rules that is a comment: the INSERT writes no encrypted column
        assertTrue(postgres.literals().isEmpty());
        assertEquals(1, plan(sql).literals().size());
        assertNotSame(postgres, plan(sql));
    }

    @Test
    void doubleQuotedStringsAndBackslashesAreEncryptedWhole() throws VeilException {
        StatementPlan p = plan("UPDATE customers SET email = \"o\\'b@y\" WHERE id = 1");
        assertEquals(List.of("\"o\\'b@y\" -> customers.email = o'b@y"), literals(p));
        p = plan("SELECT id FROM customers WHERE email = 'a\\'b'");
        assertEquals(List.of("'a\\'b' -> customers.email = a'b"), literals(p));
    }

    @Test
    void prefixedLiteralsForEncryptedColumnsAreRefused() {
        assertUnsupported("SELECT id FROM customers WHERE email = _utf8mb4'x@y'", "customers.email");
        assertUnsupported("SELECT id FROM customers WHERE email = 0x78", "customers.email");
        assertUnsupported("UPDATE customers SET email = X'78' WHERE id = 1", "customers.email");
    }

    @Test
    void ambiguousTextOnEncryptedTablesIsRefused() {
        assertUnsupported("INSERT INTO customers (name, email) VALUES ('n', 'x@' 'y')", "adjacent");
        assertUnsupported("SELECT id FROM customers WHERE id = ? /*! OR email = ? */", "parameter marker");
        assertUnsupported("SELECT 1 /*!1234567 , email */ FROM customers", "digits");
    }

    @Test
    void serverSidePreparedStatements() throws VeilException {
        assertUnsupported("PREPARE s FROM 'INSERT INTO customers (name, email) VALUES (''n'', ''x@y'')'", "PREPARE", "customers");
        assertUnsupported("PREPARE s FROM @q", "PREPARE", "variable");
        assertUnsupported("PREPARE s FROM CONCAT('INSERT INTO cust', 'omers VALUES (1)')", "PREPARE");
        assertUnsupported("EXECUTE IMMEDIATE 'DELETE FROM customers'", "EXECUTE IMMEDIATE", "customers");
        assertUnsupported("EXECUTE IMMEDIATE @q", "EXECUTE IMMEDIATE");
        assertUnsupported("/*!PREPARE s FROM @q */", "PREPARE");
        assertUnsupported("SELECT 1; PREPARE s FROM 'SELECT \\'x\\' ' 'FROM customers'", "adjacent");
        assertUnsupported("PREPARE s FROM 'PREPARE t FROM @q'", "PREPARE");
        // a statement on plain tables, as a literal, is read and allowed; EXECUTE runs only what was read
        assertFalse(plan("PREPARE s FROM 'SELECT title FROM products WHERE id = ?'").touchesEncrypted());
        assertFalse(plan("EXECUTE s USING @id").touchesEncrypted());
        assertFalse(plan("DEALLOCATE PREPARE s").touchesEncrypted());
    }

    @Test
    void filesAreRefusedOnEncryptedTables() throws VeilException {
        assertUnsupported("LOAD DATA LOCAL INFILE '/tmp/c.csv' INTO TABLE customers", "LOAD DATA", "customers");
        assertUnsupported("SELECT email FROM customers INTO OUTFILE '/tmp/c.csv'", "OUTFILE", "customers");
        assertUnsupported("SELECT * FROM customers INTO DUMPFILE '/tmp/c'", "DUMPFILE");
        assertFalse(plan("LOAD DATA LOCAL INFILE '/tmp/p.csv' INTO TABLE products").touchesEncrypted());
    }

    @Test
    void sqlModeChangedBesideAnEncryptedTableIsRefused() throws VeilException {
        assertUnsupported("SET sql_mode = 'ANSI_QUOTES'; SELECT \"email\" FROM customers", "sql_mode");
        assertUnsupported("SET STATEMENT sql_mode = 'NO_BACKSLASH_ESCAPES' FOR SELECT id FROM customers WHERE email = 'a'", "sql_mode");
        assertFalse(plan("SET sql_mode = 'ANSI_QUOTES'").touchesEncrypted());
    }

    @Test
    void parametersAreNumberedAsTheServerSees() throws VeilException {
        StatementPlan p = plan("SELECT name FROM customers WHERE name = '?' /* ? */ AND email = ? # ?\n AND phone = ?");
        assertEquals(Map.of(1, "customers.email", 2, "customers.phone"), parameters(p));
    }

    @Test
    void multiTableUpdateEncryptsForEachTargetsOwnColumn() throws VeilException {
        assertEquals(Map.of(1, "orders.note"),
                parameters(plan("UPDATE customers c JOIN orders o ON o.customer_id = c.id SET o.note = ? WHERE c.id = ?")));
        assertEquals(Map.of(1, "orders.note", 2, "customers.email"),
                parameters(plan("UPDATE customers c, orders o SET o.note = ?, c.email = ? WHERE o.customer_id = c.id AND c.id = ?")));
        assertEquals(Map.of(1, "orders.note", 2, "customers.ssn"),
                parameters(plan("UPDATE customers JOIN orders ON orders.customer_id = customers.id SET note = ?, ssn = ? WHERE customers.id = ?")));
        assertEquals(List.of("'x' -> orders.note = x"),
                literals(plan("UPDATE customers c JOIN orders o ON o.customer_id = c.id SET o.note = 'x' WHERE c.id = 1")));
        assertUnsupported("UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.email = o.note", "customers.email");
        assertUnsupported("UPDATE customers c JOIN customers d ON d.id = c.id SET email = ?", "more than one");
        assertUnsupported("UPDATE customers c JOIN orders o ON o.customer_id = c.id SET x.note = ?", "which table");
    }

    @Test
    void mariaDbInsertShapes() throws VeilException {
        assertEquals(Map.of(2, "customers.email"), parameters(plan("INSERT INTO customers SET name = ?, email = ?")));
        assertEquals(Map.of(2, "customers.email"), parameters(plan("INSERT IGNORE INTO customers (name, email) VALUES (?, ?)")));
        assertEquals(Map.of(2, "customers.email"), parameters(plan("REPLACE INTO customers (name, email) VALUES (?, ?)")));
        assertEquals(Map.of(2, "customers.email"), parameters(plan("REPLACE INTO customers SET name = ?, email = ?")));
        assertEquals(Map.of(2, "customers.email", 3, "customers.ssn"), parameters(plan(
                "INSERT INTO customers (id, email) VALUES (?, ?) ON DUPLICATE KEY UPDATE email = VALUES(email), ssn = ?")));
        assertUnsupported("INSERT INTO customers (id, email) VALUES (?, ?) ON DUPLICATE KEY UPDATE ssn = VALUES(email)", "customers.ssn");
        assertUnsupported("REPLACE INTO customers (name, email) SELECT name, phone FROM customers", "customers.email");
    }

    @Test
    void limitWithTwoParameters() throws VeilException {
        StatementPlan p = plan("SELECT email FROM customers ORDER BY id LIMIT ?, ?");
        assertTrue(p.parameters().isEmpty());
        assertEquals(List.of("customers.email"), ShopFixture.results(p, 0));
    }

    @Test
    void ddlThatWouldChangeAnEncryptedColumnIsRefused() throws VeilException {
        assertUnsupported("ALTER TABLE customers CHANGE email email2 TEXT", "customers.email", "CHANGE");
        assertUnsupported("ALTER TABLE `customers` MODIFY COLUMN `email` INT", "customers.email", "MODIFY");
        assertUnsupported("ALTER TABLE customers ALTER COLUMN email SET DEFAULT 'x@y'", "customers.email", "default");
        assertUnsupported("ALTER TABLE customers RENAME COLUMN email TO mail", "customers.email");
        assertUnsupported("ALTER TABLE customers RENAME COLUMN name TO email", "customers.email");
        assertUnsupported("ALTER TABLE customers RENAME TO clients", "customers");
        assertUnsupported("RENAME TABLE customers TO clients", "customers");
        assertUnsupported("RENAME TABLE products TO p2, p3 TO customers", "customers");
        assertUnsupported("ALTER TABLE customers ADD COLUMN email_lower TEXT AS (lower(email)) VIRTUAL", "customers.email", "generated");
        assertUnsupported("ALTER TABLE customers ADD (nick TEXT, ssn TEXT DEFAULT 'none')", "customers.ssn");
        assertUnsupported("ALTER TABLE customers /*!, MODIFY email INT */", "customers.email");
        assertFalse(plan("ALTER TABLE customers ALTER COLUMN email SET DEFAULT NULL").touchesEncrypted());
        assertFalse(plan("ALTER TABLE customers ALTER email DROP DEFAULT").touchesEncrypted());
        assertFalse(plan("ALTER TABLE customers ADD COLUMN nick TEXT DEFAULT 'x', ALGORITHM=INPLACE").touchesEncrypted());
        assertFalse(plan("ALTER TABLE customers ADD INDEX customers_email (email)").touchesEncrypted());
        assertFalse(plan("ALTER TABLE customers CHANGE name full_name VARCHAR(200)").touchesEncrypted());
        assertFalse(plan("CREATE TABLE customers_copy LIKE customers").touchesEncrypted());
    }

    @Test
    void serverSideCodeOnAnEncryptedTableIsRefused() {
        assertUnsupported("CREATE TRIGGER t AFTER INSERT ON customers FOR EACH ROW INSERT INTO products (title) VALUES (NEW.email)",
                "trigger", "customers");
        assertUnsupported("CREATE DEFINER=`root`@`localhost` PROCEDURE p() SELECT email FROM customers", "procedure", "customers");
        assertUnsupported("CREATE OR REPLACE FUNCTION f() RETURNS TEXT RETURN (SELECT email FROM customers LIMIT 1)", "function");
        assertUnsupported("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM customers", "event");
        assertUnsupported("BEGIN NOT ATOMIC INSERT INTO customers (email) VALUES ('x@y'); END", "compound", "customers");
    }
}
