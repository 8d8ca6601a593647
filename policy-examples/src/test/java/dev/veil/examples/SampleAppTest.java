package dev.veil.examples;

import dev.veil.keys.Pkcs12MasterKeyProvider;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's path on embedded H2: the unmodified app sees plaintext, the table holds ciphertext. */
class SampleAppTest {
    @TempDir
    Path dir;

    @Test
    void sampleAppSeesPlaintextWhileTheTableHoldsCiphertext() throws Exception {
        char[] password = System.getenv("VEIL_TEST_MASTER_PASSWORD").toCharArray();
        Path keystore = dir.resolve("master.p12");
        Pkcs12MasterKeyProvider.createKeystore(keystore, password, "veil-master");
        String template = new String(SampleAppTest.class.getResourceAsStream("/demo-policy.yaml").readAllBytes(), StandardCharsets.UTF_8);
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, template.replace("${KEYSTORE}", keystore.toString()).replace("VEIL_DEMO_MASTER_PASSWORD", "VEIL_TEST_MASTER_PASSWORD"));
        String raw = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        Properties props = new Properties();
        props.setProperty("veil.policy", policy.toString());

        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try (Connection c = DriverManager.getConnection("jdbc:veil:" + raw.substring(5), props)) {
            new SampleApp(new PrintStream(seen, true, StandardCharsets.UTF_8)).run(c);
        }
        String appOutput = seen.toString(StandardCharsets.UTF_8);
        assertTrue(appOutput.contains("found by e-mail: Alan Turing, national id CD 78 90 12 E"), appOutput);
        assertTrue(appOutput.contains("recovered"), appOutput);

        try (Connection c = DriverManager.getConnection(raw); ResultSet rs = c.createStatement()
                .executeQuery("SELECT email, national_id, diagnosis, birth_date FROM patients")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                for (int i = 1; i <= 4; i++) {
                    byte[] v = rs.getBytes(i);
                    assertEquals((byte) 0xF7, v[0], "column " + i + " holds no binary envelope");
                    String asText = new String(v, StandardCharsets.ISO_8859_1);
                    assertFalse(asText.contains("example") || asText.contains("recovered"), asText);
                }
            }
            assertEquals(3, rows);
        }
    }

    @Test
    void examplePolicyIsValid() throws Exception {
        Policy p = PolicyLoader.load(Path.of("shop", "policy.yaml"));
        assertEquals(8, p.columns().size());
        assertEquals(java.util.Set.of("default", "national-id", "payment"), p.keyRings());
    }
}
