package dev.veil.cli.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.keys.KeyRecord;
import dev.veil.keys.KeyState;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CycloneDxTest {
    static final String POLICY = """
            version: 1
            keys:
              master: { provider: pkcs12, path: /etc/veil/master.p12, password-env: VEIL_MASTER_PASSWORD, alias: veil-master }
              rotate-after: 90d
              rings:
                national-id: { master-key: "pkcs12:nid-master", rotate-after: 30d }
            transport: { require-tls: true, verify: full }
            tables:
              customers:
                email: { mode: deterministic }
                ssn:   { mode: randomized, key: national-id }
                birth: { mode: randomized, type: date }
                name:  { mode: randomized, search: [prefix] }
            """;
    static final Instant T0 = Instant.parse("2026-09-01T10:00:00Z");
    static final byte[] WRAPPED = HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677");

    static Inventory inventory() throws Exception {
        Policy policy = PolicyLoader.parse(POLICY, "policy.yaml");
        List<KeyRecord> keys = List.of(
                new KeyRecord(1001, "default", 1, KeyState.DECRYPT_ONLY, T0, T0.plus(Duration.ofDays(90)), "pkcs12:veil-master", WRAPPED),
                new KeyRecord(1002, "default", 2, KeyState.ACTIVE, T0.plus(Duration.ofDays(90)), T0.plus(Duration.ofDays(180)),
                        "pkcs12:veil-master", WRAPPED),
                new KeyRecord(2001, "national-id", 1, KeyState.DESTROYED, T0, null, "pkcs12:nid-master", null),
                new KeyRecord(2002, "national-id", 2, KeyState.ACTIVE, T0, T0.plus(Duration.ofDays(30)), "pkcs12:nid-master", WRAPPED));
        return Inventory.of(policy, keys);
    }

    static JsonNode render() throws Exception {
        String json = CycloneDx.render(inventory(), "0.1.0", T0);
        List<?> problems = new JsonParser().validate(json, Version.VERSION_16);
        assertTrue(problems.isEmpty(), () -> problems + "\n" + json);
        assertFalse(json.contains(HexFormat.of().formatHex(WRAPPED)) || json.contains(Base64.getEncoder().encodeToString(WRAPPED))
                || json.contains(Base64.getUrlEncoder().withoutPadding().encodeToString(WRAPPED)), "wrapped key bytes in the inventory");
        return new ObjectMapper().readTree(json);
    }

    @Test
    void validatesAgainstTheCycloneDx16Schema() throws Exception {
        JsonNode bom = render();
        assertEquals("1.6", bom.get("specVersion").asText());
        assertEquals("2026-09-01T10:00:00Z", bom.at("/metadata/timestamp").asText());
    }

    /** The check above can fail: the same document with a state the schema does not know is refused. */
    @Test
    void theSchemaCheckRefusesWhatTheSchemaForbids() throws Exception {
        String json = CycloneDx.render(inventory(), "0.1.0", T0).replace("\"state\": \"deactivated\"", "\"state\": \"decrypt-only\"");
        assertFalse(new JsonParser().validate(json, Version.VERSION_16).isEmpty());
    }

    @Test
    void describesTheAlgorithmsInUseWithTheirOids() throws Exception {
        JsonNode bom = render();
        JsonNode gcm = component(bom, "algorithm:aes-256-gcm");
        assertEquals("ae", gcm.at("/cryptoProperties/algorithmProperties/primitive").asText());
        assertEquals("gcm", gcm.at("/cryptoProperties/algorithmProperties/mode").asText());
        assertEquals(256, gcm.at("/cryptoProperties/algorithmProperties/classicalSecurityLevel").asInt());
        assertEquals("2.16.840.1.101.3.4.1.46", gcm.at("/cryptoProperties/oid").asText());
        JsonNode siv = component(bom, "algorithm:aes-256-gcm-siv");
        assertTrue(siv.at("/cryptoProperties/oid").isMissingNode(), "GCM-SIV has no OID");
        assertEquals("2.16.840.1.101.3.4.1.48", component(bom, "algorithm:aes-256-kwp").at("/cryptoProperties/oid").asText());
        JsonNode hmac = component(bom, "algorithm:hmac-sha256");
        assertEquals("mac", hmac.at("/cryptoProperties/algorithmProperties/primitive").asText());
        assertEquals("1.2.840.113549.2.9", hmac.at("/cryptoProperties/oid").asText());
    }

    @Test
    void listsEveryDataKeyWithItsStateDatesAndMasterKey() throws Exception {
        JsonNode bom = render();
        JsonNode old = component(bom, "data-key:1001").at("/cryptoProperties/relatedCryptoMaterialProperties");
        assertEquals("secret-key", old.get("type").asText());
        assertEquals("deactivated", old.get("state").asText());
        assertEquals("2026-09-01T10:00:00Z", old.get("creationDate").asText());
        assertEquals("2026-11-30T10:00:00Z", old.get("expirationDate").asText());
        assertTrue(old.get("algorithmRef") == null, "ring default encrypts with two algorithms: its columns name them");
        assertEquals("algorithm:aes-256-gcm", component(bom, "data-key:2002").at("/cryptoProperties/relatedCryptoMaterialProperties/algorithmRef").asText());
        assertEquals("algorithm:aes-256-kwp", old.at("/securedBy/algorithmRef").asText());
        JsonNode destroyed = component(bom, "data-key:2001").at("/cryptoProperties/relatedCryptoMaterialProperties");
        assertEquals("destroyed", destroyed.get("state").asText());
        assertTrue(destroyed.get("securedBy") == null && destroyed.get("expirationDate") == null);
        assertEquals(List.of("master-key:pkcs12:nid-master"), dependsOn(bom, "data-key:2002"));
        assertTrue(dependsOn(bom, "data-key:2001").isEmpty(), "a destroyed key is wrapped by nothing");
        assertEquals("pkcs12", property(component(bom, "master-key:pkcs12:nid-master"), "veil:provider"));
    }

    @Test
    void linksColumnsToTheirAlgorithmAndRing() throws Exception {
        JsonNode bom = render();
        JsonNode email = component(bom, "column:customers.email");
        assertEquals("data", email.get("type").asText());
        assertEquals("deterministic", property(email, "veil:mode"));
        assertEquals("equality", property(email, "veil:search"));
        assertEquals(List.of("algorithm:aes-256-gcm-siv", "ring:default"), dependsOn(bom, "column:customers.email"));
        assertEquals(List.of("algorithm:aes-256-gcm", "ring:national-id"), dependsOn(bom, "column:customers.ssn"));
        assertEquals("date", property(component(bom, "column:customers.birth"), "veil:type"));
        assertEquals("prefix", property(component(bom, "column:customers.name"), "veil:search"));
        assertEquals(List.of("data-key:2001", "data-key:2002"), dependsOn(bom, "ring:national-id"));
        assertEquals("full", property(bom.get("metadata"), "veil:transport-verify"));
    }

    @Test
    void everyDependencyNamesAComponent() throws Exception {
        JsonNode bom = render();
        Set<String> refs = new HashSet<>();
        bom.get("components").forEach(c -> assertTrue(refs.add(c.get("bom-ref").asText()), "duplicate " + c.get("bom-ref")));
        for (JsonNode d : bom.get("dependencies")) {
            assertTrue(refs.contains(d.get("ref").asText()), d.toString());
            d.get("dependsOn").forEach(r -> assertTrue(refs.contains(r.asText()), r.asText()));
        }
    }

    @Test
    void printsTables() throws Exception {
        StringWriter out = new StringWriter();
        InventoryTable.print(inventory(), new PrintWriter(out, true));
        String text = out.toString();
        assertTrue(text.contains("customers.email") && text.contains("AES-256-GCM-SIV") && text.contains("equality"), text);
        assertTrue(text.matches("(?s).*national-id\\s+1\\s+2001 destroyed.*"), text);
        assertTrue(text.contains("pkcs12:nid-master") && text.contains("2.16.840.1.101.3.4.1.48"), text);
    }

    static JsonNode component(JsonNode bom, String ref) {
        for (JsonNode c : bom.get("components")) {
            if (c.get("bom-ref").asText().equals(ref)) {
                return c;
            }
        }
        return null;
    }

    static List<String> dependsOn(JsonNode bom, String ref) {
        for (JsonNode d : bom.get("dependencies")) {
            if (d.get("ref").asText().equals(ref)) {
                List<String> out = new java.util.ArrayList<>();
                d.get("dependsOn").forEach(x -> out.add(x.asText()));
                return out;
            }
        }
        return List.of();
    }

    static String property(JsonNode component, String name) {
        for (JsonNode p : component.get("properties")) {
            if (p.get("name").asText().equals(name)) {
                return p.get("value").asText();
            }
        }
        return null;
    }
}
