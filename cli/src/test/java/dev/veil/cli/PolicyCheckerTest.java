package dev.veil.cli;

import dev.veil.crypto.Algorithm;
import dev.veil.jdbc.CatalogCheck.LiveColumn;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.EncryptionMode;
import dev.veil.policy.LogicalType;
import dev.veil.policy.PolicyLoader;
import dev.veil.policy.StorageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The width rules of {@code veil policy check}, and its exit code for a policy that does not load, without a database. */
class PolicyCheckerTest {
    static ColumnPolicy column(EncryptionMode mode, LogicalType type, StorageFormat storage) {
        try {
            return PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\ntables:\n  people:\n    email: { mode: "
                    + mode.policyName() + ", type: " + type.policyName() + ", storage: " + storage.policyName() + " }\n", "policy.yaml")
                    .columns().get(0);
        } catch (dev.veil.VeilException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aBoundedTextColumnWarnsWithTheLargestPlaintextThatFits() {
        PolicyChecker.Finding f = PolicyChecker.fit(column(EncryptionMode.RANDOMIZED, LogicalType.STRING, StorageFormat.TEXT),
                new LiveColumn("public", "email", Types.VARCHAR, "varchar", 500));
        assertEquals(PolicyChecker.Level.WARNING, f.level(), f::toString);
        // 500 characters: 4 for "vl1:", 496 of base64url hold 372 bytes, less 34 bytes of randomized envelope
        assertTrue(f.message().startsWith("varchar(500) holds ciphertexts of values up to 338 bytes only; longer values do not fit"), f::toString);
        assertEquals(500, PolicyChecker.stored(Algorithm.forMode(EncryptionMode.RANDOMIZED), 338, true));
        assertTrue(PolicyChecker.stored(Algorithm.forMode(EncryptionMode.RANDOMIZED), 339, true) > 500);
    }

    @Test
    void aBoundedBinaryColumnLosesOnlyTheEnvelopeOverhead() {
        PolicyChecker.Finding f = PolicyChecker.fit(column(EncryptionMode.DETERMINISTIC, LogicalType.BYTES, StorageFormat.BINARY),
                new LiveColumn(null, "email", Types.VARBINARY, "VARBINARY", 255));
        assertEquals(PolicyChecker.Level.WARNING, f.level(), f::toString);
        // deterministic envelopes carry no nonce: 6 bytes of header and 16 of tag
        assertTrue(f.message().startsWith("VARBINARY(255) holds ciphertexts of values up to 233 bytes only"), f::toString);
    }

    @Test
    void unboundedAndFixedSizeColumnsAreOk() {
        assertEquals(PolicyChecker.Level.OK, PolicyChecker.fit(column(EncryptionMode.RANDOMIZED, LogicalType.STRING, StorageFormat.TEXT),
                new LiveColumn("public", "email", Types.VARCHAR, "text", Integer.MAX_VALUE)).level());
        assertEquals(PolicyChecker.Level.OK, PolicyChecker.fit(column(EncryptionMode.DETERMINISTIC, LogicalType.UUID, StorageFormat.TEXT),
                new LiveColumn("public", "email", Types.VARCHAR, "varchar", 60)).level());
    }

    @Test
    void aPolicyThatDoesNotLoadExitsWithTheCheckFailedCode(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("p.yaml"), "version: 1\nkeys: [\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "policy", "check", "--policy", bad.toString(), "--url", "jdbc:none:x");
        assertEquals(ExitCode.CHECK_FAILED, code, () -> out + "\n" + err);
        assertTrue(out.toString().startsWith("error    policy: VE001 " + bad + ":"), out::toString);
        assertEquals(4, run("policy", "check", "--policy", dir.toString(), "--url", "jdbc:none:x"));
    }

    private static int run(String... args) {
        return Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), args);
    }
}
