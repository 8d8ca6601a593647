package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.sql.SqlSyntax;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlModesTest {
    private static final SqlSyntax MARIADB = SqlSyntax.mysql(true, "10.11.6-MariaDB", "");

    @Test
    void charsetChangesAreFollowed() {
        assertTrue(SqlModes.mayChange("SET NAMES utf8mb4", MARIADB));
        assertTrue(SqlModes.mayChange("/*!40101 SET CHARACTER SET latin1 */", MARIADB));
        assertTrue(SqlModes.mayChange("SET @@session.character_set_client = @x", MARIADB));
        assertTrue(SqlModes.mayChange("set sql_mode = ''", MARIADB));
        assertFalse(SqlModes.mayChange("SELECT names FROM people", MARIADB));
        assertFalse(SqlModes.mayChange("INSERT INTO customers (email) VALUES (?)", MARIADB));
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
}
