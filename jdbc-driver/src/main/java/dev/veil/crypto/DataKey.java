package dev.veil.crypto;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Destroyable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * An unwrapped data key, ready to encrypt: the id every ciphertext names, and two subkeys derived
 * from the 256-bit data key with HMAC-SHA256 — one for randomized AES-GCM, one for deterministic
 * AES-GCM-SIV — so the two modes never share an AES key; and an HKDF pseudorandom key from which
 * search-token keys are expanded ({@link #searchKey}).
 *
 * <p>The raw data key is not kept. {@link #destroy()} overwrites both subkeys; this object never
 * prints key bytes. (JCE ciphers may hold an expanded copy of the AES key schedule until they are
 * re-initialised with another key; that is outside our control.)
 */
public final class DataKey implements Destroyable {
    public static final int KEY_BYTES = 32;
    private static final byte[] RANDOMIZED_LABEL = "veil/v1/aes-256-gcm".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DETERMINISTIC_LABEL = "veil/v1/aes-256-gcm-siv".getBytes(StandardCharsets.US_ASCII);
    /** HKDF salt of the search pseudorandom key; search keys are expanded from it per column and capability. */
    private static final byte[] SEARCH_SALT = "veil/search/v1".getBytes(StandardCharsets.US_ASCII);

    private final int id;
    private final RawAesKey randomizedKey;
    private final byte[] deterministicKey;
    private final byte[] searchPrk;
    private volatile boolean destroyed;

    private DataKey(int id, RawAesKey randomizedKey, byte[] deterministicKey, byte[] searchPrk) {
        this.id = id;
        this.randomizedKey = randomizedKey;
        this.deterministicKey = deterministicKey;
        this.searchPrk = searchPrk;
    }

    /**
     * Derives the subkeys of a data key. The caller keeps ownership of {@code dataKey} and should
     * wipe it afterwards.
     *
     * @throws GeneralSecurityException if the key is not 32 bytes or HMAC-SHA256 is unavailable
     */
    public static DataKey derive(int id, byte[] dataKey) throws GeneralSecurityException {
        if (dataKey.length != KEY_BYTES) {
            throw new GeneralSecurityException("data key must be " + KEY_BYTES + " bytes, got " + dataKey.length);
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        SecretKeySpec macKey = new SecretKeySpec(dataKey, "HmacSHA256");
        mac.init(macKey);
        byte[] randomized = mac.doFinal(RANDOMIZED_LABEL);
        mac.init(macKey);
        byte[] deterministic = mac.doFinal(DETERMINISTIC_LABEL);
        return new DataKey(id, new RawAesKey(randomized), deterministic, Hkdf.extract(SEARCH_SALT, dataKey));
    }

    /** The id stored in every ciphertext made with this key. */
    public int id() {
        return id;
    }

    SecretKey randomizedKey() {
        checkUsable();
        return randomizedKey;
    }

    byte[] deterministicKey() {
        checkUsable();
        return deterministicKey;
    }

    /**
     * A search-token key: HKDF-SHA256 from this data key (salt {@code veil/search/v1}, the data key
     * as input keying material), expanded for {@code info}. The caller owns the 32 returned bytes
     * and must wipe them when this key is destroyed.
     *
     * @throws GeneralSecurityException if HMAC-SHA256 is unavailable
     * @throws IllegalStateException if this key was destroyed
     */
    public byte[] searchKey(byte[] info) throws GeneralSecurityException {
        checkUsable();
        byte[] k = Hkdf.expand(searchPrk, info, KEY_BYTES);
        checkUsable(); // wiped while expanding: the output is under zero bytes
        return k;
    }

    private void checkUsable() {
        if (destroyed) {
            throw new IllegalStateException("data key " + id + " was destroyed");
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        randomizedKey.wipe();
        Arrays.fill(deterministicKey, (byte) 0);
        Arrays.fill(searchPrk, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "DataKey[id=" + id + (destroyed ? ", destroyed" : "") + "]";
    }

    /** An AES key whose bytes we own and can wipe (SecretKeySpec cannot be destroyed on JDK 17). */
    private static final class RawAesKey implements SecretKey {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;

        RawAesKey(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String getAlgorithm() {
            return "AES";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return bytes.clone();
        }

        void wipe() {
            Arrays.fill(bytes, (byte) 0);
        }

        @Override
        public String toString() {
            return "RawAesKey[redacted]";
        }
    }
}
