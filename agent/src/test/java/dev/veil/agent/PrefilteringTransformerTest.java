package dev.veil.agent;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefilteringTransformerTest {
    static byte[] classFile(Class<?> c) throws Exception {
        String name = c.getName();
        try (InputStream in = c.getResourceAsStream(name.substring(name.lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void findsTheDescriptorOnlyWhereItIs() {
        byte[] needle = "abc".getBytes(StandardCharsets.US_ASCII);
        assertTrue(PrefilteringTransformer.contains("xxabc".getBytes(StandardCharsets.US_ASCII), needle));
        assertTrue(PrefilteringTransformer.contains("abc".getBytes(StandardCharsets.US_ASCII), needle));
        assertFalse(PrefilteringTransformer.contains("ab".getBytes(StandardCharsets.US_ASCII), needle));
        assertFalse(PrefilteringTransformer.contains("abxabd".getBytes(StandardCharsets.US_ASCII), needle));
    }

    @Test
    void onlyClassesThatMentionAConnectionReturnReachTheRewriter() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        PrefilteringTransformer t = new PrefilteringTransformer(new java.lang.instrument.ClassFileTransformer() {
            @Override
            public byte[] transform(Module m, ClassLoader l, String n, Class<?> r, java.security.ProtectionDomain d, byte[] b) {
                seen.incrementAndGet();
                return null;
            }
        });
        assertNull(t.transform(null, null, "x", null, null, classFile(AgentSettingTest.class)));
        assertEquals(0, seen.get());
        // the H2 driver declares connect(String, Properties) returning java.sql.Connection
        t.transform(null, null, "org/h2/Driver", null, null, classFile(org.h2.Driver.class));
        assertEquals(1, seen.get());
    }
}
