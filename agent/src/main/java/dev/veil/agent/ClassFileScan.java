package dev.veil.agent;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Reads just enough of a class file to tell whether the class declares a method the agent
 * instruments: a non-abstract {@code connect(String, Properties)}, {@code getConnection()} or
 * {@code getConnection(String, String)} returning {@code java.sql.Connection}. Classes that only
 * call such methods (most of an ORM) are thereby never handed to the rewriter. Anything it cannot
 * read counts as a candidate, so the rewriter decides.
 */
final class ClassFileScan {
    private static final Set<String> METHODS = Set.of(
            "connect(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;",
            "getConnection()Ljava/sql/Connection;",
            "getConnection(Ljava/lang/String;Ljava/lang/String;)Ljava/sql/Connection;");
    private static final int ACC_ABSTRACT = 0x0400;

    private ClassFileScan() {
    }

    static boolean declaresConnectionMethod(byte[] b) {
        try {
            if (u4(b, 0) != 0xCAFEBABE) {
                return true;
            }
            int count = u2(b, 8);
            int[] utf8 = new int[count];
            int p = 10;
            for (int i = 1; i < count; i++) {
                int tag = b[p] & 0xFF;
                switch (tag) {
                    case 1 -> {
                        utf8[i] = p;
                        p += 3 + u2(b, p + 1);
                    }
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> p += 5;
                    case 5, 6 -> {
                        p += 9;
                        i++; // eight-byte constants take two slots
                    }
                    case 7, 8, 16, 19, 20 -> p += 3;
                    case 15 -> p += 4;
                    default -> {
                        return true; // a newer class-file format: let the rewriter look
                    }
                }
            }
            p += 6; // access, this, super
            p += 2 + 2 * u2(b, p); // interfaces
            p = skipMembers(b, p, null, utf8);
            return skipMembers(b, p, new boolean[1], utf8) < 0;
        } catch (RuntimeException malformed) {
            return true;
        }
    }

    /** Skips fields or methods; for methods ({@code found != null}) returns -1 as soon as one matches. */
    private static int skipMembers(byte[] b, int p, boolean[] found, int[] utf8) {
        int members = u2(b, p);
        p += 2;
        for (int m = 0; m < members; m++) {
            int access = u2(b, p);
            if (found != null && (access & ACC_ABSTRACT) == 0
                    && METHODS.contains(utf8(b, utf8[u2(b, p + 2)]) + utf8(b, utf8[u2(b, p + 4)]))) {
                return -1;
            }
            int attributes = u2(b, p + 6);
            p += 8;
            for (int a = 0; a < attributes; a++) {
                p += 6 + u4(b, p + 2);
            }
        }
        return p;
    }

    private static String utf8(byte[] b, int at) {
        // modified UTF-8; the names compared against are ASCII, so decoding as UTF-8 is exact for them
        return new String(b, at + 3, u2(b, at + 1), StandardCharsets.UTF_8);
    }

    private static int u2(byte[] b, int p) {
        return (b[p] & 0xFF) << 8 | b[p + 1] & 0xFF;
    }

    private static int u4(byte[] b, int p) {
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | b[p + 3] & 0xFF;
    }
}
