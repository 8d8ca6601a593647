package dev.veil.policy;

import org.junit.jupiter.api.Test;

import static dev.veil.policy.PolicyLoaderTest.KEYS;
import static dev.veil.policy.PolicyLoaderTest.error;
import static dev.veil.policy.PolicyLoaderTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportPolicyTest {
    @Test
    void readsRequireTlsWithVerificationAndMinimumVersion() throws Exception {
        TransportPolicy t = parse(KEYS + "transport: { require-tls: true, verify: full, min-version: TLSv1.3 }\n").transport();
        assertTrue(t.requireTls());
        assertEquals(TransportPolicy.Verify.FULL, t.verify());
        assertEquals(TransportPolicy.TlsVersion.TLS_1_3, t.minVersion());
        assertEquals("policy.yaml:5:12: transport.verify", t.setting("verify"));
    }

    @Test
    void requireTlsAloneVerifiesNothingAndAcceptsTls12() throws Exception {
        TransportPolicy t = parse(KEYS + "transport:\n  require-tls: true\n").transport();
        assertTrue(t.requireTls());
        assertEquals(TransportPolicy.Verify.NONE, t.verify());
        assertEquals(TransportPolicy.TlsVersion.TLS_1_2, t.minVersion());
    }

    @Test
    void withoutTransportNothingIsRequired() throws Exception {
        assertSame(TransportPolicy.NONE, parse(KEYS).transport());
        assertFalse(parse(KEYS + "transport: { require-tls: false }\n").transport().requireTls());
    }

    @Test
    void refusesBadValuesWithTheirPosition() {
        assertTrue(error(KEYS + "transport: { require-tls: maybe }\n").startsWith("policy.yaml:5:27: transport.require-tls must be true or false"));
        assertTrue(error(KEYS + "transport: { require-tls: true, verify: strict }\n")
                .startsWith("policy.yaml:5:41: unknown transport.verify 'strict'; expected one of: none, ca, full"));
        assertTrue(error(KEYS + "transport: { require-tls: true, min-version: TLSv1.1 }\n")
                .startsWith("policy.yaml:5:46: transport.min-version must be TLSv1.2 or TLSv1.3"));
        assertTrue(error(KEYS + "transport: { require-tls: true, min-version: SSLv3 }\n").contains("must be TLSv1.2 or TLSv1.3"));
        assertTrue(error(KEYS + "transport: { require-tls: true, tls: on }\n").startsWith("policy.yaml:5:33: unknown key 'tls' in transport"));
        assertTrue(error(KEYS + "transport: true\n").startsWith("policy.yaml:5:12: transport must be a mapping"));
    }

    @Test
    void refusesVerifyWithoutRequireTls() {
        assertTrue(error(KEYS + "transport: { verify: full }\n")
                .startsWith("policy.yaml:5:14: transport.verify needs 'require-tls: true' beside it"));
    }

    @Test
    void parsesTheVersionsDatabasesReport() {
        assertEquals(TransportPolicy.TlsVersion.TLS_1_3, TransportPolicy.TlsVersion.parse("TLSv1.3"));
        assertEquals(TransportPolicy.TlsVersion.TLS_1_0, TransportPolicy.TlsVersion.parse("TLSv1"));
        assertEquals(null, TransportPolicy.TlsVersion.parse(""));
        assertEquals(null, TransportPolicy.TlsVersion.parse(null));
    }
}
