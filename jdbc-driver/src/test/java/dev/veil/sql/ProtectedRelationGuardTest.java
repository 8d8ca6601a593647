package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is refused on protected relations: opaque server-side code, DDL that changes what an
 * encrypted column is, whole-row references and COPY through a Statement; and what still passes.
 */
class ProtectedRelationGuardTest {
    private final SqlAnalyzer analyzer = new SqlAnalyzer(policy(), 1000);
    private final SchemaLookup schema = ShopFixture.schema(new AtomicInteger());

    private static Policy policy() {
        try {
            return PolicyLoader.parse(ShopFixture.POLICY + """
                      audit_log:
                        columns:
                          detail: randomized
                        allow-opaque: true
                    """, "shop.yaml");
        } catch (VeilException e) {
            throw new AssertionError(e);
        }
    }

    private String refused(String sql, String... fragments) {
        VeilException e = assertThrows(VeilException.class, () -> analyzer.plan(sql, schema), sql);
        assertEquals(VeilState.UNSUPPORTED_SQL, e.state(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
        assertFalse(e.getMessage().contains("x@example.com"), e.getMessage());
        return e.getMessage();
    }

    private void passes(String sql) throws VeilException {
        StatementPlan p = analyzer.plan(sql, schema);
        assertEquals(sql, p.sql());
        assertFalse(p.touchesEncrypted(), sql);
    }

    @Test
    void refusesDoBlocksNamingAProtectedTableInAnyQuoting() {
        refused("DO $$ BEGIN INSERT INTO customers (name, email) VALUES ('a', 'x@example.com'); END $$",
                "a DO block", "customers", "allow-opaque");
        refused("do $body$ begin insert into Customers (email) values ('x@example.com'); end $body$", "customers");
        refused("DO E'BEGIN INSERT INTO customers (email) VALUES (''x@example.com''); END'", "customers");
        refused("DO LANGUAGE plpgsql 'BEGIN UPDATE \"customers\" SET email = ''x@example.com''; END'", "customers");
        refused("SELECT 1; DO $$ BEGIN DELETE FROM orders WHERE note = 'x@example.com'; END $$", "orders");
        refused("/* setup */ DO $$ BEGIN PERFORM 1 FROM billing.invoices; END $$", "invoices");
    }

    @Test
    void passesDoBlocksOnOtherTablesAndOnTablesThatAllowOpaqueCode() throws Exception {
        passes("DO $$ BEGIN INSERT INTO products (title) VALUES ('x'); END $$");
        passes("DO $$ BEGIN INSERT INTO audit_log (detail) VALUES ('x'); END $$");
        // a table that allows opaque code does not cover another that does not
        refused("DO $$ BEGIN INSERT INTO audit_log (detail) SELECT email FROM customers; END $$", "customers");
    }

    @Test
    void refusesPrepareOnProtectedTablesAndExecuteOfStatementsNotPreparedThroughVeil() throws Exception {
        refused("PREPARE s1(text) AS INSERT INTO customers (email) VALUES ($1)", "PREPARE", "customers");
        refused("EXECUTE s1('x@example.com')", "EXECUTE", "did not see prepared");
        refused("execute never_prepared", "EXECUTE");
        passes("PREPARE plain(int) AS SELECT title FROM products WHERE id = $1");
        passes("EXECUTE plain(1)");
        passes("PREPARE TRANSACTION 'tx1'");
        passes("PREPARE opted(text) AS INSERT INTO audit_log (detail) VALUES ($1)");
        passes("EXECUTE opted('x')");
        // a refused EXECUTE is not remembered: once the name is prepared and accepted, it runs
        refused("EXECUTE later(1)", "EXECUTE");
        passes("PREPARE later(int) AS SELECT 1");
        passes("EXECUTE later(1)");
        refused("SELECT 1; EXECUTE another(2)", "EXECUTE");
    }

    @Test
    void refusesRoutineRuleAndTriggerDefinitionsNamingProtectedTables() throws Exception {
        refused("CREATE FUNCTION f(e text) RETURNS void LANGUAGE sql AS $$ INSERT INTO customers (email) VALUES (e) $$",
                "function or procedure", "customers");
        refused("CREATE OR REPLACE PROCEDURE p() LANGUAGE plpgsql AS 'BEGIN UPDATE orders SET note = ''x''; END'", "orders");
        refused("CREATE FUNCTION g() RETURNS void BEGIN ATOMIC INSERT INTO payments (card_token) VALUES ('x'); END", "payments");
        refused("CREATE RULE r AS ON INSERT TO products DO ALSO INSERT INTO customers (email) VALUES (NEW.title)", "a rule", "customers");
        refused("CREATE RULE r2 AS ON UPDATE TO customers DO INSTEAD NOTHING", "customers");
        refused("CREATE TRIGGER t BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION f()", "a trigger", "customers");
        refused("CREATE CONSTRAINT TRIGGER t2 AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f()", "orders");
        passes("CREATE FUNCTION h(i int) RETURNS int LANGUAGE sql AS $$ SELECT i + 1 $$");
        passes("CREATE TRIGGER t3 BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION h()");
    }

    @Test
    void refusesRenamesOfEncryptedColumnsAndTables() throws Exception {
        refused("ALTER TABLE customers RENAME COLUMN email TO email2", "customers.email", "Add a column with the new name");
        refused("ALTER TABLE IF EXISTS ONLY public.customers RENAME ssn TO ssn2", "customers.ssn");
        refused("ALTER TABLE customers RENAME TO clients", "renaming table customers");
        refused("ALTER TABLE products RENAME TO customers", "customers");
        refused("ALTER TABLE customers SET SCHEMA archive", "SET SCHEMA");
        passes("ALTER TABLE customers RENAME COLUMN name TO full_name");
        passes("ALTER TABLE customers RENAME CONSTRAINT customers_pkey TO customers_pk");
        passes("ALTER TABLE products RENAME COLUMN title TO email");
    }

    @Test
    void refusesDefaultsTypeChangesIdentitiesAndGeneratedColumnsOverEncryptedColumns() throws Exception {
        refused("ALTER TABLE customers ALTER COLUMN email SET DEFAULT 'x@example.com'", "customers.email", "DROP DEFAULT");
        refused("ALTER TABLE customers ALTER email SET DEFAULT lower('X')", "customers.email");
        refused("ALTER TABLE customers ADD COLUMN id2 int, ALTER COLUMN ssn SET DEFAULT E'x'", "customers.ssn");
        refused("ALTER TABLE customers ALTER COLUMN email TYPE varchar(100)", "changing the type");
        refused("ALTER TABLE customers ALTER COLUMN email SET DATA TYPE bytea USING email::bytea", "changing the type");
        refused("ALTER TABLE customers ALTER COLUMN ssn ADD GENERATED ALWAYS AS IDENTITY", "customers.ssn", "generated");
        refused("ALTER TABLE customers ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED",
                "customers.email", "generated column");
        refused("ALTER TABLE customers ADD CONSTRAINT ssn_format CHECK (ssn ~ '^[0-9-]+$')", "customers.ssn", "CHECK");
        // a CHECK that only tests for NULL (a searchable column's guard) computes nothing on ciphertext and holds no constant
        passes("ALTER TABLE customers ADD CONSTRAINT customers_email_veil_tokens CHECK (email IS NULL OR (email_veil_ci IS NOT NULL "
                + "AND customers.email_veil_prefix IS NOT NULL)) NOT VALID");
        passes("ALTER TABLE customers ADD CHECK (NOT (ssn IS NULL)) NO INHERIT");
        refused("ALTER TABLE customers ADD CHECK (email IS NULL OR email IS NOT DISTINCT FROM ssn)", "customers.email", "CHECK");
        refused("ALTER TABLE customers ADD CHECK (lower(email) IS NULL)", "customers.email", "CHECK");
        refused("ALTER TABLE customers ADD CHECK (email IS NULL = true)", "customers.email", "CHECK");
        refused("ALTER TABLE customers ADD CHECK (email IS NULL) OR ssn = 'x'", "CHECK");
        refused("ALTER TABLE customers ADD CHECK (email IS NULL OR email <> 'x')", "customers.email", "CHECK");
        refused("CREATE TABLE customers (id int, email text DEFAULT 'x@example.com')", "customers.email");
        refused("CREATE TABLE IF NOT EXISTS customers (id int, email text, e2 text GENERATED ALWAYS AS (upper(email)) STORED)",
                "customers.email");
        passes("ALTER TABLE customers ALTER COLUMN email SET DEFAULT NULL");
        passes("ALTER TABLE customers ALTER COLUMN email SET DEFAULT NULL::text");
        passes("ALTER TABLE customers ALTER COLUMN email DROP DEFAULT");
        passes("ALTER TABLE customers ALTER COLUMN email SET NOT NULL");
        passes("ALTER TABLE customers ALTER COLUMN name SET DEFAULT 'anonymous'");
        passes("ALTER TABLE customers ALTER COLUMN name TYPE varchar(200)");
        passes("ALTER TABLE customers ADD COLUMN nickname text DEFAULT 'none'");
        passes("ALTER TABLE customers DROP COLUMN ssn");
        passes("ALTER TABLE customers ADD COLUMN name_upper text GENERATED ALWAYS AS (upper(name)) STORED");
        passes("DROP TABLE customers");
        passes("CREATE TABLE customers (id serial PRIMARY KEY, email text, ssn text, name text DEFAULT 'x')");
    }

    @Test
    void refusesIndexExpressionsAndPredicatesOverEncryptedColumns() throws Exception {
        refused("CREATE INDEX ON customers (lower(email))", "customers.email", "index expression");
        refused("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS c_e ON ONLY customers USING btree ((email || ''))", "customers.email");
        refused("CREATE INDEX c_p ON customers (name) WHERE email = 'x@example.com'", "customers.email", "predicate");
        passes("CREATE INDEX c_email ON customers (email)");
        passes("CREATE UNIQUE INDEX c_email2 ON customers USING btree (email text_pattern_ops DESC NULLS LAST)");
        passes("CREATE INDEX c_name ON customers (lower(name)) WHERE name <> ''");
    }

    @Test
    void refusesCopyOfProtectedTablesThroughAStatement() throws Exception {
        refused("COPY customers (name, email) FROM '/tmp/customers.csv' WITH (FORMAT csv)", "COPY", "getCopyAPI");
        refused("COPY customers FROM PROGRAM 'cat /tmp/x'", "COPY");
        refused("COPY (SELECT name FROM customers WHERE email = 'x@example.com') TO STDOUT", "COPY");
        passes("COPY products FROM STDIN");
    }

    @Test
    void refusesWholeRowReferencesToRelationsWithEncryptedColumns() throws Exception {
        refused("SELECT id FROM customers c WHERE c::text LIKE '%x@example.com%'", "whole-row reference to customers");
        refused("SELECT id FROM customers c WHERE to_jsonb(c) @> '{\"email\": \"x@example.com\"}'", "whole-row");
        refused("SELECT id FROM customers c WHERE row_to_json(c) ->> 'email' = 'x@example.com'", "whole-row");
        refused("SELECT to_jsonb(c.*) FROM customers c", "whole-row");
        refused("SELECT ROW(c.*) FROM customers c", "whole-row");
        refused("SELECT customers FROM customers", "whole-row");
        refused("SELECT id FROM customers WHERE customers::text = ?", "whole-row");
        refused("SELECT (SELECT count(*) FROM products p WHERE p.title = c::text) FROM customers c", "whole-row");
        refused("SELECT to_jsonb(t) FROM (SELECT email FROM customers) t", "whole-row reference to t");
        ProtectedRelationGuardTest.this.passes("SELECT to_jsonb(p) FROM products p");
        ProtectedRelationGuardTest.this.passes("SELECT to_jsonb(t) FROM (SELECT name FROM customers) t");
        StatementPlan p = analyzer.plan("SELECT c.* FROM customers c", schema);
        assertTrue(p.touchesEncrypted());
        analyzer.plan("SELECT c.name FROM customers c WHERE c.id = ?", schema);
    }

    @Test
    void refusesCopiesOfEncryptedColumnsIntoTablesOutsideThePolicy() throws Exception {
        refused("CREATE TABLE c2 AS SELECT * FROM customers", "customers.email", "CREATE TABLE");
        refused("CREATE TABLE c3 AS SELECT id, ssn FROM customers WHERE id > 2", "customers.ssn");
        refused("SELECT id, email INTO c4 FROM customers", "customers.email");
        refused("CREATE MATERIALIZED VIEW mv AS SELECT note FROM orders", "orders.note");
        analyzer.plan("CREATE TABLE c5 AS SELECT id, name FROM customers", schema);
        analyzer.plan("CREATE TABLE c6 (LIKE customers INCLUDING ALL)", schema);
    }

    @Test
    void opaqueCodeNamingAPartitionOrViewFromTheCatalogIsRefusedLikeItsTable() throws Exception {
        Policy policy = policy();
        ProtectedRelations snapshot = ProtectedRelations.of(policy, java.util.List.of(
                new ProtectedRelations.ProtectedRelation("public", "customers_2024", ProtectedRelations.Kind.INHERITED,
                        policy.table(null, "customers").orElseThrow(), null, null, null),
                new ProtectedRelations.ProtectedRelation("public", "v_cust", ProtectedRelations.Kind.VIEW, null,
                        "SELECT * FROM customers", null, java.util.List.of("id", "email"))), java.util.List.of());
        passes("DO $$ BEGIN INSERT INTO customers_2024 (email) VALUES ('x'); END $$");
        analyzer.observe(snapshot, true);
        refused("DO $$ BEGIN INSERT INTO customers_2024 (email) VALUES ('x@example.com'); END $$", "customers_2024");
        refused("CREATE FUNCTION f() RETURNS SETOF text LANGUAGE sql AS 'SELECT email FROM v_cust'", "v_cust");
    }

    @Test
    void refusesDynamicSqlInDoBlocksAndRoutinesWhateverTheyName() throws Exception {
        refused("DO $$ BEGIN EXECUTE 'INSERT INTO cust' || 'omers (email) VALUES (''x@example.com'')'; END $$",
                "runs dynamic SQL", "customers", "every table");
        refused("CREATE FUNCTION dyn(t text, v text) RETURNS void LANGUAGE plpgsql AS $f$ BEGIN EXECUTE format('INSERT INTO %I VALUES (%L)', t, v); END $f$",
                "runs dynamic SQL");
        // a trigger definition inside a DO block is no dynamic SQL
        passes("DO $$ BEGIN CREATE TRIGGER t9 BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION h(); END $$");
        passes("DO $$ BEGIN PERFORM 1; END $$");
        assertTrue(PgStatementGuard.runsDynamicSql("begin execute 'x'; end"));
        assertFalse(PgStatementGuard.runsDynamicSql("begin perform 'execute'; end"));
        assertFalse(PgStatementGuard.runsDynamicSql("select 1 -- execute\n"));
    }
}
