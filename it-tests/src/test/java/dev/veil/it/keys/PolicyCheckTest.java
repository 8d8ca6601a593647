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
    static Path keystore;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        keystore = TestKeys.keystore(dir);
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
        return checkWith(TestKeys.keysYaml(keystore), tables);
    }

    static Cli checkWith(String keys, String tables) throws Exception {
        Path p = Files.writeString(Files.createTempFile(dir, "policy", ".yaml"), "version: 1\n" + keys + tables);
        return Cli.run("policy", "check", "--policy", p.toString(), "--url", db.url());
    }

    /** A master-key line as TestKeys writes it, with {@code settings} instead of the keystore's. */
    static String master(String settings) {
        return "keys:\n  master: { " + settings + " }\n";
    }

    static void assertKeysError(Cli c, String expected) {
        assertEquals(4, c.code(), c::toString);
        assertTrue(c.out().contains("error    keys: " + expected), c::toString);
        assertTrue(c.out().contains("people.email: text is unbounded"), "the schema is still checked: " + c);
    }

    @Test
    void anUnknownProviderIsAnError() throws Exception {
        assertKeysError(checkWith(master("provider: vault"), People.TABLES), "VE001 ");
        assertTrue(checkWith(master("provider: vault"), People.TABLES).out().contains("unknown master-key provider 'vault'"));
    }

    @Test
    void aMisspeltPasswordEnvIsAnError() throws Exception {
        Cli c = checkWith(master("provider: pkcs12, path: '" + keystore + "', pasword-env: " + TestKeys.PASSWORD_ENV), People.TABLES);
        assertKeysError(c, "VE001 ");
        assertTrue(c.out().contains("unknown setting 'pasword-env' for master key provider 'pkcs12'"), c::toString);
    }

    @Test
    void aMissingKeystoreIsAnError() throws Exception {
        Cli c = checkWith(master("provider: pkcs12, path: '" + dir.resolve("nowhere.p12") + "', password-env: " + TestKeys.PASSWORD_ENV),
                People.TABLES);
        assertKeysError(c, "VE002 keystore " + dir.resolve("nowhere.p12") + " does not exist");
    }

    @Test
    void anUnsetPasswordVariableIsAnError() throws Exception {
        Cli c = checkWith(master("provider: pkcs12, path: '" + keystore + "', password-env: VEIL_IT_NO_SUCH_VARIABLE"), People.TABLES);
        assertKeysError(c, "VE002 ");
        assertTrue(c.out().contains("environment variable VEIL_IT_NO_SUCH_VARIABLE is not set"), c::toString);
    }

    @Test
    void aBadPkcs11LibraryIsAnError() throws Exception {
        Cli c = checkWith(master("provider: pkcs11, library: '" + dir.resolve("libnothing.so") + "', pin-env: " + TestKeys.PASSWORD_ENV),
                People.TABLES);
        assertKeysError(c, "VE002 cannot open the PKCS#11 token");
    }

    @Test
    void aMissingAliasIsAnError() throws Exception {
        Cli c = checkWith(master("provider: pkcs12, path: '" + keystore + "', password-env: " + TestKeys.PASSWORD_ENV + ", alias: nosuchalias"),
                People.TABLES);
        assertKeysError(c, "VE002 keystore " + keystore + " has no key named 'nosuchalias'");
    }

    @Test
    void anUnsetKeyStorePasswordVariableIsAnError() throws Exception {
        Cli c = checkWith(TestKeys.keysYaml(keystore, "store: { url: '" + db.url() + "', user: postgres, password-env: VEIL_IT_NO_SUCH_VARIABLE }"),
                People.TABLES);
        assertKeysError(c, "VE011 ");
        assertTrue(c.out().contains("VEIL_IT_NO_SUCH_VARIABLE"), c::toString);
    }

    @Test
    void aPolicyThatDoesNotParseExitsWithFour() throws Exception {
        Cli c = checkWith(TestKeys.keysYaml(keystore), "tables:\n  people:\n    email: { mode: determinstic }\n");
        assertEquals(4, c.code(), c::toString);
        assertTrue(c.out().contains("error    policy: VE001 ") && c.out().contains("unknown mode of people.email 'determinstic'"), c::toString);
    }

    @Test
    void aFittingSchemaPasses() throws Exception {
        Cli c = check(People.TABLES);
        assertEquals(0, c.code(), c::toString);
        assertTrue(c.out().contains("people.email: text is unbounded"), c::toString);
        assertTrue(c.out().contains("ok       keys: master key pkcs12:veil-master opens"), c::toString);
        assertTrue(c.out().contains("0 error(s), 0 warning(s)"), c::toString);
    }

    @Test
    void aBoundedColumnWarnsWithTheLargestValueThatFits() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS contacts (id INT, email VARCHAR(500))");
        Cli c = check("tables:\n  contacts:\n    email: randomized\n");
        assertEquals(0, c.code(), c::toString);
        assertTrue(c.out().contains("warning  contacts.email: varchar(500) holds ciphertexts of values up to 338 bytes only"), c::toString);
        assertTrue(c.out().contains("0 error(s), 1 warning(s)"), c::toString);
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
        assertTrue(out.contains("error    nowhere: table does not exist (") && out.contains(".yaml:5:3); the driver logs a warning"), out);
        assertTrue(out.contains("error    accounts.missing: column does not exist (") && out.contains(".yaml:8:5); the driver refuses connections"), out);
        assertTrue(out.contains("error    accounts.iban: varchar(40) cannot hold any ciphertext") && out.contains("at least 51"), out);
        assertTrue(out.contains("error    accounts.token: varchar(40) is too narrow: a uuid ciphertext needs 55 characters; widen it to 55"), out);
        assertTrue(out.contains("warning  accounts.country: deterministic with only 2 distinct value(s) in 50 rows"), out);
        assertTrue(out.contains("warning  accounts.country: varchar(200) holds ciphertexts of values up to 125 bytes only"), out);
        assertTrue(out.contains("error    accounts.born: int4 cannot hold text ciphertexts"), out);
        assertTrue(out.contains("error    accounts.code: bpchar(60) pads values with spaces"), out);
        assertTrue(out.contains("ok       accounts.blob_ok: bytea is unbounded"), out);
    }
}
