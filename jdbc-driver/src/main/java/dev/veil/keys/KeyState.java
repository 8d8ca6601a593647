package dev.veil.keys;

import java.util.Locale;

/** The life of a data key. */
public enum KeyState {
    /** Encrypts new values and decrypts. At most one per ring: the highest version in this state. */
    ACTIVE,
    /** Decrypts only; superseded by a newer version. */
    DECRYPT_ONLY,
    /** No longer expected to be used; still decrypts, and can be destroyed. */
    RETIRED,
    /** Crypto-shredded: its wrapped bytes are gone, so nothing it encrypted can be read again. */
    DESTROYED;

    /** The name stored in the key table and shown by the CLI, for example {@code decrypt-only}. */
    public String storedName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static KeyState ofStoredName(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
