package dev.veil.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The persistent ciphertext format (version 1). Binary layout:
 *
 * <pre>
 *   offset size  field
 *   0      1     magic 0xF7 (never the first byte of UTF-8 text)
 *   1      1     (format version &lt;&lt; 4) | algorithm code   — 0x11 AES-256-GCM, 0x12 AES-256-GCM-SIV
 *   2      4     data-key id, big-endian
 *   6      12    nonce (AES-256-GCM only)
 *   ..     n     ciphertext
 *   ..     16    authentication tag
 * </pre>
 *
 * Overhead: 34 bytes randomized, 22 deterministic. The text form is {@value #TEXT_PREFIX} followed
 * by the binary envelope in unpadded base64url. The associated data authenticated with every
 * value is the 6-byte header followed by the column's context (see {@link ColumnCipher}).
 */
public final class Envelope {
    public static final byte MAGIC = (byte) 0xF7;
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_BYTES = 6;
    public static final int TAG_BYTES = 16;
    public static final String TEXT_PREFIX = "vl1:";

    private static final byte[] TEXT_PREFIX_BYTES = TEXT_PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder TEXT_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private Envelope() {
    }

    /** Size of an envelope holding {@code plaintextBytes} bytes under {@code algorithm}. */
    public static int size(Algorithm algorithm, int plaintextBytes) {
        return HEADER_BYTES + algorithm.nonceBytes() + plaintextBytes + TAG_BYTES;
    }

    /** Length of the text form of an envelope of {@code envelopeBytes} bytes. */
    public static int textLength(int envelopeBytes) {
        return TEXT_PREFIX.length() + (envelopeBytes * 4 + 2) / 3;
    }

    static void writeHeader(byte[] out, Algorithm algorithm, int keyId) {
        out[0] = MAGIC;
        out[1] = (byte) (FORMAT_VERSION << 4 | algorithm.code());
        out[2] = (byte) (keyId >>> 24);
        out[3] = (byte) (keyId >>> 16);
        out[4] = (byte) (keyId >>> 8);
        out[5] = (byte) keyId;
    }

    /** Whether bytes carry the envelope's magic byte and minimum length. */
    public static boolean isBinaryEnvelope(byte[] value) {
        return value != null && value.length >= HEADER_BYTES + TAG_BYTES && value[0] == MAGIC;
    }

    /** Whether text carries the envelope's prefix. */
    public static boolean isTextEnvelope(String value) {
        return value != null && value.startsWith(TEXT_PREFIX);
    }

    /** The algorithm in a header, or {@code null} for an unknown version or algorithm. */
    static Algorithm algorithm(byte[] envelope) {
        int b = envelope[1] & 0xFF;
        return (b >>> 4) == FORMAT_VERSION ? Algorithm.ofCode(b & 0x0F) : null;
    }

    /** The data-key id named by an envelope that {@link #isBinaryEnvelope passed the shape check}. */
    public static int keyId(byte[] envelope) {
        return (envelope[2] & 0xFF) << 24 | (envelope[3] & 0xFF) << 16 | (envelope[4] & 0xFF) << 8 | envelope[5] & 0xFF;
    }

    /** The text form of a binary envelope. */
    public static String toText(byte[] envelope) {
        return TEXT_PREFIX + TEXT_ENCODER.encodeToString(envelope);
    }

    /**
     * The binary envelope inside a text form, or {@code null} if it is not canonical base64url.
     * Non-canonical encodings (stray bits in the last character) are refused, so every altered
     * character is noticed. Decodes straight from the string, with one allocation: this runs for
     * every encrypted value a result set returns.
     */
    public static byte[] fromText(String text) {
        // Latin-1 bytes of a compact string are a plain copy; any other character becomes '?', refused below
        return text.startsWith(TEXT_PREFIX) ? decodeBody(text.getBytes(StandardCharsets.ISO_8859_1)) : null;
    }

    /**
     * {@link #fromText(String)} for the text form's bytes (ASCII, so the same in UTF-8 and Latin-1);
     * {@code text} is only read.
     */
    public static byte[] fromText(byte[] text) {
        return isTextEnvelope(text) ? decodeBody(text) : null;
    }

    /** Whether the bytes of a text start with the envelope's prefix. */
    public static boolean isTextEnvelope(byte[] text) {
        int n = TEXT_PREFIX_BYTES.length;
        return text != null && text.length >= n && Arrays.equals(text, 0, n, TEXT_PREFIX_BYTES, 0, n);
    }

    /** Decodes the base64url after the prefix; {@code null} when not canonical. */
    private static byte[] decodeBody(byte[] in) {
        int start = TEXT_PREFIX.length();
        int chars = in.length - start;
        int rem = chars & 3;
        if (rem == 1) {
            return null;
        }
        byte[] out = new byte[(chars >> 2) * 3 + (rem == 0 ? 0 : rem - 1)];
        byte[] t = SEXTETS;
        int o = 0;
        int i = start;
        int fullEnd = start + (chars & ~3);
        int bad = 0;
        for (; i < fullEnd; i += 4) {
            int a = t[in[i] & 0xFF];
            int b = t[in[i + 1] & 0xFF];
            int c = t[in[i + 2] & 0xFF];
            int d = t[in[i + 3] & 0xFF];
            bad |= a | b | c | d;
            int bits = a << 18 | b << 12 | c << 6 | d;
            out[o] = (byte) (bits >> 16);
            out[o + 1] = (byte) (bits >> 8);
            out[o + 2] = (byte) bits;
            o += 3;
        }
        if (rem == 2) {
            int a = t[in[i] & 0xFF];
            int b = t[in[i + 1] & 0xFF];
            // the last character's low 4 bits are unused and must be zero
            bad |= a | b | (b & 0x0F) << 24;
            out[o] = (byte) (a << 2 | b >> 4);
        } else if (rem == 3) {
            int a = t[in[i] & 0xFF];
            int b = t[in[i + 1] & 0xFF];
            int c = t[in[i + 2] & 0xFF];
            bad |= a | b | c | (c & 0x03) << 24;
            int bits = a << 12 | b << 6 | c;
            out[o] = (byte) (bits >> 10);
            out[o + 1] = (byte) (bits >> 2);
        }
        return bad < 0 || (bad & 0xFF000000) != 0 ? null : out;
    }

    /** The 6-bit value of each base64url character; -1 for every other byte. */
    private static final byte[] SEXTETS = new byte[256];

    static {
        Arrays.fill(SEXTETS, (byte) -1);
        for (int i = 0; i < BASE64URL.length(); i++) {
            SEXTETS[BASE64URL.charAt(i)] = (byte) i;
        }
    }
}
