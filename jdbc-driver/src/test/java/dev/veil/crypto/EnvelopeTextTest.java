package dev.veil.crypto;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The text form's own base64url decoder against the JDK's, and its refusals. */
class EnvelopeTextTest {

    @Test
    void decodesWhatTheJdkEncodesAtEveryLength() {
        Random random = new Random(4);
        for (int n = 0; n < 200; n++) {
            for (int rep = 0; rep < 20; rep++) {
                byte[] bytes = new byte[n];
                random.nextBytes(bytes);
                String text = Envelope.toText(bytes);
                assertArrayEquals(bytes, Envelope.fromText(text), text);
                assertArrayEquals(Base64.getUrlDecoder().decode(text.substring(4)), Envelope.fromText(text));
                assertArrayEquals(bytes, Envelope.fromText(text.getBytes(StandardCharsets.US_ASCII)), text);
            }
        }
    }

    @Test
    void refusesEveryCharacterOutsideTheAlphabetAtEveryPosition() {
        String text = Envelope.toText(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        for (int pos = 4; pos < text.length(); pos++) {
            for (char c : new char[]{'+', '/', '=', ' ', '.', '\u00e9', '\u0000', '\u017f', (char) 0xFF41}) {
                String altered = text.substring(0, pos) + c + text.substring(pos + 1);
                assertNull(Envelope.fromText(altered), altered);
                assertNull(Envelope.fromText(altered.getBytes(StandardCharsets.UTF_8)), altered);
            }
        }
    }

    @Test
    void refusesNonCanonicalEndingsAndImpossibleLengths() {
        // 1 byte -> 2 chars, the second's low 4 bits unused; 2 bytes -> 3 chars, the third's low 2 bits unused
        assertArrayEquals(new byte[]{(byte) 0xFF}, Envelope.fromText("vl1:_w"));
        assertNull(Envelope.fromText("vl1:_x"));
        assertArrayEquals(new byte[]{(byte) 0xFF, (byte) 0xFF}, Envelope.fromText("vl1:__8"));
        assertNull(Envelope.fromText("vl1:__9"));
        assertNull(Envelope.fromText("vl1:AAAAA"));
        assertNull(Envelope.fromText("vl1:AAAA="));
        assertNull(Envelope.fromText("vl1:__9".getBytes(StandardCharsets.US_ASCII)));
        assertNull(Envelope.fromText("vl2:AAAA".getBytes(StandardCharsets.US_ASCII)));
        assertNull(Envelope.fromText("vl1".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new byte[0], Envelope.fromText("vl1:".getBytes(StandardCharsets.US_ASCII)));
    }
}
