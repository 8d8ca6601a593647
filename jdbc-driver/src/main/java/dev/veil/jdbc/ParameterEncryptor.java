package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.StorageFormat;
import dev.veil.sql.LookupForm;
import dev.veil.sql.ParameterTarget;
import dev.veil.sql.StatementPlan;

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

    /**
     * Binds {@code value} for {@code target} at parameter {@code index} of the SQL sent (its first
     * slot, for a slotted lookup parameter).
     *
     * @param checks where values written into deterministic columns with a unique index are noted,
     *        for the check across key versions before the statement runs; may be {@code null}
     */
    void bind(PreparedStatement ps, int index, ParameterTarget target, Object value, VersionChecks checks) throws SQLException {
        ColumnCipher cipher = runtime.veil().cipher(target.column());
        boolean text = target.column().storage() == StorageFormat.TEXT;
        switch (target.lookup()) {
            case EQUALS, NOT_EQUALS, LIST_ITEM, NOT_DISTINCT, DISTINCT -> {
                bindSlots(ps, index, target, cipher, value, text);
                return;
            }
            case ARRAY -> {
                if (value != null) {
                    bindLookupArray(ps, index, target, cipher, value, text);
                    return;
                }
            }
            case FIXED -> {
                if (cipher.lookupVersions() > 1) {
                    throw fixedLookup(target.column());
                }
            }
            case NONE -> {
                if (target.writesCompanions()) {
                    bindWithTokens(ps, index, target, cipher, value, text);
                    return;
                }
            }
        }
        if (value == null) {
            if (checks != null && target.lookup() == LookupForm.NONE) {
                checks.written(target.column(), index, null);
            }
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
        if (checks != null && target.lookup() == LookupForm.NONE) {
            checks.written(target.column(), index, ciphertext);
        }
        set(ps, index, ciphertext);
    }

    /**
     * A value written into a searchable column, followed by its search tokens (one parameter per
     * companion column), all under the data key that encrypted the value.
     */
    private void bindWithTokens(PreparedStatement ps, int index, ParameterTarget target, ColumnCipher cipher, Object value,
                                boolean text) throws SQLException {
        dev.veil.search.StoredTokens stored = dev.veil.search.StoredTokens.ofNull();
        if (value == null) {
            ps.setNull(index, text ? Types.VARCHAR : Types.BINARY);
        } else {
            Object ciphertext = cipher.encrypt(value);
            stored = runtime.veil().searchTokens(target.column()).forStored(value, ColumnCipher.keyIdOf(ciphertext));
            set(ps, index, ciphertext);
        }
        int i = index + 1;
        for (dev.veil.search.SearchCapability c : target.column().search().capabilities()) {
            Object tokens = stored.get(c);
            if (c.isArray()) {
                if (tokens == null) {
                    ps.setNull(i++, Types.ARRAY);
                } else {
                    // a binary bytea[] (pgjdbc sends byte[][] in binary): no hex text to write here and to parse on the server
                    ps.setArray(i++, rawConnection.createArrayOf("bytea", (byte[][]) tokens));
                }
            } else if (tokens == null) {
                ps.setNull(i++, Types.BINARY);
            } else {
                ps.setBytes(i++, (byte[]) tokens);
            }
        }
    }

    private static void set(PreparedStatement ps, int index, Object ciphertext) throws SQLException {
        if (ciphertext instanceof String s) {
            ps.setString(index, s);
        } else {
            ps.setBytes(index, (byte[]) ciphertext);
        }
    }

    /** A lookup parameter sent as {@link StatementPlan#LOOKUP_SLOTS} parameters: one per live version, padded with the first. */
    private static void bindSlots(PreparedStatement ps, int index, ParameterTarget target, ColumnCipher cipher, Object value,
                                  boolean text) throws SQLException {
        int slots = target.slots();
        if (value == null) {
            for (int i = 0; i < slots; i++) {
                ps.setNull(index + i, text ? Types.VARCHAR : Types.BINARY);
            }
            return;
        }
        Object[] forms = new Object[slots];
        int n = cipher.encryptForLookup(value, forms);
        for (int i = 0; i < slots; i++) {
            set(ps, index + i, forms[i < n ? i : 0]);
        }
    }

    /** {@code col = ANY(?)}: every element once per live version. */
    private void bindLookupArray(PreparedStatement ps, int index, ParameterTarget target, ColumnCipher cipher, Object value,
                                 boolean text) throws SQLException {
        Object[] elements = elements(value, target);
        int versions = cipher.lookupVersions();
        Object[] encrypted = new Object[elements.length * versions];
        int n = 0;
        for (Object element : elements) {
            if (element == null) {
                encrypted[n++] = null;
            } else {
                n += cipher.encryptForLookup(element, encrypted, n);
            }
        }
        ps.setArray(index, rawConnection.createArrayOf(text ? "text" : "bytea", java.util.Arrays.copyOf(encrypted, n)));
    }

    /** The refusal of a lookup written in a shape that can match one data-key version only, while the ring has several. */
    static VeilException fixedLookup(dev.veil.policy.ColumnPolicy column) {
        return new VeilException(VeilState.UNSUPPORTED_SQL, "a comparison with " + column.column() + " must match every "
                + "data-key version of ring '" + column.keyRing() + "' while it is being rotated, and this form of it cannot; "
                + "write it as column = ?, column <> ?, column IN (?, ...) or column = ANY(?), or finish the rotation "
                + "(veil rekey, then veil keys retire of the old version once 'veil keys list --usage' shows it holds no value)");
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
