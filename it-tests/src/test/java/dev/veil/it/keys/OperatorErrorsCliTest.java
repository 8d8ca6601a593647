package dev.veil.it.keys;

import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an operator reads when a {@code veil} command fails: a VE code, what failed, what to do. */
class OperatorErrorsCliTest {
    @TempDir
    Path dir;
    TestDatabase db;
    Path policy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute(People.DDL);
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + People.TABLES);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    Cli veil(String url, Path policyFile, String... command) {
        String[] args = java.util.Arrays.copyOf(command, command.length + 4);
        args[command.length] = "--policy";
        args[command.length + 1] = policyFile.toString();
        args[command.length + 2] = "--url";
        args[command.length + 3] = url;
        return Cli.run(args);
    }

    Cli veil(String... command) {
        return veil(db.url(), policy, command);
    }

    boolean keyTableExists() throws Exception {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT to_regclass('veil_keys') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void rotateOfARingNeitherInThePolicyNorInTheKeyTableFails() throws Exception {
        assertEquals(0, veil("keys", "rotate", "payment").code());
        Cli typo = veil("keys", "rotate", "nosuchring");
        assertEquals(1, typo.code(), typo::toString);
        assertTrue(typo.err().startsWith("veil: VE003 no ring 'nosuchring': the policy"), typo::toString);
        assertTrue(typo.err().contains("rings the policy uses: default, national-id, payment"), typo::toString);
        Cli list = veil("keys", "list");
        assertFalse(list.out().contains("nosuchring"), "no ring was created: " + list);
    }

    @Test
    void readOnlyCommandsAgainstAnUnreachableDatabaseSayCannotRead() {
        Cli list = veil("jdbc:postgresql://127.0.0.1:1/postgres?user=postgres&connectTimeout=2", policy, "keys", "list");
        assertEquals(1, list.code(), list::toString);
        String first = list.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("veil: VE009 cannot read data-key table veil_keys (SQLState 08001; check the JDBC URL"), list::toString);
        assertFalse(list.err().contains("create"), list::toString);
        assertTrue(list.err().contains("\n  cause: Connection to 127.0.0.1:1 refused"), "the driver's message as the cause: " + list);
    }

    @Test
    void readOnlyCommandsNeverCreateTheKeyTable() throws Exception {
        Cli list = veil("keys", "list", "--usage");
        assertEquals(0, list.code(), list::toString);
        assertTrue(list.out().contains("no data keys yet"), list::toString);
        Cli verify = veil("verify");
        assertEquals(0, verify.code(), verify::toString);
        veil("policy", "check");
        assertFalse(keyTableExists(), "keys list, verify or policy check created the key table");
        assertEquals(0, veil("keys", "rotate", "payment").code());
        assertTrue(keyTableExists());
    }

    @Test
    void initTwicePointsToIfMissing() {
        Cli again = veil("keys", "init");
        assertEquals(1, again.code(), again::toString);
        assertTrue(again.err().startsWith("veil: VE002 keystore ") && again.err().contains("already has a key named 'veil-master'")
                && again.err().contains("--if-missing"), again::toString);
    }

    @Test
    void wrongKeystorePasswordNamesTheVariableItCameFrom() throws Exception {
        Path wrong = dir.resolve("wrong.yaml");
        Files.writeString(wrong, Files.readString(policy).replace(TestKeys.PASSWORD_ENV, TestKeys.WRONG_PASSWORD_ENV));
        Cli list = veil(db.url(), wrong, "keys", "list");
        assertEquals(1, list.code(), list::toString);
        assertTrue(list.err().startsWith("veil: VE002 cannot open keystore ") && list.err().contains("wrong password in environment variable "
                + TestKeys.WRONG_PASSWORD_ENV), list::toString);
        assertFalse(list.err().contains(System.getenv(TestKeys.WRONG_PASSWORD_ENV)), "never the password: " + list);
    }

    @Test
    void topLevelCommandListGivesWholeSentences() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.code(), help::toString);
        List<String> commands = help.out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1).takeWhile(l -> !l.isBlank()).toList();
        assertEquals(7, commands.size(), help::toString);
        for (String line : commands) {
            assertTrue(line.endsWith("."), "cut mid-sentence: " + line);
        }
    }
}
