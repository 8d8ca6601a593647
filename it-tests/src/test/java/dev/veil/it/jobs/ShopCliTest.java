package dev.veil.it.jobs;

import dev.veil.it.keys.Cli;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The project's own example, {@code policy-examples/shop}, through the CLI as a new user runs it
 * on PostgreSQL and MariaDB: its schema (SERIAL keys, bytea columns), keys init, policy check,
 * rows written by the application, then migrate, verify, keys rotate, rekey, verify, keys retire
 * and keys destroy, and the application reading every value as written throughout.
 */
class ShopCliTest {
    static final Path SHOP = Path.of("").toAbsolutePath().getParent().resolve("policy-examples").resolve("shop");
    static final int ROWS = 300;

    @TempDir
    Path dir;
    TestDatabase db;

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    void open(String dialect) throws Exception {
        db = dialect.equals("postgres") ? TestDatabase.postgres() : TestDatabase.mariadbOrNull();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
    }

    boolean postgres() {
        return db.url().startsWith("jdbc:postgresql:");
    }

    /** The example's schema.sql as it is for PostgreSQL; for MariaDB, with its names for bytea and for SERIAL's type. */
    void createShopSchema() throws Exception {
        String sql = Files.readString(SHOP.resolve("schema.sql")).replaceAll("--[^\n]*", "");
        if (!postgres()) {
            sql = sql.replace("BYTEA", "BLOB").replace("INTEGER REFERENCES", "BIGINT UNSIGNED REFERENCES");
        }
        for (String statement : sql.split(";")) {
            if (!statement.isBlank()) {
                db.execute(statement);
            }
        }
    }

    /** The example's policy, with this test's keystore and password variable. */
    Path shopPolicy(String name) throws Exception {
        String yaml = Files.readString(SHOP.resolve("policy.yaml"))
                .replace("path: /etc/veil/master.p12", "path: '" + dir.resolve("master.p12") + "'")
                .replace("password-env: VEIL_MASTER_PASSWORD", "password-env: " + TestKeys.PASSWORD_ENV);
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    Cli veil(Path policy, String... command) {
        String[] args = Arrays.copyOf(command, command.length + 3);
        args[command.length] = "--policy";
        args[command.length + 1] = policy.toString();
        args[command.length + 2] = "--url=" + db.url();
        return Cli.run(args);
    }

    static String decimal(int i) {
        return i + ".50";
    }

    void insertThroughTheApplication(Path policy) throws Exception {
        try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy))) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers (name, email, ssn, phone, birth_date, tier) VALUES (?, ?, ?, ?, ?, 'gold')")) {
                for (int i = 1; i <= ROWS; i++) {
                    ps.setString(1, "Customer " + i);
                    ps.setString(2, "c" + i + "@example.com");
                    ps.setString(3, "ssn-" + i);
                    ps.setString(4, "+1-555-" + i);
                    ps.setObject(5, LocalDate.of(1990, 1, 1).plusDays(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (customer_id, total, note, total_secret) VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    ps.setInt(1, i);
                    ps.setBigDecimal(2, new BigDecimal(decimal(i)));
                    ps.setString(3, "note " + i);
                    ps.setBigDecimal(4, new BigDecimal(decimal(i)));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments (order_id, card_token, contact_phone, amount) VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    ps.setInt(1, i);
                    ps.setBytes(2, ("tok-" + i).getBytes(StandardCharsets.UTF_8));
                    ps.setString(3, "+1-555-" + i);
                    ps.setBigDecimal(4, new BigDecimal(decimal(i)));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** Every value read through Veil is the one written, decimals with the scale written. */
    void assertApplicationReadsEverything(Path policy) throws Exception {
        try (Connection app = DriverManager.getConnection(ShopSchema.veilUrl(db, policy)); Statement s = app.createStatement()) {
            int n = 0;
            try (ResultSet rs = s.executeQuery("SELECT id, email, ssn, phone, birth_date FROM customers ORDER BY id")) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    n++;
                    assertEquals(List.of("c" + i + "@example.com", "ssn-" + i, "+1-555-" + i),
                            List.of(rs.getString(2), rs.getString(3), rs.getString(4)), "customer " + i);
                    assertEquals(LocalDate.of(1990, 1, 1).plusDays(i), rs.getObject(5, LocalDate.class));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, note, total_secret FROM orders ORDER BY id")) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    n++;
                    assertEquals("note " + i, rs.getString(2));
                    assertEquals(decimal(i), rs.getBigDecimal(3).toPlainString(), "order " + i + ": the scale it was written with");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, card_token, contact_phone FROM payments ORDER BY id")) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    n++;
                    assertEquals("tok-" + i, new String(rs.getBytes(2), StandardCharsets.UTF_8));
                    assertEquals("+1-555-" + i, rs.getString(3));
                }
            }
            assertEquals(3 * ROWS, n);
            try (PreparedStatement ps = app.prepareStatement("SELECT id FROM customers WHERE email = ?")) {
                ps.setString(1, "c7@example.com");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(7, rs.getInt(1));
                }
            }
        }
    }

    /** The numeric id of a ring's version in {@code keys list}. */
    static String keyId(Cli list, String ring, int version) {
        for (String line : list.out().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[0].equals(ring) && f[1].equals(String.valueOf(version))) {
                return f[2];
            }
        }
        throw new AssertionError("no " + ring + " " + version + " in " + list);
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void shopExampleEndToEndThroughTheCli(String dialect) throws Exception {
        open(dialect);
        createShopSchema();
        Path shop = shopPolicy("policy.yaml");

        Cli init = veil(shop, "keys", "init");
        assertEquals(0, init.code(), init::toString);
        assertTrue(init.out().contains("created master key pkcs12:veil-master"), init::toString);
        Cli check = veil(shop, "policy", "check");
        assertEquals(0, check.code(), check::toString);
        insertThroughTheApplication(shop);
        assertApplicationReadsEverything(shop);

        // every value is ciphertext already: migrate reads each table once and rewrites nothing
        Cli migrate = veil(shop, "migrate", "--batch-size", "40", "--chunk-size", "100", "--workers", "2");
        assertEquals(0, migrate.code(), migrate::toString);
        assertEquals(3, migrate.out().lines().filter(l -> l.contains(": finished; 300 rows read, 0 rewritten")).count(), migrate::toString);
        Cli verify = veil(shop, "verify");
        assertEquals(0, verify.code(), verify::toString);
        assertEquals(3, verify.out().lines().filter(l -> l.contains("300 rows; 0 NULL, 0 legacy plaintext (migrating), 0 failed")).count(),
                verify::toString);

        Cli before = veil(shop, "keys", "list");
        String oldId = keyId(before, "national-id", 1);
        Cli rotate = veil(shop, "keys", "rotate", "national-id");
        assertEquals(0, rotate.code(), rotate::toString);
        assertTrue(rotate.out().contains("rotated national-id: version 2"), rotate::toString);
        String newId = keyId(veil(shop, "keys", "list"), "national-id", 2);

        Cli rekey = veil(shop, "rekey", "--batch-size", "40", "--chunk-size", "100");
        assertEquals(0, rekey.code(), rekey::toString);
        assertTrue(rekey.out().lines().anyMatch(l -> l.contains("customers: finished; 300 rows read, 300 rewritten")), rekey::toString);
        Cli after = veil(shop, "verify", "customers");
        assertEquals(0, after.code(), after::toString);
        assertTrue(after.out().lines().anyMatch(l -> l.matches("\\s*key\\s+" + newId + ": 300 values")), after::toString);
        assertFalse(after.out().contains(" " + oldId + ":"), "no value left under the old key: " + after);

        Cli retire = veil(shop, "keys", "retire", "national-id", "1");
        assertEquals(0, retire.code(), retire::toString);
        assertTrue(retire.out().contains("retired key " + oldId) && !retire.out().contains("warning"), retire::toString);
        Cli destroy = veil(shop, "keys", "destroy", "national-id", "1");
        assertEquals(0, destroy.code(), destroy::toString);
        assertTrue(destroy.out().contains("destroyed key " + oldId + " (ring national-id version 1): wrapped bytes erased"), destroy::toString);
        assertFalse(destroy.out().contains("unreadable"), destroy::toString);

        assertApplicationReadsEverything(shop);
        assertEquals(0, veil(shop, "verify").code());
    }

    /**
     * A job the database refuses (here: ciphertexts longer than the column) fails with VE013,
     * naming the job, the table and what to check; the driver's message follows as the cause.
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void aJobTheDatabaseRefusesSaysWhatFailedWhereAndWhatToDo(String dialect) throws Exception {
        open(dialect);
        db.execute("CREATE TABLE notes (id SERIAL PRIMARY KEY, body VARCHAR(20))",
                "INSERT INTO notes (body) VALUES ('first note'), ('second note')");
        Path policy = dir.resolve("notes.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir))
                + "tables:\n  notes:\n    body: { mode: randomized, migrating: true }\n");
        Cli migrate = veil(policy, "migrate", "notes");
        assertEquals(1, migrate.code(), migrate::toString);
        List<String> err = new ArrayList<>(migrate.err().lines().toList());
        assertTrue(err.get(0).startsWith("veil: VE013 migrate of table notes failed: cannot read and write its rows (SQLState 22001; "
                + "a value does not fit its column"), migrate::toString);
        assertTrue(err.get(0).endsWith("when fixed, run the same command again: it continues after the last committed batch"), migrate::toString);
        assertTrue(err.size() > 1 && err.get(1).startsWith("  cause: ") && err.get(1).toLowerCase(java.util.Locale.ROOT).contains("too long"),
                migrate::toString);
        assertFalse(migrate.err().contains("Exception"), "no exception class as a message: " + migrate);
        assertFalse(migrate.err().contains("first note"), "never a value: " + migrate);
    }
}
