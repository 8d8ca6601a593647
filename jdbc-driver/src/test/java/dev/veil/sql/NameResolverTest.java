package dev.veil.sql;

import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.sql.ProtectedRelations.Kind;
import dev.veil.sql.ProtectedRelations.ProtectedRelation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class NameResolverTest {
    private static final String KEYS = "version: 1\nkeys:\n  master: { provider: env }\n";

    private static Policy policy(String tables) throws Exception {
        return PolicyLoader.parse(KEYS + "tables:\n" + tables, "test.yaml");
    }

    private static NameResolver resolver(Policy policy, List<String[]> existing, List<ProtectedRelation> relations, String... path) {
        return new NameResolver(policy, ProtectedRelations.of(policy, relations, existing), List.of(path), NameResolver.Folding.LOWER, 1);
    }

    @Test
    void anUnqualifiedNameIsTheFirstOnThePathNotTheFirstAlphabetically() throws Exception {
        Policy p = policy("  public.customers:\n    email: deterministic\n");
        List<String[]> existing = List.of(new String[] {"aaa", "customers"}, new String[] {"public", "customers"});
        ProtectedRelation pub = new ProtectedRelation("public", "customers", Kind.TABLE, p.tables().get(0), null, null, null);
        NameResolver.Resolved r = resolver(p, existing, List.of(pub), "pg_catalog", "public", "aaa").resolve(null, "customers");
        assertEquals("\"public\"", r.schema());
        assertNotNull(r.policy());
        NameResolver.Resolved other = resolver(p, existing, List.of(pub), "pg_catalog", "aaa", "public").resolve(null, "CUSTOMERS");
        assertEquals("\"aaa\"", other.schema());
        assertNull(other.policy(), "a public.customers entry does not protect aaa.customers");
    }

    @Test
    void anUnqualifiedPolicyEntryProtectsEverySchema() throws Exception {
        Policy p = policy("  customers:\n    email: deterministic\n");
        NameResolver.Resolved r = resolver(p, List.<String[]>of(new String[] {"t7", "customers"}), List.of(), "t7").resolve(null, "customers");
        assertEquals("\"t7\"", r.schema());
        assertNotNull(r.policy());
    }

    @Test
    void quotedNamesKeepTheirCaseAndUnquotedOnesFold() throws Exception {
        Policy p = policy("  customers:\n    email: deterministic\n");
        List<String[]> existing = List.<String[]>of(new String[] {"public", "Customers"});
        NameResolver n = resolver(p, existing, List.of(), "public");
        assertEquals("\"Customers\"", n.resolve(null, "\"Customers\"").name());
        assertEquals("\"customers\"", n.resolve(null, "Customers").name(), "unquoted Customers is customers");
    }

    @Test
    void aProtectedTableMissingFromTheSnapshotIsAssumedWhereThePolicyPutsIt() throws Exception {
        Policy p = policy("  public.customers:\n    email: deterministic\n");
        NameResolver.Resolved r = resolver(p, List.of(), List.of(), "public").resolve(null, "customers");
        assertEquals("\"public\"", r.schema());
        assertNotNull(r.policy(), "created after the snapshot: treated as protected");
    }

    @Test
    void childrenAndPartitionsCarryTheirRootsPolicy() throws Exception {
        Policy p = policy("  customers:\n    email: deterministic\n");
        ProtectedRelation child = new ProtectedRelation("public", "customers_2027", Kind.INHERITED, p.tables().get(0), null, null, null);
        NameResolver n = resolver(p, List.of(), List.of(child), "public");
        assertEquals(p.tables().get(0), n.resolve("public", "customers_2027").policy());
        assertEquals(p.tables().get(0), n.resolve(null, "customers_2027").policy());
        assertEquals(true, n.relations().nameKeys().contains("customers_2027"));
    }

    @Test
    void withoutACatalogNamesMeanWhatThePolicySaysAsWritten() throws Exception {
        Policy p = policy("  customers:\n    email: deterministic\n");
        NameResolver.Resolved r = NameResolver.policyOnly(p).resolve(null, "customers");
        assertNull(r.schema());
        assertNotNull(r.policy());
    }
}
