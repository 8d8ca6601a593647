package dev.veil.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;

/**
 * Hands the classes that declare an instrumented method to {@link ConnectRewriter}; put behind a
 * {@link PrefilteringTransformer}, so most classes are passed over after a byte search. The JDK,
 * the agent itself and its relocated libraries are never touched.
 */
final class ConnectTransformer implements ClassFileTransformer {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectTransformer.class);
    private static final String[] IGNORED = {"java/", "javax/", "jdk/", "sun/", "com/sun/", "dev/veil/agent/", "dev/veil/shaded/"};
    private static final byte[] BRIDGE = ConnectRewriter.BRIDGE.getBytes(StandardCharsets.US_ASCII);

    private final boolean debug;

    ConnectTransformer(boolean debug) {
        this.debug = debug;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || ignored(className) || PrefilteringTransformer.contains(classfileBuffer, BRIDGE)) {
            return null; // hidden classes, the JDK, Veil, or already instrumented
        }
        try {
            byte[] rewritten = ConnectRewriter.rewrite(classfileBuffer);
            if (rewritten != null) {
                if (debug) {
                    LOG.info("Veil agent instrumented {}", className.replace('/', '.'));
                } else {
                    LOG.debug("Veil agent instrumented {}", className.replace('/', '.'));
                }
            }
            return rewritten;
        } catch (Throwable t) {
            // it declares connect/getConnection returning a Connection: if it is a driver, its connections are not protected
            LOG.warn("Veil agent could not instrument {}; if it is a JDBC driver or data source its connections are not wrapped: {}",
                    className.replace('/', '.'), t.toString());
            return null;
        }
    }

    static boolean ignored(String internalName) {
        for (String prefix : IGNORED) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
