package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MariaDB/MySQL lexical rules on inputs chosen to fool a scanner that knows PostgreSQL's. */
class MySqlScannerTest {
    static final SqlSyntax MARIADB = SqlSyntax.mysql(true, "10.11.6-MariaDB-0+deb12u1", "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION");
    static final SqlSyntax MYSQL = SqlSyntax.mysql(false, "8.0.36", "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES");
    static final SqlSyntax NO_BACKSLASH = SqlSyntax.mysql(true, "10.11.6-MariaDB", "NO_BACKSLASH_ESCAPES");
    static final SqlSyntax ANSI = SqlSyntax.mysql(true, "10.11.6-MariaDB", "PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE");

    static ScannedSql scan(String sql, SqlSyntax syntax) {
        ScannedSql s = syntax.scan(sql);
        assertEquals(sql, s.original());
        return s;
    }

    static List<String> values(ScannedSql s) {
        return s.literals().stream().map(SqlLiteral::value).toList();
    }

    @Test
    void readsTheSessionModeAndVersion() {
        assertEquals(101106, MARIADB.version());
        assertEquals(80036, MYSQL.version());
        assertTrue(MARIADB.backslashEscapes());
        assertTrue(!NO_BACKSLASH.backslashEscapes());
        assertTrue(ANSI.ansiQuotes() && !MARIADB.ansiQuotes());
        assertTrue(SqlSyntax.mysql(false, "8.0.36", "ANSI").ansiQuotes());
        assertTrue(SqlSyntax.mysql(false, "5.7.44-log", "").backslashEscapes());
        assertEquals(50744, SqlSyntax.mysql(false, "5.7.44-log", "").version());
    }

    @Test
    void syntaxesAreEqualExactlyWhenEveryRuleIs() {
        // plans are cached per syntax: two sessions share plans only under the same rules
        SqlSyntax base = new SqlSyntax(SqlSyntax.Family.MARIADB, 101106, true, false, "gbk");
        SqlSyntax same = SqlSyntax.mysql(true, "10.11.6-MariaDB", "", "GBK");
        assertEquals(base, same);
        assertEquals(base.hashCode(), same.hashCode());
        List<SqlSyntax> others = List.of(new SqlSyntax(SqlSyntax.Family.MYSQL, 101106, true, false, "gbk"),
                new SqlSyntax(SqlSyntax.Family.MARIADB, 101107, true, false, "gbk"), new SqlSyntax(SqlSyntax.Family.MARIADB, 101106, false, false, "gbk"),
                new SqlSyntax(SqlSyntax.Family.MARIADB, 101106, true, true, "gbk"), new SqlSyntax(SqlSyntax.Family.MARIADB, 101106, true, false, null),
                new SqlSyntax(SqlSyntax.Family.MARIADB, 101106, true, false, "sjis"));
        for (SqlSyntax other : others) {
            assertTrue(!base.equals(other) && !other.equals(base), other.toString());
            assertTrue(base.hashCode() != other.hashCode(), other.toString());
        }
        assertTrue(!base.equals(null) && !base.equals("MARIADB"));
        assertEquals(SqlSyntax.POSTGRESQL, new SqlSyntax(SqlSyntax.Family.POSTGRESQL, 0, false, false, null));
    }

    @Test
    void executableCommentsAreCode() {
        ScannedSql s = scan("INSERT INTO customers (name, email) VALUES ('n' /*!, 'x@y' */)", MARIADB);
        assertEquals("INSERT INTO customers (name, email) VALUES ('0'  , '1'  )", s.normalized());
        assertEquals(List.of("n", "x@y"), values(s));
        assertNull(s.ambiguity());
        assertEquals("SELECT id FROM customers WHERE name = '0'   OR email LIKE '1'  ",
                scan("SELECT id FROM customers WHERE name = 'n' /*! OR email LIKE 'x%' */", MARIADB).normalized());
        assertEquals("SELECT 0  , email  FROM customers", scan("SELECT 1 /*M!, email*/ FROM customers", MARIADB).normalized());
        assertEquals("SELECT 0  , email  FROM customers", scan("SELECT 1 /*!50000, email*/ FROM customers", MARIADB).normalized());
        assertEquals("SELECT 0  , email  FROM customers", scan("SELECT 1 /*!100000, email*/ FROM customers", MARIADB).normalized());
        assertEquals("SELECT 0  , email  FROM customers", scan("SELECT 1 /*M!100000, email*/ FROM customers", MARIADB).normalized());
    }

    @Test
    void versionedCommentsForLaterServersAreComments() {
        assertEquals("SELECT 0   FROM customers", scan("SELECT 1 /*!999999, email*/ FROM customers", MARIADB).normalized());
        assertEquals("SELECT 0   FROM customers", scan("SELECT 1 /*!90000, email*/ FROM customers", MYSQL).normalized());
        // MySQL does not know /*M!: a comment there
        assertEquals("SELECT 0   FROM customers", scan("SELECT 1 /*M!, email*/ FROM customers", MYSQL).normalized());
        assertEquals("SELECT 0  , email  FROM customers", scan("SELECT 1 /*!80000, email*/ FROM customers", MYSQL).normalized());
    }

    @Test
    void versionNumbersOfUnclearLengthAreAmbiguous() {
        assertTrue(scan("SELECT 1 /*!1234567 , email */ FROM customers", MARIADB).ambiguity().contains("7 digits"));
        assertTrue(scan("SELECT 1 /*!5000 , email */ FROM customers", MARIADB).ambiguity().contains("4 digits"));
        assertTrue(scan("SELECT 1 /*!100000 , email */ FROM customers", MYSQL).ambiguity().contains("6 digits"));
    }

    @Test
    void commentsDoNotNest() {
        // PostgreSQL would read all of this as one comment; MariaDB runs ", email"
        ScannedSql s = scan("SELECT name /* a /* b */ , email /* c */ FROM customers", MARIADB);
        assertEquals("SELECT name   , email   FROM customers", s.normalized());
        assertTrue(scan("SELECT 1 /*! /* x */ , email */ FROM customers", MARIADB).ambiguity().contains("comment inside"));
        assertTrue(scan("SELECT 1 /*! -- x\n , email */ FROM customers", MARIADB).ambiguity().contains("line comment"));
        assertTrue(scan("SELECT 1 /*! , email FROM customers", MARIADB).ambiguity().contains("not closed"));
    }

    @Test
    void hashAndDashDashSpaceComments() {
        assertEquals("SELECT email FROM customers  \nWHERE id = 0", scan("SELECT email FROM customers # ' x\nWHERE id = 1", MARIADB).normalized());
        assertEquals("SELECT 0  \n, email", scan("SELECT 1 -- x\n, email", MARIADB).normalized());
        // --1 is minus minus one, not a comment
        ScannedSql s = scan("SELECT 1 --1, email FROM customers", MARIADB);
        assertEquals("SELECT 0 --1, email FROM customers", s.normalized());
        assertEquals(List.of("1", "1"), values(s));
        assertEquals("SELECT 0  ", scan("SELECT 1 --", MARIADB).normalized());
    }

    @Test
    void backslashEscapesAQuote() {
        // PostgreSQL would end the string at the second quote and read ", email = 'x" as code
        ScannedSql s = scan("UPDATE customers SET name = 'a\\', email = ' WHERE id = 1", MARIADB);
        assertEquals("UPDATE customers SET name = '0' WHERE id = 1", s.normalized());
        assertEquals(List.of("a', email = ", "1"), values(s));
        assertEquals(List.of("a\nb\\%\u0000\tc\"d"), values(scan("SELECT 'a\\nb\\%\\0\\tc\\\"d'", MARIADB)));
    }

    @Test
    void noBackslashEscapesEndsTheStringAtTheQuote() {
        ScannedSql s = scan("UPDATE customers SET name = 'a\\', email = 'x' WHERE id = 1", NO_BACKSLASH);
        assertEquals("UPDATE customers SET name = '0', email = '1' WHERE id = 2", s.normalized());
        assertEquals(List.of("a\\", "x", "1"), values(s));
    }

    @Test
    void doubleQuotesAreStringsUnlessAnsiQuotes() {
        ScannedSql s = scan("SELECT id FROM customers WHERE email = \"x@y\"", MARIADB);
        assertEquals("SELECT id FROM customers WHERE email = '0'", s.normalized());
        assertEquals(List.of("x@y"), values(s));
        ScannedSql ansi = scan("SELECT \"email\" FROM customers WHERE name = 'it''s'", ANSI);
        assertEquals("SELECT \"email\" FROM customers WHERE name = '0'", ansi.normalized());
        assertEquals(List.of("it's"), values(ansi));
    }

    @Test
    void backQuotedNamesHideNothing() {
        ScannedSql s = scan("SELECT `e'mail`, `a``b` FROM `customers` WHERE id = 1", MARIADB);
        assertEquals("SELECT `e'mail`, `a``b` FROM `customers` WHERE id = 0", s.normalized());
        assertEquals(List.of("1"), values(s));
    }

    @Test
    void prefixedLiterals() {
        ScannedSql s = scan("SELECT _utf8mb4'a' , N'b', X'41', b'01', 0x41, 0b1, x, _utf8mb4\"c\" FROM t", MARIADB);
        assertEquals("SELECT '0' , '1', '2', '3', '4', '5', x, '6' FROM t", s.normalized());
        assertEquals(List.of("_UTF8MB4", "N", "X", "B", "0X", "0B", "_UTF8MB4"), s.literals().stream().map(SqlLiteral::prefix).toList());
        assertNull(s.ambiguity());
    }

    @Test
    void adjacentStringsAreJoinedByTheServer() {
        assertTrue(scan("INSERT INTO customers (email) VALUES ('x@' 'y')", MARIADB).ambiguity().contains("adjacent"));
        assertTrue(scan("INSERT INTO customers (email) VALUES ('x@' /* */ \"y\")", MARIADB).ambiguity().contains("adjacent"));
        assertTrue(scan("INSERT INTO customers (email) VALUES ('x@' _utf8mb4'y')", MARIADB).ambiguity().contains("adjacent"));
        assertNull(scan("INSERT INTO customers (name, email) VALUES ('x', 'y')", MARIADB).ambiguity());
    }

    @Test
    void parameterMarkers() {
        ScannedSql s = scan("SELECT '?', `?`, \"?\" FROM t WHERE a = ? # ?\n AND b = ?", MARIADB);
        assertEquals(2, s.parameterMarkers());
        assertTrue(scan("SELECT a FROM t WHERE a = ? /*! OR b = ? */", MARIADB).ambiguity().contains("parameter marker"));
    }

    @Test
    void unclosedThingsAreAmbiguous() {
        assertTrue(scan("SELECT 'abc", MARIADB).ambiguity().contains("string"));
        assertTrue(scan("SELECT `abc", MARIADB).ambiguity().contains("name"));
        assertTrue(scan("SELECT 1 /* abc", MARIADB).ambiguity().contains("comment"));
        assertTrue(scan("SELECT 'a\\'", MARIADB).ambiguity().contains("string"));
    }

    @Test
    void namesThatStartWithDigitsAndNumbers() {
        ScannedSql s = scan("SELECT 1e5, .5, 12, 1abc, t.5x FROM t", MARIADB);
        assertEquals("SELECT 0, 1, 2, 1abc, t.5x FROM t", s.normalized());
        assertEquals(List.of("1e5", ".5", "12"), values(s));
    }

    @Test
    void parenthesesOutsideLiteralsBalance() {
        assertTrue(scan("SELECT (')') FROM t", MARIADB).balanced());
        assertTrue(!scan("SELECT (\"(\" FROM t", MARIADB).balanced());
    }
}
