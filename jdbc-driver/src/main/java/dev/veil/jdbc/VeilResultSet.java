package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.crypto.ValueConverter;
import dev.veil.policy.LogicalType;
import dev.veil.policy.StorageFormat;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;

import javax.sql.rowset.serial.SerialBlob;
import javax.sql.rowset.serial.SerialClob;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Map;

/**
 * A result set that decrypts the columns its plan traced to encrypted columns and converts the
 * plaintext to whatever getter the application calls. Columns that are not encrypted, and result
 * sets with none, go straight to the real result set.
 */
final class VeilResultSet extends DelegatingResultSet {
    /** {@link #visible} of a result without hidden columns. */
    static final int ALL_COLUMNS = Integer.MAX_VALUE;

    private final VeilConnection connection;
    private final Statement owner;
    /** Index (1-based) to the cipher of an encrypted column; {@code null} when no column is encrypted. */
    private final ColumnCipher[] ciphers;
    private boolean lastReadEncrypted;
    private boolean lastEncryptedWasNull;
    /** The rows to drop (search predicates the index over-matched), or {@code null}. */
    private final RowFilter filter;
    /** The order Veil serves the rows in (ORDER BY an encrypted column), or {@code null} for the database's. */
    private final RowOrder order;
    /** With {@link #order}: the raw rows' positions in serving order, once read. */
    private int[] sorted;
    /** With {@link #order}: the index in {@link #sorted} of the current row (-1 before the first). */
    private int cursor = -1;
    /**
     * How many columns the application sees; those after them are Veil's own (searched columns
     * appended to filter by) and are reported as absent. {@link #ALL_COLUMNS} when there are none.
     */
    private final int visible;
    /** The result's concurrency once asked (0 before). */
    private int concurrency;

    VeilResultSet(VeilConnection connection, Statement owner, ResultSet raw, ColumnCipher[] ciphers) {
        this(connection, owner, raw, ciphers, null, null);
    }

    VeilResultSet(VeilConnection connection, Statement owner, ResultSet raw, ColumnCipher[] ciphers, RowFilter filter) {
        this(connection, owner, raw, ciphers, filter, null);
    }

    VeilResultSet(VeilConnection connection, Statement owner, ResultSet raw, ColumnCipher[] ciphers, RowFilter filter, RowOrder order) {
        this(connection, owner, raw, ciphers, filter, order, ALL_COLUMNS);
    }

    /**
     * @param visible how many columns the application sees ({@link #ALL_COLUMNS}: all); the
     *        columns after them are read by {@code filter} only
     */
    VeilResultSet(VeilConnection connection, Statement owner, ResultSet raw, ColumnCipher[] ciphers, RowFilter filter, RowOrder order,
                  int visible) {
        super(raw);
        this.connection = connection;
        this.owner = owner;
        this.ciphers = ciphers;
        this.filter = filter;
        this.order = order;
        this.visible = visible;
    }

    /**
     * The decrypted value of encrypted result column {@code index} in the current row, for
     * {@link RowFilter} and {@link RowOrder}: hidden columns included, {@link #wasNull()} untouched.
     */
    Object plaintextAt(int index) throws SQLException {
        ColumnCipher c = ciphers == null || index < 1 || index >= ciphers.length ? null : ciphers[index];
        if (c == null) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "result column " + index + " is not encrypted, so Veil cannot filter by it");
        }
        return decrypt(index, c);
    }

    /**
     * The error the real driver gives for a column index past a result of {@code visible} columns
     * (Veil's hidden columns count as past it); for this result set and its metadata alike.
     */
    static SQLException outOfRange(int index, int visible) {
        return new SQLException("The column index is out of range: " + index + ", number of columns: " + visible + ".", "22023");
    }

    @Override
    public int findColumn(String label) throws SQLException {
        int index = delegate.findColumn(label);
        if (index > visible) {
            throw new SQLException("The column name " + label + " was not found in this ResultSet.", "42703");
        }
        return index;
    }

    @Override
    public boolean next() throws SQLException {
        if (order != null) {
            readSorted();
            if (cursor < sorted.length) {
                cursor++;
            }
            if (cursor < sorted.length) {
                return delegate.absolute(sorted[cursor]);
            }
            delegate.afterLast();
            return false;
        }
        if (filter == null) {
            return delegate.next();
        }
        while (delegate.next()) {
            if (filter.accepts(this)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads every row (dropping those {@link #filter} rejects), then sorts their positions by
     * {@link #order}; the rows are then visited with {@code absolute}, so the raw result must be
     * scrollable (prepared statements of such a plan ask for it).
     */
    private void readSorted() throws SQLException {
        if (sorted != null) {
            return;
        }
        if (delegate.getType() == ResultSet.TYPE_FORWARD_ONLY) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "ORDER BY on an encrypted column is answered by Veil, which reads "
                    + "the rows again in their order; run the query as a PreparedStatement prepared without generated keys (the result of "
                    + "a plain Statement, or of a statement prepared for generated keys, is forward-only)");
        }
        List<Object[]> rows = new ArrayList<>();
        int[] positions = new int[16];
        int n = 0;
        while (delegate.next()) {
            n++;
            if (filter != null && !filter.accepts(this)) {
                continue;
            }
            rows.add(order.row(k -> k.encrypted() == null ? delegate.getObject(k.resultColumn()) : plaintextAt(k.resultColumn())));
            if (rows.size() > positions.length) {
                positions = Arrays.copyOf(positions, positions.length * 2);
            }
            positions[rows.size() - 1] = n;
        }
        sorted = order.order(rows, positions);
    }

    /** Moving backwards or to a position would count rows Veil dropped or sorted: refused on such results. */
    private void forwardOnly() throws SQLException {
        if (order != null) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "this result is sorted by Veil (ORDER BY an encrypted column), "
                    + "so it can only be read forward with next()");
        }
        if (filter != null) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "this result is filtered by Veil (a search predicate the index "
                    + "over-matches), so it can only be read forward with next()");
        }
    }

    @Override
    public boolean previous() throws SQLException {
        forwardOnly();
        return delegate.previous();
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        forwardOnly();
        return delegate.absolute(row);
    }

    @Override
    public boolean relative(int rows) throws SQLException {
        forwardOnly();
        return delegate.relative(rows);
    }

    @Override
    public boolean first() throws SQLException {
        forwardOnly();
        return delegate.first();
    }

    @Override
    public boolean last() throws SQLException {
        forwardOnly();
        return delegate.last();
    }

    @Override
    public boolean isLast() throws SQLException {
        if (order != null) {
            readSorted();
            return cursor >= 0 && cursor == sorted.length - 1;
        }
        forwardOnly();
        return delegate.isLast();
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        if (order != null) {
            readSorted();
            return cursor < 0 && sorted.length > 0;
        }
        return super.isBeforeFirst();
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        if (order != null) {
            return sorted != null && sorted.length > 0 && cursor >= sorted.length;
        }
        return super.isAfterLast();
    }

    @Override
    public boolean isFirst() throws SQLException {
        if (order != null) {
            return sorted != null && cursor == 0 && sorted.length > 0;
        }
        return super.isFirst();
    }

    @Override
    public int getType() throws SQLException {
        return order != null ? ResultSet.TYPE_FORWARD_ONLY : super.getType();
    }

    @Override
    public int getRow() throws SQLException {
        forwardOnly();
        return delegate.getRow();
    }

    private ColumnCipher cipher(int index) throws SQLException {
        if (index > visible) {
            throw outOfRange(index, visible);
        }
        if (ciphers == null || index >= ciphers.length || index < 1) {
            lastReadEncrypted = false;
            return null;
        }
        ColumnCipher c = ciphers[index];
        lastReadEncrypted = c != null;
        return c;
    }

    /** The decrypted canonical value of an encrypted column in the current row, for {@link #wasNull()}. */
    private Object plaintext(int index, ColumnCipher c) throws SQLException {
        Object v = decrypt(index, c);
        lastEncryptedWasNull = v == null;
        return v;
    }

    private Object decrypt(int index, ColumnCipher c) throws SQLException {
        Object v;
        if (c.policy().storage() != StorageFormat.TEXT) {
            v = c.decrypt(delegate.getBytes(index));
        } else if (connection.dialect().readsTextAsBytes()) {
            v = c.decryptText(delegate.getBytes(index));
        } else {
            v = c.decrypt(delegate.getString(index));
        }
        return v;
    }

    private <T> T read(int index, ColumnCipher c, Class<T> type) throws SQLException {
        return ValueConverter.convert(plaintext(index, c), type, c.policy().column());
    }

    @Override
    protected boolean hasEncryptedColumns() throws SQLException {
        // an updatable result's updates by label go through checkWritable too (companion columns)
        return ciphers != null || updatable();
    }

    private boolean updatable() throws SQLException {
        if (concurrency == 0) {
            concurrency = delegate.getConcurrency();
        }
        return concurrency == ResultSet.CONCUR_UPDATABLE;
    }

    @Override
    protected void checkWritable(int index) throws SQLException {
        if (index > visible) {
            throw outOfRange(index, visible);
        }
        if (ciphers != null && index > 0 && index < ciphers.length && ciphers[index] != null) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "updatable result sets cannot write encrypted column "
                    + ciphers[index].policy().column() + "; use an UPDATE statement");
        }
        CompanionColumns.Companion k = companionAt(index);
        if (k != null) {
            // the driver writes it by its table column name, whatever the query's label: as UPDATE … SET on it, refused
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "updatable result sets cannot write column " + k.name() + ": it is the "
                    + k.capability().policyName() + " search index of " + k.owner().column() + ", which Veil maintains itself (write "
                    + k.owner().column().column() + " with an UPDATE statement and Veil writes its index)");
        }
    }

    /**
     * The companion column of a searchable policy column that result column {@code index} is, by
     * its label, its name or (PostgreSQL) the table column it reads; {@code null} when none.
     */
    private CompanionColumns.Companion companionAt(int index) throws SQLException {
        List<TablePolicy> tables = connection.runtime().veil().policy().tables();
        ResultSetMetaData md = delegate.getMetaData();
        for (String name : new String[] {md.getColumnLabel(index), md.getColumnName(index), baseColumnName(md, index)}) {
            for (int i = 0; name != null && i < tables.size(); i++) {
                CompanionColumns.Companion k = CompanionColumns.find(tables.get(i), name).orElse(null);
                if (k != null) {
                    return k;
                }
            }
        }
        return null;
    }

    /** pgjdbc's {@code PGResultSetMetaData.getBaseColumnName}, by name: the PostgreSQL driver is optional. {@code null} elsewhere. */
    private static String baseColumnName(ResultSetMetaData md, int index) throws SQLException {
        try {
            Class<?> pg = Class.forName("org.postgresql.PGResultSetMetaData", false, md.getClass().getClassLoader());
            return md.isWrapperFor(pg) ? (String) pg.getMethod("getBaseColumnName", int.class).invoke(md.unwrap(pg), index) : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    @Override
    protected ResultSetMetaData wrapResultSetMetaData(ResultSetMetaData raw) {
        return raw == null ? null : new VeilResultSetMetaData(raw, ciphers, visible);
    }

    @Override
    protected Statement wrapStatement(Statement raw) {
        return owner != null || raw == null ? owner : new VeilStatement(connection, raw);
    }

    @Override
    public boolean wasNull() throws SQLException {
        return lastReadEncrypted ? lastEncryptedWasNull : delegate.wasNull();
    }

    // ---- getters by index (the generated base sends getters by label here when columns are encrypted) ----

    @Override
    public String getString(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getString(index) : read(index, c, String.class);
    }

    @Override
    public String getNString(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getNString(index) : read(index, c, String.class);
    }

    @Override
    public boolean getBoolean(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getBoolean(index);
        }
        Boolean v = read(index, c, Boolean.class);
        return v != null && v;
    }

    @Override
    public byte getByte(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getByte(index);
        }
        Byte v = read(index, c, Byte.class);
        return v == null ? 0 : v;
    }

    @Override
    public short getShort(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getShort(index);
        }
        Short v = read(index, c, Short.class);
        return v == null ? 0 : v;
    }

    @Override
    public int getInt(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getInt(index);
        }
        Integer v = read(index, c, Integer.class);
        return v == null ? 0 : v;
    }

    @Override
    public long getLong(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getLong(index);
        }
        Long v = read(index, c, Long.class);
        return v == null ? 0 : v;
    }

    @Override
    public float getFloat(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getFloat(index);
        }
        Float v = read(index, c, Float.class);
        return v == null ? 0 : v;
    }

    @Override
    public double getDouble(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getDouble(index);
        }
        Double v = read(index, c, Double.class);
        return v == null ? 0 : v;
    }

    @Override
    public BigDecimal getBigDecimal(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getBigDecimal(index) : read(index, c, BigDecimal.class);
    }

    @Override
    @SuppressWarnings("deprecation")
    public BigDecimal getBigDecimal(int index, int scale) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getBigDecimal(index, scale);
        }
        BigDecimal v = read(index, c, BigDecimal.class);
        return v == null ? null : v.setScale(scale, RoundingMode.HALF_UP);
    }

    @Override
    public byte[] getBytes(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getBytes(index) : read(index, c, byte[].class);
    }

    @Override
    public Date getDate(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getDate(index) : read(index, c, Date.class);
    }

    @Override
    public Date getDate(int index, Calendar calendar) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getDate(index, calendar);
        }
        LocalDate d = read(index, c, LocalDate.class);
        return d == null ? null : new Date(d.atStartOfDay(calendar.getTimeZone().toZoneId()).toInstant().toEpochMilli());
    }

    @Override
    public Time getTime(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getTime(index) : read(index, c, Time.class);
    }

    @Override
    public Time getTime(int index, Calendar calendar) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getTime(index, calendar);
        }
        LocalTime t = read(index, c, LocalTime.class);
        return t == null ? null : new Time(t.atDate(LocalDate.EPOCH).atZone(calendar.getTimeZone().toZoneId()).toInstant().toEpochMilli());
    }

    @Override
    public Timestamp getTimestamp(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getTimestamp(index) : read(index, c, Timestamp.class);
    }

    @Override
    public Timestamp getTimestamp(int index, Calendar calendar) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getTimestamp(index, calendar);
        }
        Object v = plaintext(index, c);
        if (v instanceof OffsetDateTime o) {
            return Timestamp.from(o.toInstant());
        }
        LocalDateTime t = ValueConverter.convert(v, LocalDateTime.class, c.policy().column());
        return t == null ? null : Timestamp.from(t.atZone(calendar.getTimeZone().toZoneId()).toInstant());
    }

    @Override
    public Object getObject(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getObject(index);
        }
        Object v = plaintext(index, c);
        if (v == null || !(v instanceof LocalDate || v instanceof LocalTime || v instanceof LocalDateTime || v instanceof OffsetDateTime)) {
            return v;
        }
        // JDBC drivers return java.sql types from getObject for temporal columns
        LogicalType t = c.policy().type();
        Class<?> jdbcType = t == LogicalType.DATE ? Date.class : t == LogicalType.TIME ? Time.class : Timestamp.class;
        return ValueConverter.convert(v, jdbcType, c.policy().column());
    }

    @Override
    public <T> T getObject(int index, Class<T> type) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getObject(index, type) : read(index, c, type);
    }

    @Override
    public Object getObject(int index, Map<String, Class<?>> map) throws SQLException {
        ColumnCipher c = cipher(index);
        return c == null ? delegate.getObject(index, map) : getObject(index);
    }

    @Override
    public InputStream getAsciiStream(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getAsciiStream(index);
        }
        String s = read(index, c, String.class);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    @SuppressWarnings("deprecation")
    public InputStream getUnicodeStream(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getUnicodeStream(index);
        }
        String s = read(index, c, String.class);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public InputStream getBinaryStream(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getBinaryStream(index);
        }
        byte[] b = read(index, c, byte[].class);
        return b == null ? null : new ByteArrayInputStream(b);
    }

    @Override
    public Reader getCharacterStream(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getCharacterStream(index);
        }
        String s = read(index, c, String.class);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public Reader getNCharacterStream(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getNCharacterStream(index);
        }
        String s = read(index, c, String.class);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public Clob getClob(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getClob(index);
        }
        String s = read(index, c, String.class);
        return s == null ? null : new SerialClob(s.toCharArray());
    }

    @Override
    public NClob getNClob(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c != null) {
            throw new VeilException(VeilState.VALUE_CONVERSION, "cannot read encrypted column " + c.policy().column() + " as an NClob; use getString");
        }
        return delegate.getNClob(index);
    }

    @Override
    public Blob getBlob(int index) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c == null) {
            return delegate.getBlob(index);
        }
        byte[] b = read(index, c, byte[].class);
        return b == null ? null : new SerialBlob(b);
    }

    @Override
    public Array getArray(int index) throws SQLException {
        return refuse(index, "an Array").getArray(index);
    }

    @Override
    public Ref getRef(int index) throws SQLException {
        return refuse(index, "a Ref").getRef(index);
    }

    @Override
    public RowId getRowId(int index) throws SQLException {
        return refuse(index, "a RowId").getRowId(index);
    }

    @Override
    public SQLXML getSQLXML(int index) throws SQLException {
        return refuse(index, "SQLXML").getSQLXML(index);
    }

    @Override
    public java.net.URL getURL(int index) throws SQLException {
        return refuse(index, "a URL").getURL(index);
    }

    /** The real result set, for getters that make no sense on an encrypted column. */
    private ResultSet refuse(int index, String what) throws SQLException {
        ColumnCipher c = cipher(index);
        if (c != null) {
            throw new VeilException(VeilState.VALUE_CONVERSION, "cannot read encrypted column " + c.policy().column() + " as " + what);
        }
        return delegate;
    }

    @Override
    public String toString() {
        return "VeilResultSet[" + delegate + "]";
    }
}
