package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.veil.sql.ShopFixture.parameters;
import static dev.veil.sql.ShopFixture.results;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plans made from live column lists ({@code SELECT *}, {@code INSERT} without a column list) follow
 * the table when its columns change: at once after DDL planned through the analyzer, else once the
 * policy's {@code schema.refresh-after} has passed. A stale plan would encrypt the wrong parameter
 * and send an encrypted column's value as plaintext.
 */
class SchemaChangeTest {
    private static final String INSERT = "insert into customers values (?, ?, ?, ?, ?)";
    private static final List<String> BEFORE = List.of("id", "name", "email", "ssn", "phone");
    // after DROP COLUMN name; ADD COLUMN name: the encrypted columns move up by one
    private static final List<String> AFTER = List.of("id", "email", "ssn", "phone", "name");

    /** Column lists as the database would report them now; tests change them as DDL would. */
    private final Map<String, List<String>> live = new HashMap<>(ShopFixture.TABLES);
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private final AtomicInteger forgotten = new AtomicInteger();
    private final SchemaLookup schema = new SchemaLookup() {
        @Override
        public List<String> columns(String s, String table) throws SQLException {
            if (unreachable.get()) {
                throw new SQLException("connection reset");
            }
            lookups.incrementAndGet();
            return live.getOrDefault(table, List.of());
        }

        @Override
        public void forget() {
            forgotten.incrementAndGet();
        }
    };

    private static SqlAnalyzer analyzer(String refreshAfter) throws VeilException {
        Policy policy = PolicyLoader.parse(ShopFixture.POLICY + "schema: { refresh-after: " + refreshAfter + " }\n", "shop.yaml");
        return new SqlAnalyzer(policy, 100);
    }

    @Test
    void ddlMakesPlansFromLiveColumnsCheckThemBeforeTheirNextUse() throws VeilException {
        SqlAnalyzer analyzer = analyzer("never");
        StatementPlan before = analyzer.plan(INSERT, schema);
        assertEquals(Map.of(3, "customers.email", 4, "customers.ssn", 5, "customers.phone"), parameters(before));

        live.put("customers", AFTER); // changed by another process: not seen without DDL or a refresh period
        assertSame(before, analyzer.plan(INSERT, schema));

        assertFalse(analyzer.plan("ALTER TABLE customers DROP COLUMN name", schema).touchesEncrypted());
        assertEquals(1, forgotten.get(), "cached column lists are dropped before the DDL runs");
        StatementPlan after = analyzer.plan(INSERT, schema);
        assertEquals(Map.of(2, "customers.email", 3, "customers.ssn", 4, "customers.phone"), parameters(after));
        assertEquals(1, analyzer.schemaChanges());
    }

    @Test
    void aPlanWhoseColumnsDidNotChangeStaysAfterOneLookupPerTable() throws VeilException {
        SqlAnalyzer analyzer = analyzer("never");
        StatementPlan join = analyzer.plan("select * from customers c join orders o on o.customer_id = c.id", schema);
        int made = lookups.get();
        assertEquals(2, made);

        analyzer.plan("create index orders_total on orders (total)", schema);
        assertSame(join, analyzer.plan("select * from customers c join orders o on o.customer_id = c.id", schema));
        assertEquals(made + 2, lookups.get(), "checked once against each table it was made from");
        assertSame(join, analyzer.plan("select * from customers c join orders o on o.customer_id = c.id", schema));
        assertEquals(made + 2, lookups.get(), "and not again until the next DDL");
        assertEquals(0, analyzer.schemaChanges());
    }

    @Test
    void plansWithExplicitColumnsNeverAskTheDatabase() throws VeilException {
        SqlAnalyzer analyzer = analyzer("1s");
        StatementPlan p = analyzer.plan("insert into customers (id, email) values (?, ?)", schema);
        analyzer.plan("drop table products", schema);
        assertSame(p, analyzer.plan("insert into customers (id, email) values (?, ?)", schema));
        assertEquals(0, lookups.get());
    }

    @Test
    void columnsChangedElsewhereAreSeenOnceTheRefreshPeriodPassed() throws Exception {
        SqlAnalyzer analyzer = analyzer("1s");
        String star = "select * from customers";
        assertEquals(Arrays.asList(null, null, "customers.email", "customers.ssn", "customers.phone"), results(analyzer.plan(star, schema), 0));
        live.put("customers", AFTER);
        assertEquals(Arrays.asList(null, null, "customers.email", "customers.ssn", "customers.phone"), results(analyzer.plan(star, schema), 0),
                "trusted for the refresh period");
        Thread.sleep(1_100);
        assertEquals(Arrays.asList(null, "customers.email", "customers.ssn", "customers.phone", null), results(analyzer.plan(star, schema), 0));
    }

    @Test
    void textsWithLiteralsShareATemplateThatIsCheckedToo() throws VeilException {
        SqlAnalyzer analyzer = analyzer("never");
        assertEquals(Map.of(2, "customers.email", 3, "customers.ssn", 4, "customers.phone"),
                parameters(analyzer.plan("insert into customers values (1, ?, ?, ?, ?)", schema)));
        live.put("customers", AFTER);
        analyzer.plan("alter table customers add column name text", schema);
        assertEquals(Map.of(1, "customers.email", 2, "customers.ssn", 3, "customers.phone"),
                parameters(analyzer.plan("insert into customers values (2, ?, ?, ?, ?)", schema)),
                "a new text of the same form is planned from the new columns");
    }

    @Test
    void aPlanStaysWhileTheDatabaseCannotBeAskedAndIsCheckedWhenItCanAgain() throws VeilException {
        SqlAnalyzer analyzer = analyzer("never");
        StatementPlan before = analyzer.plan(INSERT, schema);
        live.put("customers", AFTER);
        analyzer.plan("alter table customers drop column name", schema);
        unreachable.set(true);
        assertSame(before, analyzer.plan(INSERT, schema), "the statement itself will meet the same trouble");
        unreachable.set(false);
        StatementPlan after = analyzer.plan(INSERT, schema);
        assertNotSame(before, after);
        assertEquals(Map.of(2, "customers.email", 3, "customers.ssn", 4, "customers.phone"), parameters(after));
    }

    @Test
    void theSameDdlTextRunAgainStillDropsCachedColumnLists() throws VeilException {
        SqlAnalyzer analyzer = analyzer("never");
        String ddl = "alter table audit_log add column note text"; // names no policy table: a pass-through
        for (int i = 1; i <= 3; i++) {
            assertFalse(analyzer.plan(ddl, schema).touchesEncrypted());
            assertEquals(i, forgotten.get(), "DDL run " + i);
        }
    }

    @Test
    void recognisesCommandsThatMayChangeTables() {
        for (String ddl : List.of("ALTER TABLE t ADD c int", "  /* migration 7 */ drop table t", "-- x\ncreate table t (a int)",
                "RENAME TABLE a TO b", "Create View v as select 1", "alter")) {
            assertTrue(HarmlessCommands.mayChangeTables(ddl), ddl);
        }
        for (String other : List.of("select * from t", "delete from t", "dropped", "alterations", "insert into alter_log values (1)",
                "", "   ", "/* unterminated", "with x as (select 1) select * from x", "reindex table t")) {
            assertFalse(HarmlessCommands.mayChangeTables(other), other);
        }
    }
}
