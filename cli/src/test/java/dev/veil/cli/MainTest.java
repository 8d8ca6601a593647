package dev.veil.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage, help and exit codes, without a database. */
class MainTest {
    static final List<List<String>> COMMANDS = List.of(List.of(), List.of("keys"), List.of("keys", "init"), List.of("keys", "list"),
            List.of("keys", "rotate"), List.of("keys", "rotate-master"), List.of("keys", "retire"), List.of("keys", "destroy"),
            List.of("policy"), List.of("policy", "check"));

    static String[] run(int expectedCode, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(expectedCode, code, () -> String.join(" ", args) + "\n" + out + err);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void everyCommandHasHelpWithExitCodes() {
        for (List<String> command : COMMANDS) {
            String[] args = new String[command.size() + 1];
            command.toArray(args);
            args[command.size()] = "--help";
            String help = run(0, args)[0];
            assertTrue(help.contains("Exit codes: 0 ok, 1 failure"), () -> command + ":\n" + help);
            if (command.size() == 2) {
                assertTrue(help.contains("--policy") && help.contains("Examples:"), () -> command + ":\n" + help);
            }
        }
    }

    @Test
    void usageErrorsExitTwo() {
        assertTrue(run(2, "keys", "nonsense")[1].contains("Unmatched argument"));
        run(2, "keys", "rotate-master", "--policy", "p.yaml");
        run(2, "keys", "destroy");
        run(2);
    }

    @Test
    void aMissingPolicyIsAFailureNamingWhatToSet() {
        String err = run(1, "keys", "list", "--url", "jdbc:h2:mem:x")[1];
        assertTrue(err.contains("VE011") && err.contains("VEIL_POLICY") || err.contains("VE001"), err);
    }
}
