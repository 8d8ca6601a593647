package dev.veil.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;

/**
 * Shows the rewriter only the classes that declare a method the agent instruments. Such a class's
 * constant pool holds the descriptor text {@code )Ljava/sql/Connection;}, so most classes are
 * passed over after a byte search; the few that mention it are checked by {@link ClassFileScan}
 * for a declared {@code connect}/{@code getConnection}. Everything else is never parsed: in a
 * Spring Boot application that is the difference between seconds and tens of milliseconds of
 * start-up CPU.
 */
final class PrefilteringTransformer implements ClassFileTransformer {
    private static final byte[] RETURNS_CONNECTION = ")Ljava/sql/Connection;".getBytes(StandardCharsets.US_ASCII);

    private final ClassFileTransformer delegate;

    PrefilteringTransformer(ClassFileTransformer delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
        if (!candidate(classfileBuffer)) {
            return null;
        }
        return delegate.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
        if (!candidate(classfileBuffer)) {
            return null;
        }
        return delegate.transform(loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    static boolean candidate(byte[] classFile) {
        return classFile != null && contains(classFile, RETURNS_CONNECTION) && ClassFileScan.declaresConnectionMethod(classFile);
    }

    /** Whether {@code haystack} contains {@code needle}: a plain scan, anchored on the needle's rarest-looking last byte. */
    static boolean contains(byte[] haystack, byte[] needle) {
        int last = needle.length - 1;
        byte end = needle[last];
        outer:
        for (int i = last; i < haystack.length; i++) {
            if (haystack[i] != end) {
                continue;
            }
            int start = i - last;
            for (int j = 0; j < last; j++) {
                if (haystack[start + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
