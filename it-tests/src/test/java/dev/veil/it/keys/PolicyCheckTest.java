package dev.veil.it.keys;

import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code veil policy check} against a live PostgreSQL schema. */
class PolicyCheckTest {
    @TempDir
    static Path dir;
    static TestDatabase db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute(People.DDL,
                "CREATE TABLE accounts (id INT, iban VARCHAR(40), country VARCHAR(200), born INTEGER, code CHAR(60), blob_ok BYTEA, "
                        + "token VARCHAR(40))",
                "INSERT INTO accounts (id, country) SELECT g, CASE WHEN g % 2 = 0 THEN 'vl1:a' ELSE 'vl1:b' END FROM generate_series(1, 50) g");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    static Cli check(String tables) throws Exception {
        Path p = Files.writeString(Files.createTempFile(dir, "policy", ".yaml"), "version: 1\nkeys:\n  master: { provider: pkcs12, path: '"
                + dir.resolve("m.p12") + "', password-env: " + TestKeys.PASSWORD_ENV + " }\n" + tables);
        return Cli.run("policy", "check", "--policy", p.toString(), "--url", db.url());
    }

    @Test
    void aFittingSchemaPasses() throws Exception {
        Cli c = check(People.TABLES);
        assertEquals(0, c.code(), c::toString);
        assertTrue(c.out().contains("people.email: text is unbounded"), c::toString);
        assertTrue(c.out().contains("0 error(s), 0 warning(s)"), c::toString);
    }

    @Test
    void reportsMissingTablesColumnsWrongTypesWidthsAndFewDistinctValues() throws Exception {
        Cli c = check("""
                tables:
                  nowhere:
                    x: randomized
                  accounts:
                    missing: randomized
                    iban: randomized
                    token: { mode: deterministic, type: uuid }
                    country: deterministic
                    born: { mode: randomized, type: integer }
                    code: randomized
                    blob_ok: { mode: randomized, type: bytes, storage: binary }
                """);
        assertEquals(4, c.code(), c::toString);
        String out = c.out();
        assertTrue(out.contains("error    nowhere: table does not exist"), out);
        assertTrue(out.contains("error    accounts.missing: column does not exist"), out);
        assertTrue(out.contains("error    accounts.iban: varchar(40) cannot hold any ciphertext") && out.contains("at least 51"), out);
        assertTrue(out.contains("error    accounts.token: varchar(40) is too narrow: a uuid ciphertext needs 55 characters; widen it to 55"), out);
        assertTrue(out.contains("warning  accounts.country: deterministic with only 2 distinct value(s) in 50 rows"), out);
        assertTrue(out.contains("ok       accounts.country: varchar(200) holds ciphertexts of values up to 125 bytes"), out);
        assertTrue(out.contains("error    accounts.born: int4 cannot hold text ciphertexts"), out);
        assertTrue(out.contains("error    accounts.code: bpchar(60) pads values with spaces"), out);
        assertTrue(out.contains("ok       accounts.blob_ok: bytea is unbounded"), out);
    }
}
