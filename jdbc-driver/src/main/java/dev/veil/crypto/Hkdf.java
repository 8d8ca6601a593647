package dev.veil.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/** HKDF with HMAC-SHA256 (RFC 5869): extract a pseudorandom key, expand it per purpose. */
public final class Hkdf {
    private static final int HASH_BYTES = 32;

    private Hkdf() {
    }

    /** HKDF-Extract: {@code HMAC(salt, ikm)}; an empty salt stands for 32 zero bytes. */
    public static byte[] extract(byte[] salt, byte[] ikm) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt.length == 0 ? new byte[HASH_BYTES] : salt, "HmacSHA256"));
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand: {@code length} bytes (at most 255 * 32) of output keying material for {@code info}. */
    public static byte[] expand(byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        if (length < 1 || length > 255 * HASH_BYTES) {
            throw new GeneralSecurityException("HKDF output length out of range: " + length);
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            Arrays.fill(t, (byte) 0);
            t = mac.doFinal();
            int n = Math.min(HASH_BYTES, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        Arrays.fill(t, (byte) 0);
        return out;
    }
}
