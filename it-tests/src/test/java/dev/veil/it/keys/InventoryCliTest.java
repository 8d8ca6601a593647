package dev.veil.it.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code veil inventory} against PostgreSQL: the key table as it is after init, rotate and destroy, as a CBOM and as tables. */
class InventoryCliTest {
    @TempDir
    Path dir;
    TestDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute(People.DDL);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
    }

    Cli veil(Path policy, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--policy", policy.toString(), "--url", db.url()));
        Cli c = Cli.run(args.toArray(String[]::new));
        assertEquals(0, c.code(), c::toString);
        return c;
    }

    @Test
    void describesTheKeyTableAsItIsWithoutKeyMaterial() throws Exception {
        Path policy = People.instance(dir, "version: 1\nkeys:\n  master: { provider: pkcs12, path: '" + dir.resolve("master.p12")
                + "', password-env: " + TestKeys.PASSWORD_ENV + " }\n  rotate-after: 90d\n" + People.TABLES);
        veil(policy, "keys", "init");
        veil(policy, "keys", "rotate", "payment");
        People.insert(db, policy, 1, "Ada");

        Cli cbom = veil(policy, "inventory");
        assertTrue(new JsonParser().validate(cbom.out(), Version.VERSION_16).isEmpty(), cbom::toString);
        JsonNode bom = new ObjectMapper().readTree(cbom.out());
        List<String> keys = new ArrayList<>();
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT key_id, wrapped_key FROM veil_keys ORDER BY ring, version")) {
            while (rs.next()) {
                keys.add("data-key:" + rs.getInt(1));
                assertFalse(cbom.out().contains(rs.getString(2)), "wrapped key bytes in the inventory");
            }
        }
        List<String> listed = new ArrayList<>();
        bom.get("components").forEach(c -> {
            if (c.get("bom-ref").asText().startsWith("data-key:")) {
                listed.add(c.get("bom-ref").asText());
            }
        });
        assertEquals(keys, listed);
        assertEquals(4, keys.size(), "default, national-id, and payment twice");
        List<String> states = new ArrayList<>();
        bom.get("components").forEach(c -> states.add(c.at("/cryptoProperties/relatedCryptoMaterialProperties/state").asText("")));
        assertEquals(1, states.stream().filter("deactivated"::equals).count(), "payment v1, superseded by the rotation");

        Cli table = veil(policy, "inventory", "--format", "table");
        assertTrue(table.out().contains("people.card") && table.out().contains("decrypt-only") && table.out().contains("AES-256-KWP"), table::toString);
    }
}
