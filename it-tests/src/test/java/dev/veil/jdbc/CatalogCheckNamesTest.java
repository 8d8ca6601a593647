package dev.veil.jdbc;

import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver's own catalog check on PostgreSQL ({@link CatalogCheck#names}, one {@code pg_catalog}
 * query) finds the same relations, schemas and columns as the check through pgjdbc's
 * {@code getColumns} ({@link CatalogCheck#run}, which {@code veil policy check} uses), whatever the
 * search path: same-named tables in several schemas, views, materialized views, partitioned tables,
 * dropped columns, quoted and folded names, missing tables and columns, tables without columns;
 * and so does the reading the check after DDL shares with the catalog snapshot
 * ({@link CatalogReader.Postgres#readChecked}), whose snapshot is {@link CatalogReader.Postgres#read}'s.
 */
class CatalogCheckNamesTest {
    static TestDatabase db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        db.execute("CREATE SCHEMA other", "CREATE SCHEMA a_first", "CREATE SCHEMA b_second",
                "CREATE TABLE visits (id INT, email TEXT, note TEXT)",
                "CREATE TABLE other.visits (id INT, mail TEXT)",
                "CREATE TABLE b_second.archive (id INT, email TEXT)",
                "CREATE TABLE a_first.archive (id INT, note TEXT)",
                "CREATE VIEW visit_view AS SELECT id, email FROM visits",
                "CREATE MATERIALIZED VIEW visit_mat AS SELECT id, note FROM visits",
                "CREATE TABLE parted (id INT, email TEXT) PARTITION BY RANGE (id)",
                "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (100)",
                "CREATE TABLE dropped (id INT, gone TEXT, email TEXT)", "ALTER TABLE dropped DROP COLUMN gone",
                "CREATE TABLE \"MixedCase\" (id INT, \"Email\" TEXT)",
                "CREATE TABLE folded (id INT, email TEXT)",
                "CREATE TABLE nocols ()");
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    static Policy policy(String tables) throws Exception {
        return PolicyLoader.parse("version: 1\nkeys:\n  master: { provider: env }\ntables:\n" + tables, "names.yaml");
    }

    static final List<String> POLICIES = List.of(
            "  visits:\n    email: deterministic\n    note: randomized\n",
            "  other.visits:\n    mail: randomized\n",
            "  other.visits:\n    email: randomized\n",
            "  archive:\n    email: randomized\n",
            "  visit_view:\n    email: deterministic\n",
            "  visit_mat:\n    note: randomized\n",
            "  parted:\n    email: randomized\n",
            "  parted_low:\n    email: randomized\n",
            "  dropped:\n    gone: randomized\n    email: randomized\n",
            "  '\"MixedCase\"':\n    '\"Email\"': randomized\n",
            "  mixedcase:\n    email: randomized\n",
            "  FOLDED:\n    EMAIL: randomized\n",
            "  nowhere:\n    email: randomized\n",
            "  nocols:\n    email: randomized\n",
            "  visits:\n    email: deterministic\n  archive:\n    email: randomized\n  '\"MixedCase\"':\n    '\"Email\"': randomized\n"
                    + "  FOLDED:\n    EMAIL: randomized\n  other.visits:\n    mail: randomized\n  nowhere:\n    email: randomized\n");

    @ParameterizedTest
    @ValueSource(strings = {"", "SET search_path TO other, public", "SET search_path TO b_second, a_first", "SET search_path TO ''"})
    void findsWhatGetColumnsFinds(String searchPath) throws Exception {
        try (Connection c = db.connect()) {
            if (!searchPath.isEmpty()) {
                c.createStatement().execute(searchPath);
            }
            for (String tables : POLICIES) {
                Policy p = policy(tables);
                assertEquals(describe(CatalogCheck.run(p, c)), describe(CatalogCheck.names(p, c)), tables);
                // the check after DDL reads the same columns in the catalog snapshot's first statement, and the same snapshot
                CatalogReader.Postgres.Checked checked = new CatalogReader.Postgres().readChecked(c, p);
                assertEquals(describe(CatalogCheck.run(p, c)), describe(CatalogCheck.names(p, checked.pgColumns())), tables);
                assertTrue(checked.relations().sameAs(new CatalogReader.Postgres().read(c, p)), tables);
            }
        }
    }

    private static List<String> describe(CatalogCheck.Report report) {
        return report.tables().stream().map(t -> t.table().name() + " live " + t.live().stream().map(l -> l.schema() + "." + l.name()).toList()
                + " missing " + t.missingColumns().stream().map(m -> m.column().toString()).toList()).toList();
    }
}
