package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.StorageFormat;
import dev.veil.sql.ParameterTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.ZoneId;
import java.util.Calendar;
import java.util.Collection;

/**
 * Binds a value to a parameter that goes to an encrypted column: converts what the setter was
 * given, encrypts it once, and binds the ciphertext as text or bytes. Arrays (for
 * {@code col = ANY(?)}) are encrypted element by element.
 */
final class ParameterEncryptor {
    private final Connection rawConnection;
    private final Runtimes.Runtime runtime;

    ParameterEncryptor(Connection rawConnection, Runtimes.Runtime runtime) {
        this.rawConnection = rawConnection;
        this.runtime = runtime;
    }

    void bind(PreparedStatement ps, int index, ParameterTarget target, Object value) throws SQLException {
        ColumnCipher cipher = runtime.veil().cipher(target.column());
        boolean text = target.column().storage() == StorageFormat.TEXT;
        if (value == null) {
            ps.setNull(index, target.array() ? Types.ARRAY : text ? Types.VARCHAR : Types.BINARY);
            return;
        }
        if (target.array()) {
            Object[] elements = elements(value, target);
            Object[] encrypted = new Object[elements.length];
            for (int i = 0; i < elements.length; i++) {
                encrypted[i] = cipher.encrypt(elements[i]);
            }
            ps.setArray(index, rawConnection.createArrayOf(text ? "text" : "bytea", encrypted));
            return;
        }
        Object ciphertext = cipher.encrypt(value);
        if (ciphertext instanceof String s) {
            ps.setString(index, s);
        } else {
            ps.setBytes(index, (byte[]) ciphertext);
        }
    }

    private static Object[] elements(Object value, ParameterTarget target) throws SQLException {
        Object v = value instanceof Array a ? a.getArray() : value instanceof Collection<?> c ? c.toArray() : value;
        if (v instanceof Object[] objects) {
            return objects;
        }
        if (v != null && v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            Object[] boxed = new Object[n];
            for (int i = 0; i < n; i++) {
                boxed[i] = java.lang.reflect.Array.get(v, i);
            }
            return boxed;
        }
        throw new VeilException(VeilState.VALUE_CONVERSION, "the parameter compared with " + target.column().column()
                + " through ANY(?) must be an array, not a " + value.getClass().getName());
    }

    /** The value a date/time setter with a Calendar means, as the JDBC specification defines it. */
    static Object withCalendar(java.util.Date value, Calendar calendar) {
        if (value == null || calendar == null) {
            return value;
        }
        ZoneId zone = calendar.getTimeZone().toZoneId();
        java.time.LocalDateTime local = java.time.LocalDateTime.ofInstant(value.toInstant(), zone);
        if (value instanceof java.sql.Date) {
            return local.toLocalDate();
        }
        if (value instanceof java.sql.Time) {
            return local.toLocalTime();
        }
        return local;
    }

    /** Reads a character stream fully (the value is encrypted as one string). */
    static String read(Reader reader, long length) throws SQLException {
        if (reader == null) {
            return null;
        }
        try {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            long left = length < 0 ? Long.MAX_VALUE : length;
            int n;
            while (left > 0 && (n = reader.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                sb.append(buf, 0, n);
                left -= n;
            }
            return sb.toString();
        } catch (IOException e) {
            throw new SQLException("cannot read the character stream bound to an encrypted column", "22000", e);
        }
    }

    /** Reads a byte stream fully. */
    static byte[] read(InputStream in, long length) throws SQLException {
        if (in == null) {
            return null;
        }
        try {
            return length < 0 ? in.readAllBytes() : in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
        } catch (IOException e) {
            throw new SQLException("cannot read the stream bound to an encrypted column", "22000", e);
        }
    }

    static String read(Clob clob) throws SQLException {
        return clob == null ? null : clob.getSubString(1, (int) clob.length());
    }

    static byte[] read(Blob blob) throws SQLException {
        return blob == null ? null : blob.getBytes(1, (int) blob.length());
    }
}
