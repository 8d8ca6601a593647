package dev.veil.jdbc;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How a deterministic column takes part in unique indexes, read on PostgreSQL with one
 * {@code pg_catalog} query ({@link SchemaCache#PG_UNIQUE_INDEXES}), is what pgjdbc's
 * {@code getIndexInfo} reports: the same indexes, schemas and key columns (expressions, INCLUDE
 * columns, partial indexes, constraints, quoted and odd names, same-named tables in other schemas),
 * so the unique checks during a rotation guard the same columns.
 */
class UniqueIndexReadTest {
    static TestDatabase db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE SCHEMA other", "CREATE SCHEMA \"Odd\"",
                "CREATE TABLE visits (id INT PRIMARY KEY, email TEXT UNIQUE, note TEXT, code TEXT, \"Mixed\" TEXT, \"we\"\"ird\" TEXT)",
                "CREATE UNIQUE INDEX visits_pair ON visits (note, code)",
                "CREATE UNIQUE INDEX visits_lower ON visits (lower(code))",
                "CREATE UNIQUE INDEX visits_partial ON visits (note) WHERE code IS NOT NULL",
                "CREATE UNIQUE INDEX visits_covering ON visits (code) INCLUDE (note)",
                "CREATE UNIQUE INDEX visits_mixed ON visits (\"Mixed\")",
                "CREATE UNIQUE INDEX visits_weird ON visits (\"we\"\"ird\")",
                "CREATE INDEX visits_plain ON visits (note)",
                "CREATE TABLE other.visits (id INT, email TEXT, note TEXT)",
                "ALTER TABLE other.visits ADD CONSTRAINT other_note UNIQUE (note)",
                "CREATE TABLE \"Odd\".\"Visits\" (id INT, email TEXT)",
                "CREATE UNIQUE INDEX odd_email ON \"Odd\".\"Visits\" (email, id)",
                "CREATE TABLE plain (id INT, email TEXT)");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    @Test
    void readsWhatGetIndexInfoReads() throws Exception {
        String[][] lookups = {{"visits", null}, {"visits", "public"}, {"visits", "other"}, {"Visits", null}, {"Visits", "Odd"},
            {"VISITS", null}, {"plain", null}, {"nowhere", null}, {"visits", "nowhere"}};
        try (Connection c = db.connect()) {
            DatabaseMetaData md = c.getMetaData();
            for (String[] l : lookups) {
                Map<String, List<String>> byDriver = new TreeMap<>();
                try (ResultSet rs = md.getIndexInfo(null, l[1], l[0], true, true)) {
                    while (rs.next()) {
                        if (rs.getString("INDEX_NAME") != null && rs.getString("COLUMN_NAME") != null && !rs.getBoolean("NON_UNIQUE")) {
                            byDriver.computeIfAbsent(rs.getString("TABLE_SCHEM") + "." + rs.getString("INDEX_NAME"), k -> new ArrayList<>())
                                    .add(rs.getString("COLUMN_NAME"));
                        }
                    }
                }
                Map<String, List<String>> direct = new TreeMap<>();
                try (PreparedStatement ps = c.prepareStatement(SchemaCache.PG_UNIQUE_INDEXES)) {
                    ps.setString(1, l[0]);
                    ps.setString(2, l[1]);
                    ps.setString(3, l[1]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            direct.computeIfAbsent(rs.getString(1) + "." + rs.getString(2), k -> new ArrayList<>()).add(rs.getString(3));
                        }
                    }
                }
                byDriver.values().forEach(v -> v.sort(null));
                direct.values().forEach(v -> v.sort(null));
                assertEquals(byDriver, direct, l[0] + " in " + l[1]);
            }
        }
    }

    /** {@code real}, seen as a database that is not PostgreSQL: {@link SchemaCache} then reads it through {@code getIndexInfo}. */
    private static Connection throughGetIndexInfo(Connection real) throws Exception {
        DatabaseMetaData md = real.getMetaData();
        DatabaseMetaData other = (DatabaseMetaData) Proxy.newProxyInstance(DatabaseMetaData.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (p, m, args) -> {
                    if (m.getName().equals("getDatabaseProductName")) {
                        return "Some database";
                    }
                    try {
                        return m.invoke(md, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
            if (m.getName().equals("getMetaData")) {
                return other;
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void decidesAsGetIndexInfoDecides() throws Exception {
        Policy p = CatalogCheckNamesTest.policy("  visits:\n    id: deterministic\n    email: deterministic\n    note: deterministic\n"
                + "    code: deterministic\n    '\"Mixed\"': deterministic\n    '\"we\"\"ird\"': deterministic\n"
                + "  other.visits:\n    email: deterministic\n    note: deterministic\n"
                + "  '\"Odd\".\"Visits\"':\n    email: deterministic\n    id: deterministic\n  plain:\n    email: deterministic\n");
        Map<String, SchemaCache.Uniqueness> direct = new TreeMap<>();
        Map<String, SchemaCache.Uniqueness> byDriver = new TreeMap<>();
        try (Connection c = db.connect()) {
            SchemaCache cache = new SchemaCache(null);
            SchemaCache driverCache = new SchemaCache(null);
            Connection other = throughGetIndexInfo(c);
            for (ColumnPolicy col : p.columns()) {
                direct.put(col.column().toString(), cache.unique(c, col));
                byDriver.put(col.column().toString(), driverCache.unique(other, col));
            }
        }
        assertEquals(byDriver, direct);
        assertEquals(SchemaCache.Uniqueness.ALONE, direct.get("visits.id"));
        assertEquals(SchemaCache.Uniqueness.ALONE, direct.get("visits.email"));
        assertEquals(SchemaCache.Uniqueness.WITH_OTHERS, direct.get("visits.code"), "(note, code) and (code) INCLUDE (note)");
        assertEquals(SchemaCache.Uniqueness.ALONE, direct.get("other.visits.note"));
        assertEquals(SchemaCache.Uniqueness.NONE, direct.get("other.visits.email"));
        assertEquals(SchemaCache.Uniqueness.WITH_OTHERS, direct.get("\"Odd\".\"Visits\".email"));
        assertEquals(SchemaCache.Uniqueness.NONE, direct.get("plain.email"));
    }
}
