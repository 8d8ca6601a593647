package dev.veil.bench;

import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.StorageFormat;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What an application encrypting by hand (the HAND mode) does around JDBC: seal a value with the
 * column's {@link ColumnCipher} before binding it, open what it reads. With a {@code null} cipher
 * both pass plaintext through, so one data-access path serves every mode.
 */
final class HandCrypto {
    private HandCrypto() {
    }

    /** The value to send for a column: the value itself without a cipher, else its envelope ({@code String} for text storage, {@code byte[]} for binary). */
    static Object seal(ColumnCipher cipher, String value) throws SQLException {
        return cipher == null ? value : cipher.encrypt(value);
    }

    /** Binds a value the application (or, with a cipher, its own encryption) sends: text, or a binary envelope. */
    static void set(PreparedStatement ps, int index, ColumnCipher cipher, String value) throws SQLException {
        bind(ps, index, seal(cipher, value));
    }

    /** Binds what {@link #seal} returned. */
    static void bind(PreparedStatement ps, int index, Object sent) throws SQLException {
        if (sent instanceof byte[] envelope) {
            ps.setBytes(index, envelope);
        } else {
            ps.setString(index, (String) sent);
        }
    }

    /** Reads a column's value, decrypting it when there is a cipher. */
    static String get(ResultSet rs, int index, ColumnCipher cipher) throws SQLException {
        if (cipher == null) {
            return rs.getString(index);
        }
        Object stored = cipher.policy().storage() == StorageFormat.BINARY ? rs.getBytes(index) : rs.getString(index);
        return (String) cipher.decrypt(stored);
    }
}
