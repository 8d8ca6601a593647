package dev.veil.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.veil.policy.PolicyLoaderTest.KEYS;
import static dev.veil.policy.PolicyLoaderTest.error;
import static dev.veil.policy.PolicyLoaderTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy's {@code match} section: which connections the agent wraps. */
class PolicyMatchTest {
    static final String TABLES = "tables:\n  customers:\n    email: deterministic\n";

    @Test
    void withoutMatchEveryConnectionMatches() throws Exception {
        ConnectionMatch m = parse(KEYS + TABLES).match();
        assertSame(ConnectionMatch.ALL, m);
        assertTrue(m.matches("jdbc:h2:mem:x", "anything"));
        assertTrue(m.matches(null, null));
    }

    @Test
    void readsUrlAndDatabasePatterns() throws Exception {
        ConnectionMatch m = parse(KEYS + "match: { urls: ['jdbc:postgresql://db.internal/*'], databases: [shop, 'shop_*'] }\n" + TABLES).match();
        assertEquals(List.of("jdbc:postgresql://db.internal/*"), m.urls());
        assertEquals(List.of("shop", "shop_*"), m.databases());
        assertTrue(m.matches("jdbc:postgresql://db.internal/orders?user=app", "orders"));
        assertTrue(m.matches("jdbc:postgresql://other/shop", "shop"));
        assertTrue(m.matches("jdbc:postgresql://other/shop_eu", "shop_eu"));
        assertFalse(m.matches("jdbc:postgresql://other/billing", "billing"));
    }

    @Test
    void urlParametersNeverTakePart() throws Exception {
        ConnectionMatch m = parse(KEYS + "match:\n  urls:\n    - jdbc:postgresql://*:5432/shop\n" + TABLES).match();
        assertTrue(m.matches("jdbc:postgresql://10.0.0.7:5432/shop?user=app&password=shop", null));
        assertFalse(m.matches("jdbc:postgresql://10.0.0.7:5432/shopping", null));
        assertFalse(m.matches("jdbc:postgresql://10.0.0.7:5432/x?db=/shop", null), "a parameter cannot make a URL match");
    }

    @Test
    void patternsAreLiteralExceptTheStar() {
        assertTrue(ConnectionMatch.glob("shop.eu", "shop.eu"));
        assertFalse(ConnectionMatch.glob("shop.eu", "shopXeu"));
        assertFalse(ConnectionMatch.glob("a(b", "ab"));
        assertTrue(ConnectionMatch.glob("*", ""));
        assertTrue(ConnectionMatch.glob("a*b*c", "aXXbYc"));
    }

    @Test
    void whatCannotBeDeterminedCountsAsAMatch() {
        ConnectionMatch m = new ConnectionMatch(List.of(), List.of("shop"));
        assertTrue(m.matches("jdbc:postgresql://h/billing", null), "unknown database: fail closed");
        assertFalse(m.matches(null, "billing"));
    }

    @Test
    void rejectsBadMatchSectionsWithPositions() {
        assertEquals("policy.yaml:5:10: unknown key 'hosts' in match; expected one of: databases, urls",
                error(KEYS + "match: { hosts: [a] }\n" + TABLES));
        assertEquals("policy.yaml:5:16: match urls must be a list, for example [ 'jdbc:postgresql://db.internal/*' ]",
                error(KEYS + "match: { urls: 'jdbc:postgresql://x/*' }\n" + TABLES));
        assertEquals("policy.yaml:7:7: match url pattern 'postgresql://x/*' must start with 'jdbc:' (for example jdbc:postgresql://db.internal/*)",
                error(KEYS + "match:\n  urls:\n    - postgresql://x/*\n" + TABLES));
        assertEquals("policy.yaml:5:8: match lists no urls or databases; remove it to match every connection",
                error(KEYS + "match: { urls: [] }\n" + TABLES));
        assertTrue(error(KEYS + "match: { databases: [''] }\n" + TABLES).startsWith("policy.yaml:5:22: match databases entry must be a non-empty value"));
        assertTrue(error(KEYS + "match: [shop]\n" + TABLES).startsWith("policy.yaml:5:8: match must be a mapping"));
    }
}
