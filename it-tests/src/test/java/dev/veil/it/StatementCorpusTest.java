package dev.veil.it;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statement corpus: over a shop schema with randomized, deterministic and domain columns, each
 * statement either round-trips plaintext (and, for writes, the real connection underneath sees
 * only ciphertext) or fails with the named VeilException. Each case runs in a transaction that is
 * rolled back, so cases do not see each other's writes.
 *
 * <p>Every case runs on PostgreSQL and, when {@code VEIL_IT_MARIADB_URL} is set, on MariaDB through
 * MariaDB Connector/J and through MySQL Connector/J; cases written in one database's syntax run on that database only
 * ({@link #pg}, {@link #maria}).
 */
class StatementCorpusTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static String url;
    static TestDatabase mariadb;
    static String mariadbUrl;
    /** The same MariaDB database through MySQL Connector/J. */
    static String mysqlUrl;

    /** What a case checks, given the Veil connection. */
    @FunctionalInterface
    interface Check {
        void run(Connection veil) throws Exception;
    }

    @BeforeAll
    static void setUp() throws Exception {
        Path policy = ShopSchema.policy(dir);
        db = TestDatabase.postgres();
        url = fill(db, policy);
        db.execute("SELECT setval('customers_id_seq', 50)", "SELECT setval('orders_id_seq', 50)", "SELECT setval('payments_id_seq', 50)");
        mariadb = TestDatabase.mariadbOrNull();
        if (mariadb != null) {
            mariadbUrl = fill(mariadb, policy);
            mysqlUrl = mariadbUrl.replace("jdbc:veil:mariadb:", "jdbc:veil:mysql:");
            mariadb.execute("ALTER TABLE customers AUTO_INCREMENT = 51", "ALTER TABLE orders AUTO_INCREMENT = 51", "ALTER TABLE payments AUTO_INCREMENT = 51");
        }
    }

    /** Creates the shop schema with its rows (written through Veil); returns the Veil URL. */
    static String fill(TestDatabase db, Path policy) throws Exception {
        ShopSchema.create(db);
        String url = ShopSchema.veilUrl(db, policy);
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO customers (id, name, email, ssn, phone, birth_date, tier) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                customer(ps, 1, "Alice", "alice@example.com", "111-11-1111", "+1-555-0100", LocalDate.of(1980, 1, 1), "gold");
                customer(ps, 2, "Bob", "bob@example.com", "222-22-2222", "+1-555-0101", LocalDate.of(1975, 6, 15), "silver");
                customer(ps, 3, "Carol", "carol@example.com", null, null, null, "gold");
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (id, customer_id, total, note, total_secret) VALUES (?, ?, ?, ?, ?)")) {
                order(ps, 1, 1, "10.00", "first order", new BigDecimal("10.00"));
                order(ps, 2, 1, "20.00", "second order", new BigDecimal("20.5"));
                order(ps, 3, 2, "5.00", null, null);
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments (id, order_id, card_token, contact_phone, amount) VALUES (?, ?, ?, ?, ?)")) {
                payment(ps, 1, 1, new byte[] {1, 2, 3}, "+1-555-0100", "10.00");
                payment(ps, 2, 3, new byte[] {4, 5, 6}, "+1-555-0101", "5.00");
                ps.executeBatch();
            }
        }
        return url;
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
        if (mariadb != null) {
            mariadb.close();
        }
    }

    static void customer(PreparedStatement ps, int id, String name, String email, String ssn, String phone, LocalDate born, String tier)
            throws SQLException {
        ps.setInt(1, id);
        ps.setString(2, name);
        ps.setString(3, email);
        ps.setString(4, ssn);
        ps.setString(5, phone);
        ps.setObject(6, born);
        ps.setString(7, tier);
        ps.addBatch();
    }

    static void order(PreparedStatement ps, int id, int customer, String total, String note, BigDecimal secret) throws SQLException {
        ps.setInt(1, id);
        ps.setInt(2, customer);
        ps.setBigDecimal(3, new BigDecimal(total));
        ps.setString(4, note);
        ps.setBigDecimal(5, secret);
        ps.addBatch();
    }

    static void payment(PreparedStatement ps, int id, int order, byte[] token, String phone, String amount) throws SQLException {
        ps.setInt(1, id);
        ps.setInt(2, order);
        ps.setBytes(3, token);
        ps.setString(4, phone);
        ps.setBigDecimal(5, new BigDecimal(amount));
        ps.addBatch();
    }

    // ---- the checks ----

    /** A query with parameters whose rows, read with getString and joined by '|', are {@code rows}. */
    static Check rows(String sql, Object[] params, String... rows) {
        return c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(c, ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals(Arrays.asList(rows), read(rs), sql);
                }
            }
        };
    }

    /** A plain Statement query. */
    static Check plainRows(String sql, String... rows) {
        return c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                assertEquals(Arrays.asList(rows), read(rs), sql);
            }
        };
    }

    /** A write with parameters; then {@code rawCheck} through the real connection must see ciphertext only, and {@code readBack} plaintext. */
    static Check write(String sql, Object[] params, int updated, String rawCheck, String readBack, String... expected) {
        return c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(c, ps, params);
                assertEquals(updated, ps.executeUpdate(), sql);
            }
            ciphertextOnly(c, rawCheck);
            if (readBack != null) {
                plainRows(readBack, expected).run(c);
            }
        };
    }

    /** A plain Statement write. */
    static Check plainWrite(String sql, int updated, String rawCheck, String readBack, String... expected) {
        return c -> {
            try (Statement s = c.createStatement()) {
                assertEquals(updated, s.executeUpdate(sql), sql);
            }
            ciphertextOnly(c, rawCheck);
            if (readBack != null) {
                plainRows(readBack, expected).run(c);
            }
        };
    }

    /** The statement is refused with {@code state}, naming {@code fragment}, at prepare or at execution. */
    static Check refused(String sql, VeilState state, String fragment) {
        return c -> {
            VeilException e = assertThrows(VeilException.class, () -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 1; i <= ps.getParameterMetaData().getParameterCount(); i++) {
                        ps.setString(i, "x");
                    }
                    ps.execute();
                }
            }, sql);
            assertEquals(state, e.state(), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        };
    }

    static Check plainRefused(String sql, VeilState state, String fragment) {
        return c -> {
            VeilException e = assertThrows(VeilException.class, () -> {
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                }
            }, sql);
            assertEquals(state, e.state(), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
            assertFalse(e.getMessage().contains("example.com"), "never a value in a message: " + e.getMessage());
        };
    }

    static Object[] p(Object... params) {
        return params;
    }

    static void bind(Connection c, PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object v = params[i];
            if (v instanceof String[] array) {
                ps.setArray(i + 1, c.createArrayOf("text", array));
            } else {
                ps.setObject(i + 1, v);
            }
        }
    }

    static List<String> read(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                row.append(i > 1 ? "|" : "").append(rs.getString(i));
            }
            out.add(row.toString());
        }
        return out;
    }

    /** Reads through the real driver's connection beneath Veil: every non-null value must be an envelope. */
    static void ciphertextOnly(Connection veil, String sql) throws SQLException {
        int values = 0;
        Connection raw = dev.veil.jdbc.Beneath.raw(veil);
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    byte[] bytes = rs.getBytes(i);
                    if (bytes == null) {
                        continue;
                    }
                    values++;
                    String text = rs.getString(i);
                    int type = rs.getMetaData().getColumnType(i);
                    boolean binary = type == java.sql.Types.BINARY || type == java.sql.Types.VARBINARY || type == java.sql.Types.LONGVARBINARY;
                    boolean envelope = text.startsWith("vl1:") || binary && (bytes[0] & 0xFF) == 0xF7;
                    assertTrue(envelope, "raw value " + i + " of " + sql + " is not ciphertext: " + text);
                }
            }
        }
        assertTrue(values > 0, "the raw check found no values: " + sql);
    }

    /** A case for every database. */
    static DynamicNode test(String name, Check check) {
        return on(name, check, true, true);
    }

    /** A case in PostgreSQL syntax. */
    static DynamicNode pg(String name, Check check) {
        return on(name, check, true, false);
    }

    /** A case in MariaDB/MySQL syntax. */
    static DynamicNode maria(String name, Check check) {
        return on(name, check, false, true);
    }

    /**
     * A case MySQL Connector/J cannot run whatever Veil does: it refuses {@code executeQuery} for
     * INSERT and DELETE, so {@code RETURNING} (which MariaDB has) is out of its reach.
     */
    static DynamicNode notMySqlDriver(String name, Check check) {
        return on(name, check, true, true, false);
    }

    static DynamicNode on(String name, Check check, boolean postgres, boolean maria) {
        return on(name, check, postgres, maria, maria);
    }

    static DynamicNode on(String name, Check check, boolean postgres, boolean mariadbDriver, boolean mysqlDriver) {
        List<DynamicTest> tests = new ArrayList<>();
        if (postgres) {
            tests.add(run("PostgreSQL", () -> url, check));
        }
        if (mariadbDriver) {
            tests.add(run("MariaDB", () -> mariadbUrl, check));
        }
        if (mysqlDriver) {
            tests.add(run("MariaDB, MySQL Connector/J", () -> mysqlUrl, check));
        }
        return DynamicContainer.dynamicContainer(name, tests);
    }

    static DynamicTest run(String database, java.util.function.Supplier<String> target, Check check) {
        return DynamicTest.dynamicTest(database, () -> {
            String url = target.get();
            Assumptions.assumeTrue(url != null, "VEIL_IT_MARIADB_URL is not set");
            try (Connection c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                try {
                    check.run(c);
                } finally {
                    c.rollback();
                }
            }
        });
    }

    static final VeilState UNSUPPORTED = VeilState.UNSUPPORTED_SQL;

    @TestFactory
    Stream<DynamicNode> reads() {
        return Stream.of(
                test("point select decrypts", rows("SELECT email FROM customers WHERE id = ?", p(1), "alice@example.com")),
                test("equality on deterministic column", rows("SELECT name FROM customers WHERE email = ?", p("bob@example.com"), "Bob")),
                test("parameter on the left", rows("SELECT name FROM customers WHERE ? = email", p("bob@example.com"), "Bob")),
                test("table alias", rows("SELECT c.name, c.ssn FROM customers c WHERE c.email = ?", p("alice@example.com"), "Alice|111-11-1111")),
                test("select star", rows("SELECT * FROM customers WHERE id = ?", p(2), "2|Bob|bob@example.com|222-22-2222|+1-555-0101|1975-06-15|silver")),
                test("alias star", rows("SELECT c.* FROM customers c WHERE c.id = ?", p(3), "3|Carol|carol@example.com|null|null|null|gold")),
                test("column alias", rows("SELECT email AS e FROM customers WHERE id = ?", p(2), "bob@example.com")),
                pg("quoted and upper-case names", rows("SELECT \"email\" FROM CUSTOMERS WHERE ID = ?", p(1), "alice@example.com")),
                pg("schema-qualified table", rows("SELECT email FROM public.customers WHERE id = ?", p(1), "alice@example.com")),
                test("sub-select in FROM", rows("SELECT x.e FROM (SELECT email AS e FROM customers WHERE id = ?) x", p(1), "alice@example.com")),
                test("CTE", rows("WITH t AS (SELECT email, ssn FROM customers WHERE id = ?) SELECT ssn FROM t", p(2), "222-22-2222")),
                test("UNION of one column", rows("SELECT email FROM customers WHERE id = ? UNION ALL SELECT email FROM customers WHERE id = ?", p(1, 2),
                        "alice@example.com", "bob@example.com")),
                test("IN list", rows("SELECT name FROM customers WHERE email IN (?, ?) ORDER BY id", p("alice@example.com", "bob@example.com"), "Alice", "Bob")),
                pg("= ANY(array)", rows("SELECT name FROM customers WHERE email = ANY(?) ORDER BY id",
                        p((Object) new String[] {"carol@example.com", "alice@example.com"}), "Alice", "Carol")),
                test("not equal", rows("SELECT name FROM customers WHERE email <> ? ORDER BY id", p("alice@example.com"), "Bob", "Carol")),
                test("IS NULL on randomized", rows("SELECT name FROM customers WHERE ssn IS NULL", p(), "Carol")),
                test("IS NOT NULL count", rows("SELECT count(*) FROM customers WHERE ssn IS NOT NULL", p(), "2")),
                test("count of an encrypted column", rows("SELECT count(email) FROM customers", p(), "3")),
                test("count distinct deterministic", rows("SELECT count(DISTINCT email) FROM customers", p(), "3")),
                test("group by deterministic", rows("SELECT count(*) FROM customers GROUP BY email", p(), "1", "1", "1")),
                test("distinct deterministic", rows("SELECT count(*) FROM (SELECT DISTINCT email FROM customers) d", p(), "3")),
                test("join with predicate on encrypted column", rows(
                        "SELECT c.name, o.note FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = ? ORDER BY o.id",
                        p("alice@example.com"), "Alice|first order", "Alice|second order")),
                test("predicate in IN sub-select", rows(
                        "SELECT o.note FROM orders o WHERE o.customer_id IN (SELECT id FROM customers WHERE email = ?) ORDER BY o.id",
                        p("alice@example.com"), "first order", "second order")),
                test("join on a shared domain", rows("SELECT c.name, p.id FROM customers c JOIN payments p ON p.contact_phone = c.phone ORDER BY c.id",
                        p(), "Alice|1", "Bob|2")),
                test("equality on domain column", rows("SELECT name FROM customers WHERE phone = ?", p("+1-555-0101"), "Bob")),
                test("binary deterministic equality", rows("SELECT id FROM payments WHERE card_token = ?", p((Object) new byte[] {4, 5, 6}), "2")),
                pg("binary column read", rows("SELECT card_token FROM payments WHERE id = ?", p(1), "\\x010203")),
                test("date column read", rows("SELECT birth_date FROM customers WHERE id = ?", p(1), "1980-01-01")),
                test("decimal column read", rows("SELECT total_secret FROM orders WHERE id = ?", p(2), "20.5")),
                pg("cast on the parameter", rows("SELECT name FROM customers WHERE email = ?::text", p("alice@example.com"), "Alice")),
                test("Hibernate-style aliases", rows("select c1_0.id,c1_0.email,c1_0.name from customers c1_0 where c1_0.email=?",
                        p("carol@example.com"), "3|carol@example.com|Carol")),
                test("Hibernate-style paging", rows("select c1_0.id,c1_0.email from customers c1_0 order by c1_0.id offset ? rows fetch first ? rows only",
                        p(1, 1), "2|bob@example.com")),
                test("EXISTS with encrypted IS NOT NULL", rows(
                        "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.note IS NOT NULL)", p(), "Alice")),
                test("AND with a plain column", rows("SELECT name FROM customers WHERE email = ? AND tier = ?", p("alice@example.com", "gold"), "Alice")),
                test("OR of two encrypted columns", rows("SELECT name FROM customers WHERE email = ? OR phone = ? ORDER BY id",
                        p("carol@example.com", "+1-555-0100"), "Alice", "Carol")),
                test("plain columns and functions pass through", rows("SELECT upper(name), tier FROM customers WHERE id = ?", p(2), "BOB|silver")),
                test("plain Statement select", plainRows("SELECT email, ssn FROM customers WHERE id = 1", "alice@example.com|111-11-1111")),
                test("plain Statement literal rewritten", plainRows("SELECT name FROM customers WHERE email = 'carol@example.com'", "Carol")),
                test("plain Statement IN literals", plainRows("SELECT name FROM customers WHERE email IN ('alice@example.com', 'bob@example.com') ORDER BY id",
                        "Alice", "Bob")),
                test("quoted literal with apostrophe", plainRows("SELECT count(*) FROM customers WHERE email = 'o''brien@example.com'", "0")),
                test("SELECT 1 passes through", plainRows("SELECT 1", "1")),
                test("unrelated table passes through", plainRows("SELECT count(*) FROM audit_log", "0")),
                test("lateral-free scalar sub-select", rows("SELECT (SELECT email FROM customers WHERE id = ?) AS e", p(2), "bob@example.com")),
                test("typed getters and wasNull", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT birth_date, total_secret FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?")) {
                        ps.setInt(1, 3);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals(LocalDate.of(1975, 6, 15), rs.getObject(1, LocalDate.class));
                            assertEquals(java.sql.Date.valueOf("1975-06-15"), rs.getObject("birth_date"));
                            assertEquals(null, rs.getBigDecimal("total_secret"));
                            assertTrue(rs.wasNull());
                            assertEquals(0.0, rs.getDouble(2));
                            assertTrue(rs.wasNull());
                        }
                    }
                }),
                test("metadata reports logical types", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT birth_date, total_secret, email, name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?")) {
                        ps.setInt(1, 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            var md = rs.getMetaData();
                            assertEquals(java.sql.Types.DATE, md.getColumnType(1));
                            assertEquals(java.sql.Types.NUMERIC, md.getColumnType(2));
                            assertEquals(java.sql.Types.VARCHAR, md.getColumnType(3));
                            assertEquals("java.math.BigDecimal", md.getColumnClassName(2));
                        }
                    }
                }),
                test("wrong getter is a conversion error", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT email FROM customers WHERE id = ?")) {
                        ps.setInt(1, 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            VeilException e = assertThrows(VeilException.class, () -> rs.getInt(1));
                            assertEquals(VeilState.VALUE_CONVERSION, e.state());
                            assertFalse(e.getMessage().contains("alice"));
                        }
                    }
                }),
                pg("nothing handed out is raw", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT email FROM customers WHERE id = ?")) {
                        ps.setInt(1, 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.getStatement() == ps);
                            assertTrue(ps.getConnection() == c);
                            assertTrue(c.getMetaData().getConnection() == c);
                            assertTrue(c.isWrapperFor(PGConnection.class));
                            assertTrue(rs.unwrap(ResultSet.class) == rs);
                            try (ResultSet tables = c.getMetaData().getTables(null, null, "customers", null)) {
                                assertTrue(tables.getStatement() == null || tables.getStatement().getConnection() == c);
                            }
                        }
                    }
                    try (Statement s = c.createStatement()) {
                        assertTrue(s.execute("SELECT email FROM customers WHERE id = 2"));
                        try (ResultSet rs = s.getResultSet()) {
                            assertTrue(rs.next());
                            assertEquals("bob@example.com", rs.getString(1));
                            assertTrue(rs.getStatement() == s);
                        }
                    }
                })
        );
    }

    @TestFactory
    Stream<DynamicNode> writes() {
        return Stream.of(
                test("insert", write("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)", p("Zed", "zed@example.com", "999-99-9999"), 1,
                        "SELECT email, ssn FROM customers WHERE name = 'Zed'", "SELECT email, ssn FROM customers WHERE name = 'Zed'",
                        "zed@example.com|999-99-9999")),
                test("multi-row insert", write("INSERT INTO customers (name, email) VALUES (?, ?), (?, ?)", p("Y1", "y1@example.com", "Y2", "y2@example.com"), 2,
                        "SELECT email FROM customers WHERE name LIKE 'Y%'", "SELECT email FROM customers WHERE name LIKE 'Y%' ORDER BY name",
                        "y1@example.com", "y2@example.com")),
                test("insert without a column list", write("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?)",
                        p(100, "Nolist", "nolist@example.com", "000-00-0000", "+1-555-0199", LocalDate.of(2000, 2, 29), "bronze"), 1,
                        "SELECT email, ssn, phone, birth_date FROM customers WHERE id = 100", "SELECT email, birth_date FROM customers WHERE id = 100",
                        "nolist@example.com|2000-02-29")),
                notMySqlDriver("insert returning", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?) RETURNING id, email")) {
                        ps.setString(1, "Ret");
                        ps.setString(2, "ret@example.com");
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals("ret@example.com", rs.getString("email"));
                        }
                    }
                    ciphertextOnly(c, "SELECT email FROM customers WHERE name = 'Ret'");
                }),
                notMySqlDriver("insert returning star", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?) RETURNING *")) {
                        ps.setString(1, "Star");
                        ps.setString(2, "star@example.com");
                        ps.setString(3, "123");
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals("star@example.com", rs.getString("email"));
                            assertEquals("123", rs.getString("ssn"));
                        }
                    }
                }),
                pg("generated keys (pgjdbc appends RETURNING *)", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                        ps.setString(1, "Gen");
                        ps.setString(2, "gen@example.com");
                        assertEquals(1, ps.executeUpdate());
                        try (ResultSet keys = ps.getGeneratedKeys()) {
                            assertTrue(keys.next());
                            assertTrue(keys.getInt("id") > 50);
                            assertEquals("gen@example.com", keys.getString("email"));
                        }
                    }
                }),
                pg("generated keys by column name", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)", new String[] {"id", "email"})) {
                        ps.setString(1, "Gen2");
                        ps.setString(2, "gen2@example.com");
                        ps.executeUpdate();
                        try (ResultSet keys = ps.getGeneratedKeys()) {
                            assertTrue(keys.next());
                            assertEquals("gen2@example.com", keys.getString("email"));
                        }
                    }
                }),
                test("batch", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn) VALUES (?, ?, ?)")) {
                        for (int i = 0; i < 3; i++) {
                            ps.setString(1, "B" + i);
                            ps.setString(2, "b" + i + "@example.com");
                            ps.setString(3, "ssn-" + i);
                            ps.addBatch();
                        }
                        assertEquals(3, ps.executeBatch().length);
                    }
                    ciphertextOnly(c, "SELECT email, ssn FROM customers WHERE name LIKE 'B_'");
                    plainRows("SELECT ssn FROM customers WHERE email = 'b2@example.com'", "ssn-2").run(c);
                }),
                test("update an encrypted column", write("UPDATE customers SET email = ? WHERE id = ?", p("alice@new.example.com", 1), 1,
                        "SELECT email FROM customers WHERE id = 1", "SELECT name FROM customers WHERE email = 'alice@new.example.com'", "Alice")),
                test("update to NULL", write("UPDATE customers SET ssn = NULL, email = ? WHERE id = ?", p("n@example.com", 1), 1,
                        "SELECT email FROM customers WHERE id = 1", "SELECT ssn FROM customers WHERE id = 1", "null")),
                test("update where encrypted", write("UPDATE customers SET ssn = ? WHERE email = ?", p("555", "bob@example.com"), 1,
                        "SELECT ssn FROM customers WHERE id = 2", "SELECT ssn FROM customers WHERE id = 2", "555")),
                test("delete where encrypted", c -> {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM customers WHERE email = ?")) {
                        ps.setString(1, "carol@example.com");
                        assertEquals(1, ps.executeUpdate());
                    }
                }),
                notMySqlDriver("delete returning", rows("DELETE FROM customers WHERE id = ? RETURNING email, ssn", p(3), "carol@example.com|null")),
                test("plain Statement insert literals encrypted", plainWrite("INSERT INTO customers (name, email, ssn) VALUES ('Dan', 'dan@example.com', '444')", 1,
                        "SELECT email, ssn FROM customers WHERE name = 'Dan'", "SELECT email, ssn FROM customers WHERE name = 'Dan'", "dan@example.com|444")),
                test("plain Statement update literal encrypted", plainWrite("UPDATE customers SET ssn = '333-33-3333' WHERE id = 3", 1,
                        "SELECT ssn FROM customers WHERE id = 3", "SELECT ssn FROM customers WHERE id = 3", "333-33-3333")),
                test("plain Statement typed literals", plainWrite("UPDATE orders SET total_secret = 12.50 WHERE id = 3", 1,
                        "SELECT total_secret FROM orders WHERE id = 3", "SELECT total_secret FROM orders WHERE id = 3", "12.50")),
                pg("upsert with EXCLUDED", write(
                        "INSERT INTO customers (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email",
                        p(1, "Alice", "upsert@example.com"), 1, "SELECT email FROM customers WHERE id = 1", "SELECT email FROM customers WHERE id = 1",
                        "upsert@example.com")),
                pg("upsert with a parameter", write(
                        "INSERT INTO customers (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET ssn = ?",
                        p(2, "Bob", "bob@example.com", "777"), 1, "SELECT email, ssn FROM customers WHERE id = 2", "SELECT ssn FROM customers WHERE id = 2",
                        "777")),
                test("insert-select within one column", write("INSERT INTO customers (name, email) SELECT 'Copy', email FROM customers WHERE id = ?", p(1), 1,
                        "SELECT email FROM customers WHERE name = 'Copy'", "SELECT email FROM customers WHERE name = 'Copy'", "alice@example.com")),
                test("insert-select within one domain", write("INSERT INTO payments (order_id, contact_phone) SELECT 2, phone FROM customers WHERE id = ?", p(2), 1,
                        "SELECT contact_phone FROM payments WHERE order_id = 2", "SELECT contact_phone FROM payments WHERE order_id = 2", "+1-555-0101")),
                test("update copying within a column", write("UPDATE customers SET ssn = ssn WHERE id = ?", p(1), 1,
                        "SELECT ssn FROM customers WHERE id = 1", "SELECT ssn FROM customers WHERE id = 1", "111-11-1111")),
                test("typed setters: date, decimal, bytes", c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE customers SET birth_date = ? WHERE id = ?")) {
                        ps.setDate(1, java.sql.Date.valueOf("1999-12-31"));
                        ps.setInt(2, 3);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET total_secret = ? WHERE id = ?")) {
                        ps.setDouble(1, 7.25);
                        ps.setInt(2, 3);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement("UPDATE payments SET card_token = ? WHERE id = ?")) {
                        ps.setBytes(1, new byte[] {9, 9});
                        ps.setInt(2, 2);
                        ps.executeUpdate();
                    }
                    ciphertextOnly(c, "SELECT birth_date FROM customers WHERE id = 3");
                    ciphertextOnly(c, "SELECT card_token FROM payments WHERE id = 2");
                    plainRows("SELECT c.birth_date, o.total_secret FROM customers c, orders o WHERE c.id = 3 AND o.id = 3", "1999-12-31|7.25").run(c);
                    rows("SELECT id FROM payments WHERE card_token = ?", p((Object) new byte[] {9, 9}), "2").run(c);
                }),
                test("setNull on a binary column", c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE payments SET card_token = ? WHERE id = ?")) {
                        ps.setNull(1, java.sql.Types.INTEGER);
                        ps.setInt(2, 1);
                        assertEquals(1, ps.executeUpdate());
                    }
                    plainRows("SELECT card_token FROM payments WHERE id = 1", "null").run(c);
                }),
                test("setInt on a string column is its text", write("UPDATE customers SET email = ? WHERE id = ?", p(42, 2), 1,
                        "SELECT email FROM customers WHERE id = 2", "SELECT email FROM customers WHERE id = 2", "42")),
                pg("CTE insert", c -> {
                    try (PreparedStatement ps = c.prepareStatement("WITH ins AS (INSERT INTO customers (name, email) VALUES (?, ?) RETURNING id, email) SELECT email FROM ins")) {
                        ps.setString(1, "Cte");
                        ps.setString(2, "cte@example.com");
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals("cte@example.com", rs.getString(1));
                        }
                    }
                    ciphertextOnly(c, "SELECT email FROM customers WHERE name = 'Cte'");
                }),
                test("executeLargeUpdate", c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE customers SET tier = ? WHERE email = ?")) {
                        ps.setString(1, "platinum");
                        ps.setString(2, "alice@example.com");
                        assertEquals(1L, ps.executeLargeUpdate());
                    }
                }),
                pg("DDL and transactions pass through", c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("CREATE TEMP TABLE scratch (v TEXT)");
                        s.execute("SET LOCAL statement_timeout = '5s'");
                        s.execute("INSERT INTO scratch VALUES ('plain')");
                    }
                    plainRows("SELECT v FROM scratch", "plain").run(c);
                })
        );
    }

    /** Opaque code, DDL, whole-row references, COPY and unwrap on protected relations. */
    @TestFactory
    Stream<DynamicNode> protectedRelations() {
        return Stream.of(
                pg("DO block writing an encrypted table", c -> plainRefused("DO $$ BEGIN UPDATE customers SET email = 'x'; END $$", UNSUPPORTED, "customers").run(c)),
                pg("DO block in an E string", c -> plainRefused("DO E'BEGIN DELETE FROM orders WHERE note = ''x''; END'", UNSUPPORTED, "orders").run(c)),
                pg("PREPARE on an encrypted table", c -> plainRefused("PREPARE p1(text) AS SELECT id FROM customers WHERE email = $1", UNSUPPORTED, "PREPARE").run(c)),
                pg("EXECUTE of a statement not prepared through Veil", c -> plainRefused("EXECUTE unknown_statement('x')", UNSUPPORTED, "EXECUTE").run(c)),
                pg("function body writing an encrypted table", c -> plainRefused(
                        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'INSERT INTO payments (contact_phone) VALUES (''x'')'", UNSUPPORTED, "payments").run(c)),
                pg("rule writing an encrypted table", c -> plainRefused(
                        "CREATE RULE r AS ON INSERT TO audit_log DO ALSO UPDATE customers SET ssn = NEW.message", UNSUPPORTED, "customers").run(c)),
                pg("trigger on an encrypted table", c -> plainRefused(
                        "CREATE TRIGGER t AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION now()", UNSUPPORTED, "orders").run(c)),
                pg("literal default on an encrypted column", c -> plainRefused("ALTER TABLE customers ALTER COLUMN ssn SET DEFAULT 'x'", UNSUPPORTED, "customers.ssn").run(c)),
                pg("renaming an encrypted column", c -> plainRefused("ALTER TABLE orders RENAME COLUMN note TO remark", UNSUPPORTED, "orders.note").run(c)),
                pg("type change of an encrypted column", c -> plainRefused("ALTER TABLE customers ALTER COLUMN email TYPE varchar(10)", UNSUPPORTED, "customers.email").run(c)),
                pg("expression index over an encrypted column", c -> plainRefused("CREATE INDEX ON customers (upper(email))", UNSUPPORTED, "customers.email").run(c)),
                pg("CREATE TABLE AS copying ciphertext", c -> plainRefused("CREATE TABLE c_copy AS SELECT * FROM customers", UNSUPPORTED, "customers.").run(c)),
                pg("whole-row cast", c -> plainRefused("SELECT id FROM customers c WHERE c::text LIKE '%alice%'", UNSUPPORTED, "whole-row").run(c)),
                pg("whole-row to_jsonb", refused("SELECT id FROM customers c WHERE to_jsonb(c) ->> 'email' = ?", UNSUPPORTED, "whole-row")),
                pg("COPY from a server file", c -> plainRefused("COPY customers FROM '/tmp/customers.csv'", UNSUPPORTED, "getCopyAPI").run(c)),
                pg("DDL on other columns, DROP and a plain CREATE TABLE AS run", c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("ALTER TABLE customers ADD COLUMN nickname text DEFAULT 'none'");
                        s.execute("ALTER TABLE customers ALTER COLUMN tier SET DEFAULT 'bronze'");
                        s.execute("ALTER TABLE customers ALTER COLUMN email SET DEFAULT NULL");
                        s.execute("CREATE INDEX customers_email_corpus ON customers (email)");
                        s.execute("CREATE TABLE customer_names AS SELECT id, name FROM customers");
                        s.execute("DROP TABLE customer_names");
                        s.execute("ALTER TABLE customers DROP COLUMN nickname");
                    }
                    rows("SELECT name FROM customers WHERE email = ?", new Object[] {"bob@example.com"}, "Bob").run(c);
                }),
                pg("guarded COPY in and out, text and CSV", c -> {
                    org.postgresql.copy.CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                    copy.copyIn("COPY customers (id, name, email, ssn) FROM STDIN", new java.io.StringReader("70\tCopied\tcopied@example.com\t777-77-7777\n"));
                    copy.copyIn("COPY customers (id, name, email) FROM STDIN (FORMAT csv)", new java.io.StringReader("71,\"Csv, Row\",csv@example.com\n"));
                    rows("SELECT name, ssn FROM customers WHERE email = ?", new Object[] {"copied@example.com"}, "Copied|777-77-7777").run(c);
                    rows("SELECT name FROM customers WHERE email = ?", new Object[] {"csv@example.com"}, "Csv, Row").run(c);
                    ciphertextOnly(c, "SELECT email, ssn FROM customers WHERE id IN (70, 71)");
                    java.io.StringWriter out = new java.io.StringWriter();
                    copy.copyOut("COPY (SELECT id, email FROM customers WHERE id >= 70 ORDER BY id) TO STDOUT (FORMAT csv)", out);
                    assertEquals("70,copied@example.com\n71,csv@example.com\n", out.toString());
                }),
                pg("unwrap to the driver's classes is refused", c -> {
                    assertEquals(UNSUPPORTED, assertThrows(VeilException.class, () -> c.unwrap(org.postgresql.jdbc.PgConnection.class)).state());
                    assertFalse(c.isWrapperFor(org.postgresql.core.BaseConnection.class));
                    assertFalse(c.unwrap(PGConnection.class) instanceof Connection);
                }));
    }

    @TestFactory
    Stream<DynamicNode> refusals() {
        return Stream.of(
                test("LIKE on deterministic", refused("SELECT id FROM customers WHERE email LIKE ?", UNSUPPORTED, "email")),
                test("ILIKE", refused("SELECT id FROM customers WHERE email ILIKE ?", UNSUPPORTED, "email")),
                test("LIKE on randomized", refused("SELECT id FROM customers WHERE ssn LIKE '1%'", UNSUPPORTED, "ssn")),
                test("range", refused("SELECT id FROM customers WHERE email < ?", UNSUPPORTED, "email")),
                test("BETWEEN", refused("SELECT id FROM orders WHERE total_secret BETWEEN ? AND ?", UNSUPPORTED, "total_secret")),
                test("ORDER BY an encrypted column", refused("SELECT id FROM customers ORDER BY email", UNSUPPORTED, "email")),
                test("ORDER BY its position with LIMIT", refused("SELECT email FROM customers ORDER BY 1 LIMIT 5", UNSUPPORTED, "email")),
                test("ORDER BY its alias in a sub-select", refused("SELECT e FROM (SELECT email AS e FROM customers ORDER BY e) s",
                        UNSUPPORTED, "email")),
                test("function on deterministic", refused("SELECT id FROM customers WHERE lower(email) = ?", UNSUPPORTED, "email")),
                test("function in select list", refused("SELECT length(ssn) FROM customers", UNSUPPORTED, "ssn")),
                test("equality on randomized", refused("SELECT id FROM customers WHERE ssn = ?", UNSUPPORTED, "ssn")),
                test("IN on randomized", refused("SELECT id FROM customers WHERE ssn IN (?, ?)", UNSUPPORTED, "ssn")),
                test("encrypted vs plain column", refused("SELECT id FROM customers WHERE email = name", UNSUPPORTED, "email")),
                test("columns of different contexts", refused("SELECT id FROM customers WHERE email = phone", UNSUPPORTED, "email")),
                test("MAX", refused("SELECT max(email) FROM customers", UNSUPPORTED, "email")),
                test("SUM", refused("SELECT sum(total_secret) FROM orders", UNSUPPORTED, "total_secret")),
                test("concatenation", refused("SELECT email || '!' FROM customers", UNSUPPORTED, "email")),
                test("arithmetic", refused("UPDATE orders SET total_secret = total_secret + 1", UNSUPPORTED, "total_secret")),
                test("COALESCE", refused("SELECT coalesce(ssn, 'none') FROM customers", UNSUPPORTED, "ssn")),
                test("CASE", refused("SELECT CASE WHEN email IS NULL THEN 'none' ELSE email END FROM customers", UNSUPPORTED, "email")),
                test("DISTINCT randomized", refused("SELECT DISTINCT ssn FROM customers", UNSUPPORTED, "ssn")),
                test("GROUP BY randomized", refused("SELECT ssn, count(*) FROM customers GROUP BY ssn", UNSUPPORTED, "ssn")),
                test("copy into another context", refused("INSERT INTO customers (name, email) SELECT name, phone FROM customers", UNSUPPORTED, "email")),
                test("plain into encrypted", refused("INSERT INTO customers (name, email) SELECT name, tier FROM customers", UNSUPPORTED, "email")),
                test("update from another context", refused("UPDATE customers SET email = phone", UNSUPPORTED, "email")),
                test("computed value into encrypted", refused("UPDATE customers SET email = upper(name)", UNSUPPORTED, "email")),
                test("UNION of different contexts", refused("SELECT email FROM customers UNION SELECT phone FROM customers", UNSUPPORTED, "email")),
                test("mixed: equality then range", refused("SELECT id FROM customers WHERE email = ? AND birth_date > ?", UNSUPPORTED, "birth_date")),
                test("plain Statement LIKE literal", c -> plainRefused("SELECT id FROM customers WHERE email LIKE 'alice%'", UNSUPPORTED, "email").run(c)),
                test("plain Statement equality on randomized literal", c -> plainRefused("SELECT id FROM customers WHERE ssn = '111-11-1111'", UNSUPPORTED, "ssn").run(c)),
                test("unparseable SQL on an encrypted table", c -> plainRefused("SELECT email FROM customers WHERE ((", VeilState.UNPARSEABLE_SQL, "customers").run(c)),
                pg("callable statement on an encrypted table", c -> {
                    VeilException e = assertThrows(VeilException.class,
                            () -> c.prepareCall("{call audit((SELECT email FROM customers WHERE id = ?))}"));
                    assertEquals(UNSUPPORTED, e.state());
                    assertTrue(e.getMessage().contains("customers"), e.getMessage());
                    // a call that names no encrypted table passes through, wrapped
                    try (java.sql.CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
                        cs.registerOutParameter(1, java.sql.Types.VARCHAR);
                        cs.setString(2, "plain");
                        cs.execute();
                        assertEquals("PLAIN", cs.getString(1));
                        assertTrue(cs.getConnection() == c);
                    }
                }),
                test("updatable result set cannot write an encrypted column", c -> {
                    try (Statement s = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
                         ResultSet rs = s.executeQuery("SELECT id, email, tier FROM customers WHERE id = 1")) {
                        assertTrue(rs.next());
                        assertEquals(UNSUPPORTED, assertThrows(VeilException.class, () -> rs.updateString("email", "x@example.com")).state());
                        rs.updateString("tier", "iron");
                        rs.updateRow();
                    }
                    plainRows("SELECT tier FROM customers WHERE id = 1", "iron").run(c);
                }),
                test("PreparedStatement refuses another SQL text", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT 1")) {
                        assertThrows(SQLException.class, () -> ps.executeQuery("SELECT ssn FROM customers WHERE ssn = 'x'"));
                    }
                })
        );
    }

    /** MariaDB/MySQL shapes and the ways its lexical rules could carry values past a PostgreSQL-minded reader. */
    @TestFactory
    Stream<DynamicNode> mariadbShapes() {
        return Stream.of(
                maria("back-quoted and upper-case names", rows("SELECT `email` FROM customers WHERE ID = ?", p(1), "alice@example.com")),
                maria("database-qualified table", c -> rows("SELECT email FROM " + c.getCatalog() + ".customers WHERE id = ?", p(1),
                        "alice@example.com").run(c)),
                maria("LIMIT ?, ?", rows("SELECT email FROM customers ORDER BY id LIMIT ?, ?", p(1, 1), "bob@example.com")),
                maria("binary column read", c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT card_token FROM payments WHERE id = ?")) {
                        ps.setInt(1, 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {1, 2, 3}, rs.getBytes(1));
                        }
                    }
                }),
                maria("double-quoted string literal", plainRows("SELECT name FROM customers WHERE email = \"carol@example.com\"", "Carol")),
                maria("backslash-escaped literal", plainRows("SELECT count(*) FROM customers WHERE email = 'o\\'brien@example.com'", "0")),
                maria("# and -- comments", plainRows("SELECT email FROM customers # it's a comment\n-- and 'this'\nWHERE id = 1", "alice@example.com")),
                maria("generated key", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                        ps.setString(1, "Gen");
                        ps.setString(2, "gen@example.com");
                        assertEquals(1, ps.executeUpdate());
                        try (ResultSet keys = ps.getGeneratedKeys()) {
                            assertTrue(keys.next());
                            assertTrue(keys.getInt(1) > 50);
                        }
                    }
                    ciphertextOnly(c, "SELECT email FROM customers WHERE name = 'Gen'");
                }),
                maria("INSERT ... SET", write("INSERT INTO customers SET name = ?, email = ?", p("Set", "set@example.com"), 1,
                        "SELECT email FROM customers WHERE name = 'Set'", "SELECT email FROM customers WHERE name = 'Set'", "set@example.com")),
                maria("REPLACE INTO", write("REPLACE INTO customers (id, name, email) VALUES (?, ?, ?)", p(60, "Rep", "rep@example.com"), 1,
                        "SELECT email FROM customers WHERE id = 60", "SELECT email FROM customers WHERE id = 60", "rep@example.com")),
                maria("REPLACE INTO ... SET over a row", write("REPLACE INTO customers SET id = ?, name = ?, email = ?", p(3, "Carol", "rep3@example.com"), 2,
                        "SELECT email FROM customers WHERE id = 3", "SELECT email FROM customers WHERE id = 3", "rep3@example.com")),
                maria("INSERT IGNORE", write("INSERT IGNORE INTO customers (id, name, email) VALUES (?, ?, ?)", p(61, "Ign", "ign@example.com"), 1,
                        "SELECT email FROM customers WHERE id = 61", "SELECT email FROM customers WHERE id = 61", "ign@example.com")),
                maria("ON DUPLICATE KEY UPDATE col = VALUES(col)", write(
                        "INSERT INTO customers (id, name, email) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE email = VALUES(email)",
                        p(1, "Alice", "dup@example.com"), 2, "SELECT email FROM customers WHERE id = 1", "SELECT email FROM customers WHERE id = 1",
                        "dup@example.com")),
                maria("ON DUPLICATE KEY UPDATE with a parameter", write(
                        "INSERT INTO customers (id, name, email) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE ssn = ?",
                        p(2, "Bob", "bob@example.com", "777"), 2, "SELECT email, ssn FROM customers WHERE id = 2", "SELECT ssn FROM customers WHERE id = 2",
                        "777")),
                maria("multi-table UPDATE writes the joined table's column", write(
                        "UPDATE customers c JOIN orders o ON o.customer_id = c.id SET o.note = ? WHERE c.id = ? AND o.id = ?",
                        p("joined note", 1, 1), 1, "SELECT note FROM orders WHERE id = 1", "SELECT note FROM orders WHERE id = 1", "joined note")),
                maria("multi-table UPDATE of both tables", write(
                        "UPDATE customers c, orders o SET o.note = ?, c.ssn = ? WHERE o.customer_id = c.id AND o.id = ?",
                        p("n2", "ssn2", 2), 2, "SELECT c.ssn, o.note FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.id = 2",
                        "SELECT c.ssn, o.note FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.id = 2", "ssn2|n2")),
                maria("multi-table UPDATE with an unqualified column", write(
                        "UPDATE customers JOIN orders ON orders.customer_id = customers.id SET note = ? WHERE orders.id = ?",
                        p("unq", 2), 1, "SELECT note FROM orders WHERE id = 2", "SELECT note FROM orders WHERE id = 2", "unq")),
                maria("multi-table DELETE", c -> {
                    try (PreparedStatement ps = c.prepareStatement("DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = ? AND o.id = 2")) {
                        ps.setString(1, "alice@example.com");
                        assertEquals(1, ps.executeUpdate());
                    }
                }),
                maria("values in /*! */ are encrypted", plainWrite("INSERT INTO customers (name, email) VALUES ('Exec' /*!, 'exec@example.com' */)", 1,
                        "SELECT email FROM customers WHERE name = 'Exec'", "SELECT email FROM customers WHERE name = 'Exec'", "exec@example.com")),
                maria("columns and values in /*M! */ are encrypted", plainWrite(
                        "INSERT INTO customers (name /*M!, email */) VALUES ('ExecM' /*M!, 'execm@example.com' */)", 1,
                        "SELECT email FROM customers WHERE name = 'ExecM'", "SELECT email FROM customers WHERE name = 'ExecM'", "execm@example.com")),
                maria("values in /*!50000 */ are encrypted", plainWrite(
                        "INSERT INTO customers (name /*!50000, email */) VALUES ('Exec5' /*!50000, 'exec5@example.com' */)", 1,
                        "SELECT email FROM customers WHERE name = 'Exec5'", "SELECT email FROM customers WHERE name = 'Exec5'", "exec5@example.com")),
                maria("double-quoted literal encrypted", plainWrite("UPDATE customers SET ssn = \"333\" WHERE id = 3", 1,
                        "SELECT ssn FROM customers WHERE id = 3", "SELECT ssn FROM customers WHERE id = 3", "333")),
                maria("backslash-escaped literal encrypted", plainWrite("INSERT INTO customers (name, email) VALUES ('Esc', 'o\\'b\\\\@example.com')", 1,
                        "SELECT email FROM customers WHERE name = 'Esc'", "SELECT email FROM customers WHERE name = 'Esc'", "o'b\\@example.com")),
                maria("predicate in /*! */ refused", c -> plainRefused("SELECT id FROM customers WHERE name = 'n' /*! OR email LIKE 'x%' */",
                        UNSUPPORTED, "email").run(c)),
                maria("comments do not nest", c -> plainRefused("SELECT id FROM customers WHERE name = 'n' /* /* */ OR email LIKE 'x%' /* */",
                        UNSUPPORTED, "email").run(c)),
                maria("PREPARE of an encrypted table refused", c -> plainRefused(
                        "PREPARE s FROM 'INSERT INTO customers (name, email) VALUES (''n'', ''x@example.com'')'", UNSUPPORTED, "customers").run(c)),
                maria("PREPARE from a variable refused", c -> plainRefused("PREPARE s FROM @q", UNSUPPORTED, "PREPARE").run(c)),
                maria("EXECUTE IMMEDIATE refused", c -> plainRefused("EXECUTE IMMEDIATE 'DELETE FROM customers'", UNSUPPORTED, "customers").run(c)),
                maria("LOAD DATA refused", c -> plainRefused("LOAD DATA LOCAL INFILE '/tmp/veil.csv' INTO TABLE customers", UNSUPPORTED, "customers").run(c)),
                maria("INTO OUTFILE refused", c -> plainRefused("SELECT email FROM customers INTO OUTFILE '/tmp/veil.csv'", UNSUPPORTED, "customers").run(c)),
                maria("INTO DUMPFILE refused", c -> plainRefused("SELECT email FROM customers LIMIT 1 INTO DUMPFILE '/tmp/veil.bin'", UNSUPPORTED, "customers").run(c)),
                maria("adjacent strings refused", c -> plainRefused("INSERT INTO customers (name, email) VALUES ('n', 'x@' 'example.com')",
                        UNSUPPORTED, "adjacent").run(c)),
                maria("sql_mode changed beside an encrypted table refused", c -> plainRefused(
                        "SET STATEMENT sql_mode = 'ANSI_QUOTES' FOR SELECT \"email\" FROM customers", UNSUPPORTED, "sql_mode").run(c)),
                maria("AS new alias refused", refused("INSERT INTO customers (id, name, email) VALUES (?, ?, ?) AS new ON DUPLICATE KEY UPDATE email = new.email",
                        UNSUPPORTED, "row alias")),
                maria("AS new alias with column aliases refused", c -> plainRefused("INSERT INTO customers SET id = 7, email = 'x@example.com' "
                        + "AS n (i, e) ON DUPLICATE KEY UPDATE email = n.e", UNSUPPORTED, "row alias").run(c)),
                maria("CHANGE of an encrypted column refused", c -> plainRefused("ALTER TABLE customers CHANGE email email2 TEXT",
                        UNSUPPORTED, "customers.email").run(c)),
                maria("non-NULL default on an encrypted column refused", c -> plainRefused(
                        "ALTER TABLE customers ALTER COLUMN ssn SET DEFAULT '000-00-0000'", UNSUPPORTED, "customers.ssn").run(c)),
                maria("RENAME TABLE refused", c -> plainRefused("RENAME TABLE customers TO clients", UNSUPPORTED, "customers").run(c)),
                maria("trigger on an encrypted table refused", c -> plainRefused(
                        "CREATE TRIGGER copy_email AFTER INSERT ON customers FOR EACH ROW INSERT INTO audit_log (message) VALUES (NEW.email)",
                        UNSUPPORTED, "customers").run(c)),
                maria("ambiguous multi-table SET refused", refused("UPDATE customers c JOIN customers d ON d.id = c.id SET email = ?", UNSUPPORTED, "email"))
        );
    }

    /** Runs plain statements (DDL, SET) through the Veil connection. */
    static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /**
     * Names resolved the way the database resolves them, and relations that carry encrypted
     * columns' values: schemas, search_path, views, inheritance children and partitions. Objects
     * are created inside each case's transaction (PostgreSQL's DDL rolls back with it).
     */
    @TestFactory
    Stream<DynamicNode> catalogShapes() {
        return Stream.of(
                pg("same table name in a schema that sorts first", c -> {
                    exec(c, "CREATE SCHEMA aaa", "CREATE TABLE aaa.customers (id INT, x TEXT, email TEXT)");
                    write("INSERT INTO customers (id, name, email) VALUES (?, ?, ?)", p(70, "Shadow", "shadow@example.com"), 1,
                            "SELECT email FROM public.customers WHERE id = 70", "SELECT email FROM customers WHERE id = 70", "shadow@example.com").run(c);
                    rows("SELECT id FROM customers WHERE email = ?", p("shadow@example.com"), "70").run(c);
                }),
                pg("SET LOCAL search_path to a tenant schema with the same table", c -> {
                    exec(c, "CREATE SCHEMA tenant1", "CREATE TABLE tenant1.customers (id INT, note TEXT, email TEXT)",
                            "SET LOCAL search_path TO tenant1");
                    write("INSERT INTO customers VALUES (?, ?, ?)", p(1, "n", "tenant@example.com"), 1,
                            "SELECT email FROM tenant1.customers", "SELECT * FROM customers", "1|n|tenant@example.com").run(c);
                    rows("SELECT id FROM customers WHERE email = ?", p("tenant@example.com"), "1").run(c);
                }),
                pg("view: read and deterministic equality", c -> {
                    exec(c, "CREATE VIEW v_contacts AS SELECT id, name, email AS mail FROM customers");
                    rows("SELECT name FROM v_contacts WHERE mail = ?", p("bob@example.com"), "Bob").run(c);
                    plainRows("SELECT * FROM v_contacts WHERE id = 1", "1|Alice|alice@example.com").run(c);
                }),
                pg("view: insert through an auto-updatable view", c -> {
                    exec(c, "CREATE VIEW v_people AS SELECT * FROM customers");
                    write("INSERT INTO v_people (id, name, email, ssn) VALUES (?, ?, ?, ?)", p(71, "Through", "through@example.com", "999"), 1,
                            "SELECT email, ssn FROM customers WHERE id = 71", "SELECT email, ssn FROM v_people WHERE id = 71",
                            "through@example.com|999").run(c);
                }),
                pg("view: a view Veil cannot map is refused", c -> {
                    plainRefused("CREATE VIEW v_lower AS SELECT id, lower(email) AS e FROM customers", UNSUPPORTED, "lower").run(c);
                    // made beneath Veil; the next DDL through Veil reads the catalog again
                    db.execute("CREATE VIEW v_lower AS SELECT id, lower(email) AS e FROM customers");
                    try {
                        exec(c, "CREATE TABLE catalog_refresh (id INT)");
                        refused("SELECT * FROM v_lower", UNSUPPORTED, "v_lower").run(c);
                    } finally {
                        c.rollback(); // reading the view's definition locks it until the transaction ends
                        db.execute("DROP VIEW v_lower");
                    }
                }),
                pg("inheritance child is encrypted like its parent", c -> {
                    exec(c, "CREATE TABLE customers_vip (level INT) INHERITS (customers)");
                    write("INSERT INTO customers_vip (id, name, email, ssn, level) VALUES (?, ?, ?, ?, 1)", p(72, "Vip", "vip@example.com", "888"), 1,
                            "SELECT email, ssn FROM customers_vip", "SELECT name FROM customers WHERE email = 'vip@example.com'", "Vip").run(c);
                }),
                pg("partition is encrypted like its parent", c -> {
                    exec(c, "CREATE SCHEMA part", "CREATE TABLE part.orders (id INT, region TEXT, note TEXT) PARTITION BY LIST (region)",
                            "CREATE TABLE part.orders_eu PARTITION OF part.orders FOR VALUES IN ('eu')");
                    write("INSERT INTO part.orders_eu VALUES (?, 'eu', ?)", p(1, "partition note"), 1,
                            "SELECT note FROM part.orders", "SELECT note FROM part.orders", "partition note").run(c);
                }),
                maria("view over an encrypted table: read and equality", c -> {
                    exec(c, "CREATE OR REPLACE VIEW v_maria AS SELECT id, name, email FROM customers");
                    rows("SELECT name FROM v_maria WHERE email = ?", p("bob@example.com"), "Bob").run(c);
                })
        );
    }
}
