package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.LogicalType;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The streams behind the guarded COPY: a {@link Reader} that encrypts the protected fields of the
 * rows an application loads, and a {@link Writer} that decrypts them in the rows the server sends.
 * Both work row by row, so a load of any size streams at COPY speed. A failure is reported as an
 * {@link Failure} whose cause is the {@link VeilException}; it names the row and column, never a value.
 */
final class CopyStreams {
    private static final HexFormat HEX = HexFormat.of();

    private CopyStreams() {
    }

    /** An I/O failure carrying the Veil error that stopped a COPY. */
    static final class Failure extends IOException {
        Failure(VeilException cause) {
            super(cause.getMessage(), cause);
        }

        VeilException veil() {
            return (VeilException) getCause();
        }
    }

    /**
     * Encrypts the fields of rows read from {@code source}.
     *
     * @param ciphers by field index: the cipher of an encrypted column, {@code null} for plain ones
     * @param header whether the first row is a header, passed unchanged
     */
    static Reader encrypting(Reader source, CopyRows rows, ColumnCipher[] ciphers, boolean header) {
        return new RowReader(source, rows, ciphers, header);
    }

    /** Decrypts the fields of rows written to {@code target}; see {@link #encrypting}. */
    static Writer decrypting(Writer target, CopyRows rows, ColumnCipher[] ciphers, boolean header) {
        return new RowWriter(target, rows, ciphers, header);
    }

    /** Transforms one row (without its line end) field by field; {@code encrypt} picks the direction. */
    static String transform(String row, long number, CopyRows rows, ColumnCipher[] ciphers, boolean encrypt) throws VeilException {
        List<String> fields = rows.split(row);
        if (fields.size() != ciphers.length) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "COPY row " + number + " has " + fields.size()
                    + " fields where " + ciphers.length + " columns were expected; Veil cannot tell which field is encrypted");
        }
        for (int i = 0; i < ciphers.length; i++) {
            ColumnCipher cipher = ciphers[i];
            String raw = fields.get(i);
            if (cipher == null || rows.isNull(raw)) {
                continue;
            }
            String value = rows.decode(raw);
            try {
                String out = encrypt ? stored(cipher.encrypt(plaintext(value, cipher.policy().type())))
                        : text(cipher.decrypt(storedValue(value)));
                fields.set(i, out == null ? rows.nullField() : rows.encode(out));
            } catch (VeilException e) {
                throw new VeilException(e.state(), "COPY row " + number + ", column " + cipher.policy().column() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new VeilException(VeilState.VALUE_CONVERSION, "COPY row " + number + ", column " + cipher.policy().column()
                        + ": the field cannot be read as " + cipher.policy().type().policyName(), e);
            }
        }
        return rows.join(fields);
    }

    /** A COPY text value as the Java value the column's logical type encodes. */
    static Object plaintext(String value, LogicalType type) {
        return switch (type) {
            case BYTES -> {
                if (!value.startsWith("\\x")) {
                    throw new IllegalArgumentException("bytea must be in hex format");
                }
                yield HEX.parseHex(value.substring(2));
            }
            case BOOLEAN -> switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "t", "true", "y", "yes", "on", "1" -> Boolean.TRUE;
                case "f", "false", "n", "no", "off", "0" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("not a boolean");
            };
            default -> value;
        };
    }

    /** An envelope as COPY text: text storage as is, binary storage in bytea's hex format. */
    static String stored(Object envelope) {
        return envelope instanceof byte[] b ? "\\x" + HEX.formatHex(b) : envelope.toString();
    }

    /** A stored field's text as the cipher reads it. */
    static Object storedValue(String value) {
        return value.startsWith("\\x") ? HEX.parseHex(value.substring(2)) : value;
    }

    /** A decrypted value as PostgreSQL would print it in COPY output. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] b) {
            return "\\x" + HEX.formatHex(b);
        }
        if (value instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof LocalDateTime t) {
            return t.format(DateTimeFormatter.ISO_LOCAL_DATE) + " " + time(t.toLocalTime());
        }
        if (value instanceof OffsetDateTime t) {
            return t.format(DateTimeFormatter.ISO_LOCAL_DATE) + " " + time(t.toLocalTime()) + t.getOffset().getId().replace("Z", "+00");
        }
        if (value instanceof LocalTime t) {
            return time(t);
        }
        return value.toString();
    }

    private static String time(LocalTime t) {
        String s = t.format(DateTimeFormatter.ISO_LOCAL_TIME);
        return s.length() == 5 ? s + ":00" : s;
    }

    /** Pulls rows from the source and hands out their encrypted form. */
    private static final class RowReader extends Reader {
        private final Reader source;
        private final CopyRows rows;
        private final ColumnCipher[] ciphers;
        private boolean header;
        private final StringBuilder input = new StringBuilder();
        /** Where the next row starts in {@link #input}. */
        private int inputAt;
        private final char[] chunk = new char[8192];
        private boolean sourceDone;
        private boolean ended;
        private String output = "";
        private int outputAt;
        private long number;

        RowReader(Reader source, CopyRows rows, ColumnCipher[] ciphers, boolean header) {
            this.source = source;
            this.rows = rows;
            this.ciphers = ciphers;
            this.header = header;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            while (outputAt == output.length()) {
                if (!nextRow()) {
                    return -1;
                }
            }
            int n = Math.min(len, output.length() - outputAt);
            output.getChars(outputAt, outputAt + n, buf, off);
            outputAt += n;
            return n;
        }

        private boolean nextRow() throws IOException {
            if (ended) {
                return false;
            }
            int end;
            while ((end = rows.rowEnd(input, inputAt)) < 0 && !sourceDone) {
                // drop the rows already handed out only when more input is needed: amortised, no shift per row
                input.delete(0, inputAt);
                inputAt = 0;
                int n = source.read(chunk);
                if (n < 0) {
                    sourceDone = true;
                } else {
                    input.append(chunk, 0, n);
                }
            }
            String row;
            if (end < 0) {
                if (inputAt == input.length()) {
                    ended = true;
                    return false;
                }
                row = input.substring(inputAt);
                inputAt = input.length();
            } else {
                row = input.substring(inputAt, end - 1);
                inputAt = end;
            }
            if (row.endsWith("\r")) {
                row = row.substring(0, row.length() - 1);
            }
            number++;
            if (CopyRows.isEndMarker(row)) {
                ended = true;
                output = "\\.\n";
            } else if (header) {
                header = false;
                output = row + "\n";
            } else {
                try {
                    output = transform(row, number, rows, ciphers, true) + "\n";
                } catch (VeilException e) {
                    throw new Failure(e);
                }
            }
            outputAt = 0;
            return true;
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }

    /** Collects what the server sends and writes each complete row, decrypted, to the target. */
    private static final class RowWriter extends Writer {
        private final Writer target;
        private final CopyRows rows;
        private final ColumnCipher[] ciphers;
        private boolean header;
        private final StringBuilder pending = new StringBuilder();
        private long number;

        RowWriter(Writer target, CopyRows rows, ColumnCipher[] ciphers, boolean header) {
            this.target = target;
            this.rows = rows;
            this.ciphers = ciphers;
            this.header = header;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            pending.append(buf, off, len);
            int end;
            while ((end = rows.rowEnd(pending, 0)) >= 0) {
                String row = pending.substring(0, end - 1);
                pending.delete(0, end);
                emit(row);
            }
        }

        private void emit(String row) throws IOException {
            number++;
            if (header) {
                header = false;
                target.write(row);
            } else {
                try {
                    target.write(transform(row, number, rows, ciphers, false));
                } catch (VeilException e) {
                    throw new Failure(e);
                }
            }
            target.write('\n');
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        @Override
        public void close() throws IOException {
            if (pending.length() > 0) {
                String row = pending.toString();
                pending.setLength(0);
                emit(row);
            }
            target.flush();
        }
    }
}
