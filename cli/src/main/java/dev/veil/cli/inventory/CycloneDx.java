package dev.veil.cli.inventory;

import dev.veil.keys.KeyRecord;
import dev.veil.keys.KeyState;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An {@link Inventory} as a CycloneDX 1.6 cryptography bill of materials (CBOM): algorithms,
 * rings, data keys and master keys as {@code cryptographic-asset} components with
 * {@code cryptoProperties}, encrypted columns as {@code data} components, and the dependencies
 * column → algorithm and ring, ring → data keys, data key → master key, master key → wrapping
 * algorithm. Key material never appears: only ids, states and dates.
 */
public final class CycloneDx {
    private CycloneDx() {
    }

    /**
     * The CBOM as JSON.
     *
     * @param version the Veil version, for {@code metadata.tools}
     * @param now the document's timestamp
     */
    public static String render(Inventory inv, String version, Instant now) {
        Map<String, Object> bom = new LinkedHashMap<>();
        bom.put("bomFormat", "CycloneDX");
        bom.put("specVersion", "1.6");
        bom.put("serialNumber", "urn:uuid:" + UUID.randomUUID());
        bom.put("version", 1);
        bom.put("metadata", metadata(inv, version, now));
        List<Object> components = new ArrayList<>();
        List<Object> dependencies = new ArrayList<>();
        inv.algorithms().forEach(a -> components.add(algorithm(a)));
        for (Inventory.MasterKey m : inv.masterKeys()) {
            components.add(masterKey(m));
            if (m.wrap() != null) {
                dependencies.add(dependency(m.ref(), List.of(m.wrap().ref())));
            }
        }
        for (Inventory.Ring r : inv.rings()) {
            components.add(ring(r));
            dependencies.add(dependency(r.ref(), r.keys().stream().map(Inventory.Ring::keyRef).toList()));
            for (KeyRecord k : r.keys()) {
                components.add(dataKey(inv, r, k));
                if (k.wrapped() != null) {
                    dependencies.add(dependency(Inventory.Ring.keyRef(k), List.of("master-key:" + k.masterKeyId())));
                }
            }
        }
        for (Inventory.Column c : inv.columns()) {
            components.add(column(c));
            dependencies.add(dependency(c.ref(), List.of(c.algorithm().ref(), "ring:" + c.policy().keyRing())));
        }
        bom.put("components", components);
        bom.put("dependencies", dependencies);
        return Json.write(bom);
    }

    private static Map<String, Object> metadata(Inventory inv, String version, Instant now) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "application");
        tool.put("name", "veil");
        tool.put("version", version);
        Map<String, Object> subject = new LinkedHashMap<>();
        subject.put("type", "data");
        subject.put("bom-ref", "policy");
        subject.put("name", inv.policy().source());
        subject.put("description", "Database columns encrypted by Veil under this policy, and the keys that protect them");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", time(now));
        m.put("tools", Map.of("components", List.of(tool)));
        m.put("component", subject);
        m.put("properties", properties("veil:key-table", inv.policy().keys().store().table(),
                "veil:key-table-read", String.valueOf(inv.keysRead()),
                "veil:transport-require-tls", String.valueOf(inv.policy().transport().requireTls()),
                "veil:transport-verify", inv.policy().transport().requireTls() ? inv.policy().transport().verify().policyName() : null,
                "veil:transport-min-version", inv.policy().transport().requireTls() ? inv.policy().transport().minVersion().protocolName() : null));
        return m;
    }

    private static Map<String, Object> algorithm(CryptoAlgorithm a) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("primitive", a.primitive());
        p.put("parameterSetIdentifier", "256");
        p.put("mode", a.mode());
        p.put("executionEnvironment", a == CryptoAlgorithm.AES_256_GCM_WRAP ? "hardware" : "software-plain-ram");
        p.put("implementationPlatform", "generic");
        p.put("cryptoFunctions", a.functions());
        p.put("classicalSecurityLevel", a.classicalBits());
        p.put("nistQuantumSecurityLevel", a.quantumCategory());
        Map<String, Object> crypto = new LinkedHashMap<>();
        crypto.put("assetType", "algorithm");
        crypto.put("algorithmProperties", p);
        crypto.put("oid", a.oid());
        Map<String, Object> c = component(a.ref(), a.name(), crypto);
        c.put("description", a.use());
        return c;
    }

    private static Map<String, Object> masterKey(Inventory.MasterKey m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "secret-key");
        p.put("id", m.id());
        p.put("algorithmRef", m.wrap() == null ? null : m.wrap().ref());
        Map<String, Object> c = component(m.ref(), "master key " + m.id(), material(p));
        c.put("description", "key-encryption key held by the " + m.provider() + " provider; it never leaves the provider");
        c.put("properties", properties("veil:provider", m.provider()));
        return c;
    }

    private static Map<String, Object> ring(Inventory.Ring r) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "secret-key");
        p.put("id", r.ref());
        p.put("algorithmRef", r.algorithms().size() == 1 ? r.algorithms().iterator().next().ref() : null);
        Map<String, Object> c = component(r.ref(), "key ring " + r.name(), material(p));
        c.put("description", "the versions of one data key; the active version encrypts new values, the others only decrypt");
        c.put("properties", properties("veil:ring", r.name(),
                "veil:rotate-after", r.rotateAfter() == null ? "never" : r.rotateAfter().toString(),
                "veil:master-key", r.masterKeyId(),
                "veil:algorithms", String.join(", ", r.algorithms().stream().map(CryptoAlgorithm::name).toList())));
        return c;
    }

    private static Map<String, Object> dataKey(Inventory inv, Inventory.Ring r, KeyRecord k) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "secret-key");
        p.put("id", String.valueOf(k.keyId()));
        p.put("state", state(k.state()));
        p.put("algorithmRef", r.algorithms().size() == 1 ? r.algorithms().iterator().next().ref() : null);
        p.put("creationDate", time(k.createdAt()));
        p.put("activationDate", time(k.createdAt()));
        p.put("expirationDate", k.expiresAt() == null ? null : time(k.expiresAt()));
        p.put("size", 256);
        if (k.wrapped() != null) {
            Inventory.MasterKey m = inv.masterKeys().stream().filter(x -> x.id().equals(k.masterKeyId())).findFirst().orElse(null);
            Map<String, Object> secured = new LinkedHashMap<>();
            secured.put("mechanism", "wrapped by master key " + k.masterKeyId());
            secured.put("algorithmRef", m == null || m.wrap() == null ? null : m.wrap().ref());
            p.put("securedBy", secured);
        }
        Map<String, Object> c = component(Inventory.Ring.keyRef(k), "data key " + r.name() + " v" + k.version(), material(p));
        c.put("properties", properties("veil:ring", r.name(), "veil:version", String.valueOf(k.version()),
                "veil:state", k.state().storedName(), "veil:master-key", k.wrapped() == null ? null : k.masterKeyId()));
        return c;
    }

    private static Map<String, Object> column(Inventory.Column col) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "data");
        c.put("bom-ref", col.ref());
        c.put("name", col.name());
        c.put("description", "encrypted column (" + col.policy().mode().policyName() + ", " + col.algorithm().name() + ")");
        c.put("properties", properties("veil:mode", col.policy().mode().policyName(),
                "veil:type", col.policy().type().policyName(),
                "veil:ring", col.policy().keyRing(),
                "veil:storage", col.policy().storage().policyName(),
                "veil:domain", col.policy().domain(),
                "veil:search", col.search().isEmpty() ? "none" : String.join(", ", col.search()),
                "veil:policy-line", col.policy().mark().toString()));
        return c;
    }

    /** SP 800-57 states: decrypt-only and retired keys still process (decrypt) but no longer protect: deactivated. */
    static String state(KeyState s) {
        return switch (s) {
            case ACTIVE -> "active";
            case DECRYPT_ONLY, RETIRED -> "deactivated";
            case DESTROYED -> "destroyed";
        };
    }

    private static Map<String, Object> component(String ref, String name, Map<String, Object> crypto) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "cryptographic-asset");
        c.put("bom-ref", ref);
        c.put("name", name);
        c.put("cryptoProperties", crypto);
        return c;
    }

    private static Map<String, Object> material(Map<String, Object> properties) {
        Map<String, Object> crypto = new LinkedHashMap<>();
        crypto.put("assetType", "related-crypto-material");
        crypto.put("relatedCryptoMaterialProperties", properties);
        return crypto;
    }

    private static Map<String, Object> dependency(String ref, List<String> dependsOn) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("ref", ref);
        d.put("dependsOn", dependsOn);
        return d;
    }

    /** Name/value properties, leaving out pairs whose value is {@code null}. */
    private static List<Object> properties(String... pairs) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", pairs[i]);
                p.put("value", pairs[i + 1]);
                out.add(p);
            }
        }
        return out;
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
