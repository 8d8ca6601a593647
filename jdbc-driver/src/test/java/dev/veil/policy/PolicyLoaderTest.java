package dev.veil.policy;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyLoaderTest {
    static final String KEYS = """
            version: 1
            keys:
              master: { provider: pkcs12, path: /etc/veil/master.p12, password-env: VEIL_MASTER_PASSWORD, alias: veil-master }
              rotate-after: 90d
            """;

    static Policy parse(String yaml) throws VeilException {
        return PolicyLoader.parse(yaml, "policy.yaml");
    }

    static String error(String yaml) {
        VeilException e = assertThrows(VeilException.class, () -> parse(yaml));
        assertEquals(VeilState.POLICY_INVALID, e.state());
        assertEquals("VE001", e.getSQLState());
        return e.getMessage();
    }

    @Test
    void readsTheShortForm() throws Exception {
        Policy p = parse(KEYS + """
                tables:
                  customers:
                    email:  { mode: deterministic }
                    ssn:    { mode: randomized, key: national-id }
                    salary: { mode: randomized, type: decimal }
                    note: randomized
                """);
        ColumnPolicy email = p.column(null, "customers", "email").orElseThrow();
        assertEquals(EncryptionMode.DETERMINISTIC, email.mode());
        assertEquals(LogicalType.STRING, email.type());
        assertEquals("default", email.keyRing());
        assertEquals(StorageFormat.TEXT, email.storage());
        assertEquals("national-id", p.column(null, "customers", "ssn").orElseThrow().keyRing());
        assertEquals(LogicalType.DECIMAL, p.column(null, "customers", "salary").orElseThrow().type());
        assertEquals(EncryptionMode.RANDOMIZED, p.column(null, "customers", "note").orElseThrow().mode());
        assertEquals(Duration.ofDays(90), p.keys().rotateAfter());
        assertEquals("pkcs12", p.keys().master().provider());
        assertEquals("VEIL_MASTER_PASSWORD", p.keys().master().settings().get("password-env"));
        assertEquals("veil_keys", p.keys().store().table());
        assertEquals(new SourceMark("policy.yaml", 7, 5), email.mark());
        assertEquals(java.util.Set.of("default", "national-id"), p.keyRings());
    }

    @Test
    void namesAreCaseInsensitiveUnlessQuoted() throws Exception {
        Policy p = parse(KEYS + """
                tables:
                  Customers:
                    EMAIL: deterministic
                  '"Audit"':
                    '"Who"': randomized
                """);
        assertTrue(p.column(null, "CUSTOMERS", "email").isPresent());
        assertTrue(p.column("public", "customers", "Email").isPresent());
        assertTrue(p.column(null, "Audit", "Who").isPresent());
        assertFalse(p.column(null, "audit", "Who").isPresent());
        assertFalse(p.column(null, "Audit", "who").isPresent());
    }

    @Test
    void schemaQualifiedTablesMatchOnlyTheirSchema() throws Exception {
        Policy p = parse(KEYS + """
                tables:
                  sales.customers:
                    email: deterministic
                """);
        assertTrue(p.column("sales", "customers", "email").isPresent());
        assertTrue(p.column("SALES", "customers", "email").isPresent());
        assertFalse(p.column("public", "customers", "email").isPresent());
        assertTrue(p.column(null, "customers", "email").isPresent(), "unknown schema, unambiguous name");
    }

    @Test
    void aRingWhoseKeysNeverExpireOverridesTheDefaultLifetime() throws Exception {
        Policy p = parse("""
                version: 1
                keys:
                  master: { provider: env }
                  rotate-after: 90d
                  rings:
                    archive: { rotate-after: never }
                tables:
                  customers:
                    email: { mode: deterministic, key: archive }
                """);
        assertNull(p.keys().rotateAfter("archive"));
        assertEquals(Duration.ofDays(90), p.keys().rotateAfter("default"));
    }

    @Test
    void readsLongTableFormRingsStoreAndDomains() throws Exception {
        Policy p = parse("""
                version: 1
                keys:
                  master: { provider: env }
                  rotate-after: never
                  rings:
                    national-id: { rotate-after: 30d }
                  store: { table: app.veil_keys, url: 'jdbc:postgresql://keys/db', user: veil, password-env: KEYS_PW }
                  cache-size: 50
                  refresh-after: 1m
                tables:
                  customers:
                    columns:
                      phone: { mode: deterministic, domain: phone, type: string, storage: binary, migrating: true }
                    allow-unparseable: true
                  suppliers:
                    phone: { mode: deterministic, domain: phone }
                """);
        assertNull(p.keys().rotateAfter());
        assertEquals(Duration.ofDays(30), p.keys().rotateAfter("national-id"));
        assertNull(p.keys().rotateAfter("default"));
        assertEquals("app.veil_keys", p.keys().store().table());
        assertEquals("jdbc:postgresql://keys/db", p.keys().store().url());
        assertEquals(50, p.keys().cacheSize());
        assertEquals(Duration.ofMinutes(1), p.keys().refreshAfter());
        TablePolicy customers = p.table(null, "customers").orElseThrow();
        assertTrue(customers.allowUnparseable());
        ColumnPolicy phone = customers.column("phone").orElseThrow();
        assertTrue(phone.migrating());
        assertEquals(StorageFormat.BINARY, phone.storage());
        assertEquals(phone.context(), p.column(null, "suppliers", "phone").orElseThrow().context());
    }

    @Test
    void readsHowLongPlansTrustLiveColumnLists() throws Exception {
        assertEquals(java.util.Optional.of(Duration.ofMinutes(1)), parse(KEYS).schemaRefreshAfter(), "default");
        assertEquals(java.util.Optional.of(Duration.ofSeconds(20)), parse(KEYS + "schema: { refresh-after: 20s }\n").schemaRefreshAfter());
        assertTrue(parse(KEYS + "schema:\n  refresh-after: never\n").schemaRefreshAfter().isEmpty());
        assertTrue(error(KEYS + "schema: { refresh-after: 0s }\n").contains("bad duration '0s'"));
        assertTrue(error(KEYS + "schema: { ttl: 1m }\n").contains("unknown key 'ttl'"));
    }

    @Test
    void rejectsUnknownKeysWithPosition() {
        String m = error(KEYS + "tables:\n  customers:\n    email: { mode: deterministic, colour: blue }\n");
        assertTrue(m.startsWith("policy.yaml:7:35: unknown key 'colour'"), m);
        assertTrue(m.contains("expected one of: domain, key, migrating, mode, scale, search, storage, type"), m);
        assertTrue(error(KEYS + "tabels: {}\n").startsWith("policy.yaml:5:1: unknown key 'tabels'"));
    }

    @Test
    void readsAllowOpaquePerTable() throws Exception {
        Policy p = parse(KEYS + """
                tables:
                  customers:
                    columns:
                      email: { mode: deterministic }
                    allow-opaque: true
                  suppliers:
                    phone: deterministic
                """);
        assertTrue(p.table(null, "customers").orElseThrow().allowOpaque());
        assertFalse(p.table(null, "customers").orElseThrow().allowUnparseable());
        assertFalse(p.table(null, "suppliers").orElseThrow().allowOpaque());
        String m = error(KEYS + "tables:\n  customers:\n    columns: { email: deterministic }\n    allow-opaque: maybe\n");
        assertTrue(m.startsWith("policy.yaml:8:19: allow-opaque must be true or false"), m);
    }

    @Test
    void rejectsUnknownModesAndTypes() {
        String m = error(KEYS + "tables:\n  customers:\n    email: { mode: determinstic }\n");
        assertTrue(m.contains("policy.yaml:7:20: unknown mode of customers.email 'determinstic'; expected one of: randomized, deterministic"), m);
        m = error(KEYS + "tables:\n  customers:\n    email: { mode: randomized, type: text }\n");
        assertTrue(m.contains("unknown type of customers.email 'text'; expected one of: string, bytes, integer"), m);
    }

    @Test
    void rejectsDuplicateColumnsAndTables() {
        assertTrue(error(KEYS + "tables:\n  customers:\n    email: randomized\n    Email: randomized\n")
                .contains("policy.yaml:8:5: column customers.Email is listed twice"));
        assertTrue(error(KEYS + "tables:\n  customers:\n    email: randomized\n  CUSTOMERS:\n    ssn: randomized\n")
                .contains("table CUSTOMERS is listed twice"));
        assertTrue(error(KEYS + "tables:\n  customers:\n    email: randomized\n    email: deterministic\n").contains("duplicate"));
    }

    @Test
    void rejectsMissingMasterKeySettings() {
        assertTrue(error("version: 1\ntables: {}\n").contains("missing 'keys' section"));
        assertTrue(error("version: 1\nkeys:\n  rotate-after: 9d\n").contains("policy.yaml:3:3: missing 'master' in keys"));
        assertTrue(error("version: 1\nkeys:\n  master: { path: x }\n").contains("missing 'provider' in master"));
    }

    @Test
    void rejectsBadDurations() {
        for (String d : new String[] {"90", "90x", "-1d", "0d", "ninety days"}) {
            String m = error("version: 1\nkeys:\n  master: { provider: env }\n  rotate-after: '" + d + "'\n");
            assertTrue(m.startsWith("policy.yaml:4:17: bad duration"), m);
        }
    }

    @Test
    void rejectsDomainsSharedByDifferentTypesOrKeys() {
        String m = error(KEYS + """
                tables:
                  customers:
                    phone: { mode: deterministic, domain: phone }
                  suppliers:
                    phone: { mode: deterministic, domain: phone, type: integer }
                """);
        assertTrue(m.contains("domain 'phone' is shared by customers.phone (policy.yaml:7:5) and suppliers.phone with different types (string vs integer)"), m);
        assertTrue(error(KEYS + """
                tables:
                  a:
                    x: { mode: deterministic, domain: d, key: k1 }
                  b:
                    y: { mode: deterministic, domain: d, key: k2 }
                """).contains("different keys"));
    }

    @Test
    void rejectsWrongVersionBadYamlAndBadNames() {
        assertTrue(error("version: 2\nkeys:\n  master: { provider: env }\n").contains("unsupported policy version 2"));
        assertTrue(error("version: 1\nkeys: [\n").startsWith("policy.yaml:"));
        assertTrue(error(KEYS + "tables:\n  'drop table x;':\n    a: randomized\n").contains("bad table name"));
        assertTrue(error(KEYS + "tables:\n  customers:\n    'e mail': randomized\n").contains("bad column name"));
        assertTrue(error(KEYS + "tables:\n  customers: {}\n").contains("lists no columns"));
        assertTrue(error("").contains("the policy is empty"));
    }

    @Test
    void neverConstructsObjectsFromTags() {
        // a global tag that the default constructor would instantiate is refused by composition-only loading
        String m = error("version: 1\nkeys: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]\n");
        assertTrue(m.startsWith("policy.yaml:2:7: not valid YAML: Global tag is not allowed"), m);
    }

    @Test
    void loadsFromFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.yaml");
        Files.writeString(f, "version: 1\nkeys:\n  master: { provider: env }\ntables:\n  t:\n    c: sideways\n");
        VeilException e = assertThrows(VeilException.class, () -> PolicyLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":6:8: unknown mode"), e.getMessage());
        assertTrue(assertThrows(VeilException.class, () -> PolicyLoader.load(dir.resolve("missing.yaml"))).getMessage()
                .contains("cannot read policy file"));
    }

    @Test
    void stopsReadingAtTheSizeLimit(@TempDir Path dir) throws Exception {
        // a device that never ends, as --policy /dev/zero would name, must fail after MAX_BYTES, not fill memory
        String m = assertThrows(VeilException.class, () -> PolicyLoader.load(Path.of("/dev/zero"))).getMessage();
        assertTrue(m.startsWith("/dev/zero:1:" + (PolicyLoader.MAX_BYTES + 1) + ": the policy is larger than 4 MiB"), m);
        Path big = dir.resolve("big.yaml");
        Files.write(big, ("# " + "x".repeat(98) + "\n").repeat(PolicyLoader.MAX_BYTES / 100 + 1).getBytes());
        VeilException e = assertThrows(VeilException.class, () -> PolicyLoader.load(big));
        assertEquals("VE001", e.getSQLState());
        // 101-byte lines: the limit falls in line 41528, at its 78th byte
        assertTrue(e.getMessage().startsWith(big + ":41528:78: the policy is larger than 4 MiB"), e.getMessage());
    }

    @Test
    void namesTheLineOfBytesThatAreNotUtf8(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, "version: 1\nkeys:\n  master: { provider: env }\n# caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        VeilException e = assertThrows(VeilException.class, () -> PolicyLoader.load(f));
        assertEquals("VE001", e.getSQLState());
        assertTrue(e.getMessage().startsWith(f + ":4:6: not UTF-8 (byte 0xE9 at offset 50); save the policy as UTF-8"), e.getMessage());
    }

    @Test
    void aDirectoryIsNotAPolicy(@TempDir Path dir) {
        VeilException e = assertThrows(VeilException.class, () -> PolicyLoader.load(dir));
        assertEquals("VE001", e.getSQLState());
        assertTrue(e.getMessage().startsWith(dir + ": is a directory, not a policy file; name the YAML file itself"), e.getMessage());
    }

    @Test
    void refusesLocalTags() {
        String m = error(KEYS + "tables:\n  customers:\n    email: !custom deterministic\n");
        assertTrue(m.startsWith("policy.yaml:7:12: tag '!custom' is not allowed"), m);
        m = error("version: 1\nkeys:\n  master: !vault { provider: env }\n");
        assertTrue(m.startsWith("policy.yaml:3:11: tag '!vault' is not allowed"), m);
        assertTrue(error("version: 1\nkeys:\n  master: { provider: env, x: !!binary aGk= }\n").contains("tag 'tag:yaml.org,2002:binary' is not allowed"));
    }

    @Test
    void refreshAfterCannotBeNever() {
        String m = error(KEYS + "  refresh-after: never\n");
        assertTrue(m.startsWith("policy.yaml:5:18: keys.refresh-after cannot be 'never'"), m);
        assertNull(parseQuietly(KEYS.replace("90d", "never")).keys().rotateAfter(), "rotate-after: never stays allowed");
    }

    @Test
    void readsStrict() throws Exception {
        assertFalse(parse(KEYS).strict());
        assertTrue(parse(KEYS + "strict: true\n").strict());
        assertTrue(error(KEYS + "strict: maybe\n").startsWith("policy.yaml:5:9: strict must be true or false"));
    }

    @Test
    void remembersWhereEachTableIsNamed() throws Exception {
        Policy p = parse(KEYS + "tables:\n  customers:\n    email: deterministic\n  orders:\n    columns:\n      note: randomized\n");
        assertEquals(new SourceMark("policy.yaml", 6, 3), p.mark(p.table(null, "customers").orElseThrow()));
        assertEquals(new SourceMark("policy.yaml", 8, 3), p.mark(p.table(null, "orders").orElseThrow()));
    }

    private static Policy parseQuietly(String yaml) {
        try {
            return parse(yaml);
        } catch (VeilException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
