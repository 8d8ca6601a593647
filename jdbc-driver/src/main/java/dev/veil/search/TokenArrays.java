package dev.veil.search;

/** Token sets in PostgreSQL's text form of a {@code bytea[]}, for binding as text with a cast. */
public final class TokenArrays {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TokenArrays() {
    }

    /** {@code {"\\x0a1b…","\\x…"}}: each element a quoted hex bytea (the backslash escaped inside the array quotes). */
    public static String text(byte[][] tokens) {
        int len = 2;
        for (byte[] t : tokens) {
            len += t.length * 2 + 6;
        }
        StringBuilder sb = new StringBuilder(len).append('{');
        for (int i = 0; i < tokens.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("\"\\\\x");
            for (byte b : tokens[i]) {
                sb.append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
            sb.append('"');
        }
        return sb.append('}').toString();
    }
}
