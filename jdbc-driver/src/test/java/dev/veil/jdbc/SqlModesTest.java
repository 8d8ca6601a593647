package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.sql.SqlSyntax;
import dev.veil.sql.StatementPlan;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlModesTest {
    private static final SqlSyntax MARIADB = SqlSyntax.mysql(true, "10.11.6-MariaDB", "");

    @Test
    void rulesAreReadAgainAfterAnythingButACommandKnownToKeepThem() {
        for (String sql : new String[] {"SET NAMES utf8mb4", "/*!40101 SET CHARACTER SET latin1 */", "SET CHARSET latin1",
                "SET @@session.character_set_client = @x", "set sql_mode = ''", "SET @a = 1, SESSION sql_mode = 'ANSI'",
                "SET SESSION sql_mode = ''", "SET STATEMENT sql_mode = '' FOR SELECT 1", "SET autocommit = 0", "CALL p()",
                "EXECUTE s", "PREPARE s FROM @q", "DO f()", "BEGIN NOT ATOMIC SET sql_mode = ''; END", "/*M! SELECT 1 */",
                "SELECT 1; SET @x = 1", "(SELECT 1)", "RESET QUERY CACHE", "USE shop", "CREATE TABLE t (a INT)", "",
                "frobnicate"}) {
            assertTrue(SqlModes.rereadAfter(StatementPlan.passThrough(sql), MARIADB), sql);
        }
        for (String sql : new String[] {"SELECT names FROM people", "INSERT INTO customers (email) VALUES (?)",
                " /* x */ -- y\n# z\nupdate t SET a = 1", "DELETE FROM t;", "REPLACE INTO t VALUES (1)", "WITH x AS (SELECT 1) SELECT * FROM x",
                "COMMIT", "rollback", "START TRANSACTION", "SAVEPOINT a", "SHOW TABLES", "SELECT @@sql_mode",
                "INSERT INTO t (note) VALUES ('SET sql_mode')"}) {
            assertFalse(SqlModes.rereadAfter(StatementPlan.passThrough(sql), MARIADB), sql);
        }
        assertFalse(SqlModes.rereadAfter(StatementPlan.passThrough("SET search_path TO x"), SqlSyntax.POSTGRESQL));
        assertTrue(SqlModes.rereadAfter(StatementPlan.passThrough("SET MODE MySQL"), SqlSyntax.h2("REGULAR")));
    }

    @Test
    void switchingToACharsetWhoseCharactersCanEndInABackslashIsRefused() throws VeilException {
        for (String sql : new String[] {"SET NAMES gbk", "set names 'SJIS'", "SET CHARACTER SET cp932", "SET CHARSET big5",
                "SET character_set_client = gb18030", "/*!40101 SET NAMES gbk */"}) {
            VeilException e = assertThrows(VeilException.class, () -> SqlModes.refuseUnreadableCharset(sql), sql);
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
        }
        SqlModes.refuseUnreadableCharset("SET NAMES utf8mb4");
        SqlModes.refuseUnreadableCharset("SET NAMES latin1");
        SqlModes.refuseUnreadableCharset("SELECT 'gbk'");
    }

    @Test
    void theSessionCharsetDecidesWhetherTextCanBeRead() {
        assertEquals("gbk", SqlSyntax.mysql(true, "10.11.6-MariaDB", "", "GBK").unreadableCharset());
        assertNull(SqlSyntax.mysql(true, "10.11.6-MariaDB", "", "utf8mb4").unreadableCharset());
        assertNull(SqlSyntax.mysql(true, "10.11.6-MariaDB", "", "latin1").unreadableCharset());
    }

    @Test
    void urlsWhoseDriverMayReconnectAloneAreKnown() {
        java.util.Properties none = new java.util.Properties();
        for (String url : new String[] {"jdbc:mysql://db:3306/shop?autoReconnect=true", "jdbc:mysql://db/shop?useSSL=true&AUTORECONNECT=yes",
                "jdbc:mysql://db/shop?autoReconnectForPools=true", "jdbc:mariadb://db/shop?transactionReplay=true",
                "jdbc:mariadb:sequential://a,b/shop", "jdbc:mariadb:replication://a,b/shop", "jdbc:mariadb:aurora://c/shop",
                "jdbc:mysql:loadbalance://a,b/shop", "jdbc:mysql:replication://a,b/shop", "jdbc:mysql+srv://_mysql._tcp.x/shop",
                "jdbc:mysql://a:3306,b:3306/shop", "jdbc:mariadb://a,b/shop"}) {
            assertTrue(SqlModes.mayReconnectSilently(url, none), url);
        }
        assertTrue(SqlModes.mayReconnectSilently(null, none), "an unknown URL counts as one that may reconnect");
        java.util.Properties props = new java.util.Properties();
        props.setProperty("autoReconnect", "true");
        assertTrue(SqlModes.mayReconnectSilently("jdbc:mysql://db/shop", props));
        for (String url : new String[] {"jdbc:mysql://db:3306/shop", "jdbc:mariadb://db/shop?autoReconnect=false",
                "jdbc:mariadb://127.0.0.1:3306/test?user=root&password=a,b", "jdbc:h2:mem:shop;MODE=MySQL"}) {
            assertFalse(SqlModes.mayReconnectSilently(url, none), url);
        }
    }
}
