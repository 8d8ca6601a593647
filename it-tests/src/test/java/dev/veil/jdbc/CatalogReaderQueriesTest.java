package dev.veil.jdbc;

import dev.veil.policy.Policy;
import dev.veil.sql.ProtectedRelations;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a PostgreSQL catalog snapshot ({@link CatalogReader.Postgres#read}) asks the server: the
 * relations named like policy tables, then their descendants and the views over them in one
 * statement; the search path, which only views' definitions are read under, is asked only when a
 * view over a protected table exists (a snapshot is read on every new connection's first plan and after each
 * DDL), and then it is the reading connection's path.
 */
class CatalogReaderQueriesTest {
    static TestDatabase db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE SCHEMA other", "CREATE TABLE visits (id INT, email TEXT, note TEXT)", "CREATE TABLE other.notes (id INT, body TEXT)");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    /** The real connection, with the texts of the statements prepared through it written to {@code sent}. */
    private static Connection counting(Connection real, List<String> sent) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
            if (m.getName().equals("prepareStatement") || m.getName().equals("prepareCall")) {
                sent.add((String) args[0]);
            }
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void noViewsNoPathQuery() throws Exception {
        Policy policy = CatalogCheckNamesTest.policy("  visits:\n    email: deterministic\n  other.notes:\n    body: randomized\n");
        List<String> sent = new ArrayList<>();
        try (Connection c = db.connect()) {
            ProtectedRelations r = new CatalogReader.Postgres().read(counting(c, sent), policy);
            assertEquals(2, r.relations().size(), r.relations().toString());
        }
        assertEquals(2, sent.size(), sent.toString()); // the tables; their descendants and the views over them, in one
        assertTrue(sent.stream().noneMatch(s -> s.contains("current_schemas")), sent.toString());
    }

    /**
     * Descendants at any depth, views and materialized views over the table, over its descendants
     * and over other such views, all from the one statement after the tables; an unrelated table
     * and a view over it are not protected.
     */
    @Test
    void descendantsAndViewsOverThemAtAnyDepth() throws Exception {
        Policy policy = CatalogCheckNamesTest.policy("  events:\n    email: randomized\n");
        db.execute("CREATE TABLE events (id INT, region TEXT, email TEXT) PARTITION BY LIST (region)",
                "CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu') PARTITION BY LIST (id)",
                "CREATE TABLE events_eu_1 PARTITION OF events_eu FOR VALUES IN (1)",
                "CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us')",
                "CREATE TABLE unrelated (id INT)",
                "CREATE VIEW eu_emails AS SELECT id, email FROM events_eu_1",
                "CREATE VIEW eu_ids AS SELECT id FROM eu_emails",
                "CREATE MATERIALIZED VIEW all_emails AS SELECT email FROM events",
                "CREATE VIEW unrelated_view AS SELECT id FROM unrelated");
        List<String> sent = new ArrayList<>();
        try (Connection c = db.connect()) {
            ProtectedRelations r = new CatalogReader.Postgres().read(counting(c, sent), policy);
            java.util.Map<String, ProtectedRelations.Kind> kinds = new java.util.TreeMap<>();
            for (ProtectedRelations.ProtectedRelation x : r.relations()) {
                kinds.put(x.schema() + "." + x.name(), x.kind());
            }
            assertEquals(java.util.Map.of("public.events", ProtectedRelations.Kind.TABLE,
                    "public.events_eu", ProtectedRelations.Kind.INHERITED,
                    "public.events_eu_1", ProtectedRelations.Kind.INHERITED,
                    "public.events_us", ProtectedRelations.Kind.INHERITED,
                    "public.eu_emails", ProtectedRelations.Kind.VIEW,
                    "public.eu_ids", ProtectedRelations.Kind.VIEW,
                    "public.all_emails", ProtectedRelations.Kind.MATERIALIZED_VIEW), kinds);
            ProtectedRelations.ProtectedRelation view = r.relations().stream().filter(x -> x.name().equals("eu_emails")).findFirst().orElseThrow();
            assertEquals(List.of("id", "email"), view.columns());
            assertTrue(view.definition().contains("events_eu_1"), view.definition());
        } finally {
            db.execute("DROP VIEW unrelated_view", "DROP MATERIALIZED VIEW all_emails", "DROP VIEW eu_ids", "DROP VIEW eu_emails",
                    "DROP TABLE events", "DROP TABLE unrelated");
        }
        // the tables; descendants and views; the path the views are read under; relations named like the derived ones
        assertEquals(4, sent.size(), sent.toString());
    }

    /**
     * After DDL through Veil, the check of the policy against the catalog and the snapshot the next plan
     * needs share their first statement: the relations named like policy tables, with their columns.
     * The check and the snapshot send two statements (that one; descendants and views), not three.
     */
    @Test
    void theCheckAfterDdlReadsTheSnapshotWithIt() throws Exception {
        Policy policy = CatalogCheckNamesTest.policy("  visits:\n    email: deterministic\n  other.notes:\n    body: randomized\n");
        Catalogs catalogs = new Catalogs(policy, new dev.veil.sql.SqlAnalyzer(policy, 16));
        PolicyFit fit = new PolicyFit(policy, new dev.veil.metrics.VeilMetrics(), catalogs);
        List<String> sent = new ArrayList<>();
        try (Connection c = db.connect()) {
            Connection counted = counting(c, sent);
            PolicyFit.Database d = fit.admit(counted);
            fit.ddlRan();
            catalogs.invalidateAll();
            sent.clear();
            fit.afterDdl(d, counted, "SELECT id FROM visits");
            Catalogs.Database database = catalogs.database(counted, String.valueOf(c.getMetaData().getURL()));
            ProtectedRelations snapshot = database.snapshot(counted);
            assertEquals(2, sent.size(), sent.toString());
            assertTrue(snapshot.sameAs(new CatalogReader.Postgres().read(c, policy)));
            assertEquals(List.of(), fit.missingTables(d));
            assertEquals(2, snapshot.relations().size(), snapshot.relations().toString());
        }
    }

    /**
     * The check at connect reads every policy table's columns in one statement, whatever the number
     * of tables and of spellings tried (a missing unquoted name is looked for as written, in lower and
     * in upper case).
     */
    @Test
    void theCheckReadsEveryTableInOneStatement() throws Exception {
        Policy policy = CatalogCheckNamesTest.policy("  visits:\n    email: deterministic\n  other.notes:\n    body: randomized\n"
                + "  Missing:\n    email: randomized\n");
        List<String> sent = new ArrayList<>();
        try (Connection c = db.connect()) {
            CatalogCheck.Report report = CatalogCheck.names(policy, counting(c, sent));
            assertEquals(List.of("Missing"), report.missingTables().stream().map(t -> t.name().toString()).toList());
            assertTrue(report.missingColumns().isEmpty(), report.toString());
        }
        assertEquals(1, sent.size(), sent.toString());
    }

    /** The path read row by row is the one {@code current_schemas(true)} returns as an array, in order, whatever the names. */
    @Test
    void thePathIsTheConnectionsInOrder() throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS \"Odd, \"\"Name\"\" {x}\"");
            s.execute("SET search_path TO \"Odd, \"\"Name\"\" {x}\", other, \"$user\", public");
            List<String> expected = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT pg_catalog.current_schemas(true)::text[]")) {
                rs.next();
                for (Object o : (Object[]) rs.getArray(1).getArray()) {
                    expected.add((String) o);
                }
            }
            assertEquals(List.of("pg_catalog", "Odd, \"Name\" {x}", "other", "public"), expected);
            assertEquals(expected, new CatalogReader.Postgres().path(c));
        }
    }

    @Test
    void viewsAreReadUnderTheConnectionsPath() throws Exception {
        Policy policy = CatalogCheckNamesTest.policy("  other.notes:\n    body: randomized\n");
        List<String> sent = new ArrayList<>();
        try (Connection c = db.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE VIEW other.note_view AS SELECT id, body FROM other.notes");
                s.execute("SET search_path TO other, public");
            }
            List<String> path = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT unnest(pg_catalog.current_schemas(true))")) {
                while (rs.next()) {
                    path.add(rs.getString(1));
                }
            }
            ProtectedRelations r = new CatalogReader.Postgres().read(counting(c, sent), policy);
            ProtectedRelations.ProtectedRelation view = r.relations().stream().filter(x -> x.name().equals("note_view")).findFirst().orElseThrow();
            assertEquals(ProtectedRelations.Kind.VIEW, view.kind());
            assertEquals(path, view.renderedPath());
            assertEquals(List.of("id", "body"), view.columns());
        } finally {
            db.execute("DROP VIEW other.note_view");
        }
        assertEquals(1, sent.stream().filter(s -> s.contains("current_schemas")).count(), sent.toString());
    }
}
