package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopyCommandTest {

    @Test
    void readsTableColumnsDirectionAndTextDefaults() throws Exception {
        CopyCommand c = CopyCommand.parse("COPY public.customers (name, \"Email\") FROM STDIN");
        assertArrayEquals(new String[] {"public", "customers"}, c.table());
        assertEquals(List.of("name", "\"Email\""), c.columns());
        assertTrue(c.in());
        assertEquals(CopyCommand.Endpoint.STDIO, c.endpoint());
        assertEquals(CopyCommand.Format.TEXT, c.format());
        assertEquals('\t', c.delimiter());
        assertEquals("\\N", c.nullString());
        assertFalse(c.header());
        assertNull(c.query());
    }

    @Test
    void readsOptionListsAndLegacyOptions() throws Exception {
        CopyCommand csv = CopyCommand.parse("copy customers to stdout with (format csv, header true, delimiter ';', null 'NULL', quote '''', escape '\\')");
        assertFalse(csv.in());
        assertEquals(CopyCommand.Format.CSV, csv.format());
        assertTrue(csv.header());
        assertEquals(';', csv.delimiter());
        assertEquals("NULL", csv.nullString());
        assertEquals('\'', csv.quote());
        assertEquals('\\', csv.escape());
        CopyCommand legacy = CopyCommand.parse("COPY customers FROM STDIN WITH CSV HEADER DELIMITER AS '|' FORCE NOT NULL email");
        assertEquals(CopyCommand.Format.CSV, legacy.format());
        assertEquals('|', legacy.delimiter());
        assertEquals("", legacy.nullString());
        assertEquals('"', legacy.escape());
        assertEquals(List.of("force_not_null"), legacy.unsupported());
        assertEquals('\t', CopyCommand.parse("COPY t FROM STDIN (DELIMITER E'\\t')").delimiter());
        assertEquals(CopyCommand.Format.BINARY, CopyCommand.parse("COPY t FROM STDIN (FORMAT binary)").format());
        assertEquals(CopyCommand.Format.BINARY, CopyCommand.parse("COPY BINARY t FROM STDIN").format());
        assertEquals(List.of("encoding"), CopyCommand.parse("COPY t FROM STDIN (ENCODING 'LATIN1')").unsupported());
        assertEquals(List.of("where"), CopyCommand.parse("COPY t FROM STDIN WHERE id > 1").unsupported());
    }

    @Test
    void readsEndpointsAndQueries() throws Exception {
        assertEquals(CopyCommand.Endpoint.FILE, CopyCommand.parse("COPY t FROM '/tmp/x.csv' CSV").endpoint());
        assertEquals(CopyCommand.Endpoint.PROGRAM, CopyCommand.parse("COPY t TO PROGRAM 'gzip > /tmp/x'").endpoint());
        CopyCommand q = CopyCommand.parse("COPY (SELECT name, email FROM customers WHERE email = 'a;b') TO STDOUT (FORMAT csv)");
        assertEquals("SELECT name, email FROM customers WHERE email = 'a;b'", q.query());
        assertNull(q.table());
    }

    @Test
    void refusesWhatItCannotRead() {
        for (String sql : new String[] {"COPY t", "COPY t FROM STDIN (FORMAT xml)", "SELECT 1", "COPY t FROM STDIN; COPY u FROM STDIN",
                "COPY t FROM STDIN (DELIMITER ';;')", "COPY t FROM STDIN (QUOTE '''')"}) {
            VeilException e = assertThrows(VeilException.class, () -> CopyCommand.parse(sql), sql);
            assertEquals(VeilState.UNPARSEABLE_SQL, e.state());
        }
    }
}
