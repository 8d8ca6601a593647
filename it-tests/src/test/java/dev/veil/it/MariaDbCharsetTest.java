package dev.veil.it;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Client character sets in which a backslash byte can end a multi-byte character (gbk, sjis,
 * cp932, big5, gb18030): the server then reads a string's end where Veil, reading the decoded
 * text, sees an escaped quote. Veil refuses to switch to them, and refuses statements on encrypted
 * tables in a session that has one, on the real server.
 */
class MariaDbCharsetTest {
    /** Under utf8mb4 one string; under gbk the server reads the backslash as half of a character and two columns. */
    private static final String SPLIT = "SELECT '\u4e2d\\' , 2 -- '";

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

    private static int columns(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.getMetaData().getColumnCount();
        }
    }

    private static void refused(Executable e, String what) {
        VeilException x = assertThrows(VeilException.class, e);
        assertEquals(VeilState.UNSUPPORTED_SQL, x.state());
        assertTrue(x.getMessage().contains(what), x.getMessage());
    }

    @Test
    void theServerReallyReadsABackslashAsHalfACharacterUnderGbk() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            assertEquals(1, columns(s, SPLIT));
            s.execute("SET NAMES gbk");
            assertEquals(2, columns(s, SPLIT));
        }
    }

    @Test
    void switchingToSuchACharsetIsRefused() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            refused(() -> s.execute("SET NAMES gbk"), "gbk");
            refused(() -> s.execute("set names 'SJIS' collate sjis_japanese_ci"), "sjis");
            refused(() -> s.execute("SET CHARACTER SET cp932"), "cp932");
            refused(() -> s.execute("/*!40101 SET NAMES big5 */"), "big5");
            refused(() -> s.execute("SET SESSION character_set_client = gb18030"), "gb18030");
            assertEquals(1, columns(s, SPLIT));
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Utf', 'utf@example.com')");
        }
        assertTrue(MariaDbLexingTest.raw(db, "email", "Utf").startsWith("vl1:"));
    }

    @Test
    void aSessionThatGotThereAnywayRunsNoStatementOnAnEncryptedTable() throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SET @cs = CONCAT('g', 'bk')");
            s.execute("SET character_set_client = @cs");
            refused(() -> s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Gb', 'gb@example.com')"), "gbk");
            refused(() -> s.executeQuery("SELECT '\u4e2d\\' , email FROM customers -- '"), "gbk");
            refused(() -> c.prepareStatement("SELECT id FROM customers WHERE email = ?"), "gbk");
            assertEquals(2, columns(s, SPLIT)); // names nothing protected: runs, read as the server reads it
            s.execute("SET NAMES utf8mb4");
            s.executeUpdate("INSERT INTO customers (name, email) VALUES ('Back', 'back@example.com')");
        }
        assertTrue(MariaDbLexingTest.raw(db, "email", "Back").startsWith("vl1:"));
    }

    @Test
    void aConnectionOpenedWithSuchACharsetRunsNoStatementOnAnEncryptedTable() throws Exception {
        try (Connection c = DriverManager.getConnection(url + "&sessionVariables=character_set_client=sjis");
             Statement s = c.createStatement()) {
            refused(() -> s.executeQuery("SELECT email FROM customers"), "sjis");
        }
    }
}
