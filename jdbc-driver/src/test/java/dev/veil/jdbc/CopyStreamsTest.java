package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.sql.CopyCommand;
import dev.veil.testkit.FixedKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COPY rows in text and CSV: encrypted on the way in, decrypted on the way out, other fields untouched. */
class CopyStreamsTest {
    private static final FixedKeys KEYS = FixedKeys.sequential(7, "default");
    private static final Policy POLICY = policy();
    private static final ColumnCipher EMAIL = new ColumnCipher(POLICY.column(null, "customers", "email").orElseThrow(), KEYS);
    private static final ColumnCipher SSN = new ColumnCipher(POLICY.column(null, "customers", "ssn").orElseThrow(), KEYS);
    private static final ColumnCipher BORN = new ColumnCipher(POLICY.column(null, "customers", "born").orElseThrow(), KEYS);

    private static Policy policy() {
        try {
            return PolicyLoader.parse("""
                    version: 1
                    keys:
                      master: { provider: env }
                    tables:
                      customers:
                        email: deterministic
                        ssn: { mode: randomized, storage: binary }
                        born: { mode: randomized, type: date }
                    """, "copy.yaml");
        } catch (VeilException e) {
            throw new AssertionError(e);
        }
    }

    private static String read(Reader r) throws IOException {
        StringWriter out = new StringWriter();
        char[] buf = new char[7]; // small reads cross row boundaries
        int n;
        while ((n = r.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toString();
    }

    private static String roundTrip(String copy, String data, ColumnCipher... ciphers) throws Exception {
        CopyCommand in = CopyCommand.parse(copy);
        CopyRows rows = new CopyRows(in);
        String stored = read(CopyStreams.encrypting(new StringReader(data), rows, ciphers, in.header()));
        assertFalse(stored.contains("alice@example.com"), stored);
        assertFalse(stored.contains("111-11-1111"), stored);
        StringWriter back = new StringWriter();
        Writer w = CopyStreams.decrypting(back, rows, ciphers, in.header());
        for (int i = 0; i < stored.length(); i += 5) {
            w.write(stored, i, Math.min(5, stored.length() - i));
        }
        w.close();
        return back.toString();
    }

    @Test
    void textFormatRoundTripsEscapesNullsAndBinaryStorage() throws Exception {
        String data = "1\talice@example.com\t111-11-1111\tplain \\t tab\n"
                + "2\t\\N\t\\N\tx\n"
                + "3\ttab\\there\\\\and\\nnewline\t222\t\\N\n";
        assertEquals(data, roundTrip("COPY customers (id, email, ssn, note) FROM STDIN", data, null, EMAIL, SSN, null));
        CopyRows rows = new CopyRows(CopyCommand.parse("COPY customers (id, email, ssn, note) FROM STDIN"));
        String stored = read(CopyStreams.encrypting(new StringReader(data), rows, new ColumnCipher[] {null, EMAIL, SSN, null}, false));
        List<String> first = rows.split(stored.substring(0, stored.indexOf('\n')));
        assertTrue(first.get(1).startsWith("vl1:"), first.get(1));
        assertTrue(first.get(2).startsWith("\\\\x f7".replace(" ", "")), first.get(2));
        assertEquals("plain \\t tab", first.get(3));
        assertEquals("2\t\\N\t\\N\tx", stored.split("\n")[1]);
    }

    @Test
    void csvRoundTripsQuotesHeaderDelimitersAndTypedValues() throws Exception {
        String data = "id,email,born,note\n"
                + "1,\"alice@example.com\",1980-01-02,\"a, \"\"quoted\"\"\nmultiline note\"\n"
                + "2,,,\"\"\n"
                + "3,\"semi,colon@example.com\",1975-06-15,plain\r\n";
        String back = roundTrip("COPY customers (id, email, born, note) FROM STDIN (FORMAT csv, HEADER)", data, null, EMAIL, BORN, null);
        assertEquals(data.replace("\"alice@example.com\"", "alice@example.com").replace("\r\n", "\n"), back);
    }

    @Test
    void deterministicFieldsEncryptAlikeAndEndMarkerEndsTheData() throws Exception {
        CopyCommand in = CopyCommand.parse("COPY customers (email) FROM STDIN");
        String stored = read(CopyStreams.encrypting(new StringReader("a@b\na@b\n\\.\nignored\n"), new CopyRows(in), new ColumnCipher[] {EMAIL}, false));
        String[] lines = stored.split("\n");
        assertEquals(3, lines.length);
        assertEquals(lines[0], lines[1]);
        assertEquals("\\.", lines[2]);
    }

    @Test
    void refusesRowsWhoseFieldsDoNotMatchTheColumnsWithoutNamingValues() throws Exception {
        CopyCommand in = CopyCommand.parse("COPY customers (id, email) FROM STDIN (FORMAT csv)");
        Reader r = CopyStreams.encrypting(new StringReader("1,alice@example.com\n2,bob@example.com,extra\n"), new CopyRows(in),
                new ColumnCipher[] {null, EMAIL}, false);
        CopyStreams.Failure f = assertThrows(CopyStreams.Failure.class, () -> read(r));
        assertEquals(VeilState.UNSUPPORTED_SQL, f.veil().state());
        assertTrue(f.getMessage().contains("row 2"), f.getMessage());
        assertFalse(f.getMessage().contains("bob"), f.getMessage());
        Reader bad = CopyStreams.encrypting(new StringReader("1,not-a-date\n"), new CopyRows(CopyCommand.parse("COPY customers (id, born) FROM STDIN (FORMAT csv)")),
                new ColumnCipher[] {null, BORN}, false);
        CopyStreams.Failure conversion = assertThrows(CopyStreams.Failure.class, () -> read(bad));
        assertEquals(VeilState.VALUE_CONVERSION, conversion.veil().state());
        assertTrue(conversion.getMessage().contains("customers.born"), conversion.getMessage());
        assertFalse(conversion.getMessage().contains("not-a-date"), conversion.getMessage());
    }
}
