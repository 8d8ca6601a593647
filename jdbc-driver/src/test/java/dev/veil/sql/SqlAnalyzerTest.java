package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.VeilException;
import dev.veil.VeilState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.veil.sql.ShopFixture.literals;
import static dev.veil.sql.ShopFixture.parameters;
import static dev.veil.sql.ShopFixture.results;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQL analysis corpus over the shop schema of {@link ShopFixture}. */
class SqlAnalyzerTest {
    private final AtomicInteger lookups = new AtomicInteger();
    private final SchemaLookup schema = ShopFixture.schema(lookups);
    private final SqlAnalyzer analyzer = new SqlAnalyzer(ShopFixture.policy(), 1000);

    private StatementPlan plan(String sql) throws VeilException {
        return analyzer.plan(sql, schema);
    }

    private void assertParameters(String sql, Map<Integer, String> expected) throws VeilException {
        StatementPlan p = plan(sql);
        assertEquals(expected, parameters(p), sql);
        assertEquals(!expected.isEmpty() || !p.literals().isEmpty() || p.resultSets().stream().flatMap(List::stream)
                .anyMatch(java.util.Objects::nonNull), p.touchesEncrypted(), sql);
    }

    private void assertResults(String sql, String... expected) throws VeilException {
        assertEquals(Arrays.asList(expected), results(plan(sql), 0), sql);
    }

    private void assertPassThrough(String sql) throws VeilException {
        StatementPlan p = plan(sql);
        assertFalse(p.touchesEncrypted(), sql);
        assertTrue(p.parameters().isEmpty() && p.literals().isEmpty() && p.resultSets().isEmpty(), sql);
        assertEquals(sql, p.sql());
    }

    private void assertRejected(String sql, VeilState state, String... fragments) {
        VeilException e = assertThrows(VeilException.class, () -> plan(sql), sql);
        assertEquals(state, e.state(), e.getMessage());
        assertEquals(state.sqlState(), e.getSQLState());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    private void assertUnsupported(String sql, String... fragments) {
        assertRejected(sql, VeilState.UNSUPPORTED_SQL, fragments);
    }

    @Nested
    class PassThrough {
        @Test
        void passesThroughStatementsOnOtherTables() throws VeilException {
            assertPassThrough("select id, title from products where price > ? order by title");
            assertPassThrough("insert into products(id, title, price) values (?, 'x', 1.5)");
            assertPassThrough("SELECT 1");
            assertPassThrough("SET search_path TO public");
            assertPassThrough("BEGIN");
        }

        @Test
        void passesThroughUnrelatedSqlWithoutParsingIt() throws VeilException {
            // deliberately not SQL at all: it would fail to parse if it were parsed
            assertPassThrough("SELEKT ))) FROM products WHERE ((");
            assertEquals(0, analyzer.cachedPlans());
        }

        @Test
        void passesThroughStatementsOnEncryptedTablesThatTouchOnlyPlainColumns() throws VeilException {
            assertPassThrough("select id, name from customers where id = ?");
            assertPassThrough("update orders set total = ? where id = ?");
            assertPassThrough("delete from customers where id = ?");
            assertPassThrough("select count(*) from customers");
            assertPassThrough("select o.total from orders o order by o.total desc");
        }

        @Test
        void passesThroughDdlOnEncryptedTables() throws VeilException {
            assertPassThrough("ALTER TABLE customers ADD COLUMN nickname text");
            assertPassThrough("CREATE INDEX customers_email_idx ON customers (email)");
            assertPassThrough("DROP TABLE orders");
            assertPassThrough("TRUNCATE payments");
        }

        @Test
        void matchesTableNamesAsWordsOnly() throws VeilException {
            assertPassThrough("select * from customers_archive where email = 'a@b'");
            assertPassThrough("select * from my_orders");
        }

        @Test
        void passesThroughHarmlessCommandsJSqlParserCannotParse() throws VeilException {
            assertPassThrough("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE");
            assertPassThrough("VACUUM ANALYZE customers;");
            assertRejected("LOCK TABLE customers; SELEKT email FROM customers", VeilState.UNPARSEABLE_SQL, "customers");
            assertRejected("COPY customers FROM STDIN", VeilState.UNSUPPORTED_SQL, "customers", "getCopyAPI");
        }

        @Test
        void passesThroughUnparseableSqlOnTablesThatAllowIt() throws VeilException {
            assertPassThrough("FROBNICATE legacy WITH secret");
            assertPassThrough("select secret from legacy where (((");
        }

        @Test
        void distinguishesSchemaQualifiedPolicyTables() throws VeilException {
            assertPassThrough("select iban from other.invoices where iban = ?");
            assertParameters("select iban from billing.invoices where iban = ?", Map.of(1, "billing.invoices.iban"));
        }
    }

    @Nested
    class Parameters {
        @Test
        void bindsInsertColumnList() throws VeilException {
            assertParameters("insert into customers (id, name, email, ssn, phone) values (?, ?, ?, ?, ?)",
                    Map.of(3, "customers.email", 4, "customers.ssn", 5, "customers.phone"));
        }

        @Test
        void bindsInsertWithoutColumnListInTableOrder() throws VeilException {
            assertParameters("INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
                    Map.of(3, "customers.email", 4, "customers.ssn", 5, "customers.phone"));
        }

        @Test
        void bindsLargeMultiRowInserts() throws VeilException {
            StringBuilder sql = new StringBuilder("insert into orders (id, note) values ");
            Map<Integer, String> expected = new java.util.HashMap<>();
            for (int row = 0; row < 2_000; row++) {
                sql.append(row == 0 ? "" : ", ").append("(?, ?)");
                expected.put(2 * row + 2, "orders.note");
            }
            assertParameters(sql.toString(), expected);
        }

        @Test
        void bindsMultiRowValues() throws VeilException {
            assertParameters("insert into orders(id, note) values (?, ?), (?, ?), (?, ?)",
                    Map.of(2, "orders.note", 4, "orders.note", 6, "orders.note"));
        }

        @Test
        void bindsInsertSelectParameters() throws VeilException {
            assertParameters("insert into payments(order_id, card_token) select o.id, ? from orders o where o.id = ?",
                    Map.of(1, "payments.card_token"));
        }

        @Test
        void bindsCastParameters() throws VeilException {
            assertParameters("insert into customers(email, ssn) values (?::text, cast(? as varchar))",
                    Map.of(1, "customers.email", 2, "customers.ssn"));
            assertParameters("select id from customers where email = ?::text", Map.of(1, "customers.email"));
        }

        @Test
        void bindsUpdateSet() throws VeilException {
            assertParameters("update customers set email = ?, name = ?, ssn = ? where id = ?",
                    Map.of(1, "customers.email", 3, "customers.ssn"));
        }

        @Test
        void bindsUpdateRowSet() throws VeilException {
            assertParameters("update customers set (email, name) = (?, ?) where id = ?", Map.of(1, "customers.email"));
        }

        @Test
        void bindsWhereEqualityBothWays() throws VeilException {
            assertParameters("select id from customers where email = ?", Map.of(1, "customers.email"));
            assertParameters("select id from customers where ? = email", Map.of(1, "customers.email"));
            assertParameters("select id from customers where email <> ? and phone != ?",
                    Map.of(1, "customers.email", 2, "customers.phone"));
        }

        @Test
        void bindsInLists() throws VeilException {
            assertParameters("select id from customers where email in (?, ?, ?) and id = ?",
                    Map.of(1, "customers.email", 2, "customers.email", 3, "customers.email"));
            assertParameters("select id from customers where email not in (?)", Map.of(1, "customers.email"));
        }

        @Test
        void bindsAnyArrayParameter() throws VeilException {
            assertParameters("select id from customers where email = any(?)", Map.of(1, "customers.email[]"));
            assertParameters("select id from customers where email = ANY (?::text[])", Map.of(1, "customers.email[]"));
        }

        @Test
        void bindsOnConflictDoUpdate() throws VeilException {
            assertParameters("insert into customers(id, email) values (?, ?) on conflict (id) do update set email = ?, ssn = ?",
                    Map.of(2, "customers.email", 3, "customers.email", 4, "customers.ssn"));
        }

        @Test
        void bindsPredicatesInSubSelects() throws VeilException {
            assertParameters("select o.id from orders o where o.customer_id in (select c.id from customers c where c.email = ?)",
                    Map.of(1, "customers.email"));
            assertParameters("select id from orders where exists (select 1 from customers c where c.id = customer_id and c.phone = ?)",
                    Map.of(1, "customers.phone"));
        }

        @Test
        void bindsJoinOnClauses() throws VeilException {
            assertParameters("select o.id from orders o join customers c on c.id = o.customer_id and c.email = ? where o.total = ?",
                    Map.of(1, "customers.email"));
        }

        @Test
        void bindsInCtes() throws VeilException {
            assertParameters("with c as (select id from customers where email = ?) select o.id from orders o join c on c.id = o.customer_id",
                    Map.of(1, "customers.email"));
        }

        @Test
        void bindsParametersOfCteFeedingInsert() throws VeilException {
            assertParameters("with v as (select ? as e, ? as n) insert into customers(email, name) select e, n from v",
                    Map.of(1, "customers.email"));
        }

        @Test
        void bindsDeleteWhere() throws VeilException {
            assertParameters("delete from customers where email = ? and id = ?", Map.of(1, "customers.email"));
        }

        @Test
        void resolvesAliasesAndSchemaQualifiedNames() throws VeilException {
            assertParameters("select c.id from public.customers c where c.email = ?", Map.of(1, "customers.email"));
            assertParameters("select public.customers.id from public.customers where public.customers.email = ?",
                    Map.of(1, "customers.email"));
            assertParameters("update public.customers as c set email = ? where c.phone = ?",
                    Map.of(1, "customers.email", 2, "customers.phone"));
        }

        @Test
        void resolvesUnqualifiedColumnsAgainstTablesInScope() throws VeilException {
            assertParameters("select name from orders, customers where customer_id = customers.id and note is null and email = ?",
                    Map.of(1, "customers.email"));
        }

        @Test
        void resolvesCorrelatedOuterColumns() throws VeilException {
            // "email" is not a column of orders, so it is the outer customers.email
            assertParameters("select id from customers where exists (select 1 from orders where customer_id = id and email = ?)",
                    Map.of(1, "customers.email"));
        }

        @Test
        void allowsIsNullOnAnyEncryptedColumn() throws VeilException {
            assertPassThrough("select id from customers where ssn is null or email is not null");
        }

        @Test
        void numbersParametersAcrossAScript() throws VeilException {
            StatementPlan p = plan("select id from customers where email = ?; update orders set note = ? where id = ?");
            assertEquals(Map.of(1, "customers.email", 2, "orders.note"), parameters(p));
            assertEquals(1, p.resultSets().size());
        }

        @Test
        void bindsComparisonsWithScalarSubqueryOfSameContext() throws VeilException {
            assertParameters("select id from payments where contact_phone = (select phone from customers where email = ?)",
                    Map.of(1, "customers.email"));
        }
    }

    @Nested
    class Literals {
        @Test
        void rewritesInsertLiteralsWithExactOffsets() throws VeilException {
            StatementPlan p = plan("insert into customers (id, email, ssn) values (1, 'a@example.com', 'O''Brien')");
            assertEquals(List.of("'a@example.com' -> customers.email = a@example.com",
                    "'O''Brien' -> customers.ssn = O'Brien"), literals(p));
            assertTrue(p.touchesEncrypted());
        }

        @Test
        void rewritesWhereLiterals() throws VeilException {
            StatementPlan p = plan("SELECT id FROM customers WHERE email = 'x@y.z' AND name = 'Bob' AND phone IN ('1', '2')");
            assertEquals(List.of("'x@y.z' -> customers.email = x@y.z", "'1' -> customers.phone = 1",
                    "'2' -> customers.phone = 2"), literals(p));
        }

        @Test
        void rewritesNumberLiteralsIncludingTheSign() throws VeilException {
            StatementPlan p = plan("update customers set email = 42 where phone = -7 and id = 3");
            assertEquals(List.of("42 -> customers.email = 42", "-7 -> customers.phone = -7"), literals(p));
        }

        @Test
        void keepsNullLiteralsOutOfTargets() throws VeilException {
            assertPassThrough("insert into customers (id, email, ssn) values (1, NULL, null)");
            assertPassThrough("update customers set ssn = NULL where id = 1");
        }

        @Test
        void rewritesLiteralsWithCasts() throws VeilException {
            StatementPlan p = plan("select id from customers where email = 'a'::text");
            assertEquals(List.of("'a' -> customers.email = a"), literals(p));
        }

        @Test
        void ignoresLiteralLookalikesInCommentsAndQuotedNames() throws VeilException {
            String sql = "select \"id\" /* 'not' a literal */ from customers -- 'nor' this\n where email = 'it''s' and name = '?'";
            StatementPlan p = plan(sql);
            assertEquals(List.of("'it''s' -> customers.email = it's"), literals(p));
            assertTrue(p.parameters().isEmpty());
        }

        @Test
        void offsetsSurviveMultiLineAndUnicodeText() throws VeilException {
            String sql = "insert into customers\n\t(name, email)\nvalues ('Zoë 😀', '😀@x')";
            StatementPlan p = plan(sql);
            assertEquals(List.of("'😀@x' -> customers.email = 😀@x"), literals(p));
        }

        @Test
        void rewritesMultiRowAndOnConflictLiterals() throws VeilException {
            StatementPlan p = plan("insert into orders (id, note) values (1, 'a'), (2, 'b') on conflict (id) do update set note = 'c'");
            assertEquals(List.of("'a' -> orders.note = a", "'b' -> orders.note = b", "'c' -> orders.note = c"), literals(p));
        }

        @Test
        void rejectsEscapeStringLiteralsOnEncryptedColumns() {
            assertUnsupported("select id from customers where email = E'a\\'b'", "customers.email", "literal");
        }
    }

    @Nested
    class ResultColumns {
        @Test
        void tracesPlainColumnReferences() throws VeilException {
            assertResults("select id, email, ssn, name from customers", null, "customers.email", "customers.ssn", null);
        }

        @Test
        void tracesAliasedColumnsAndTableAliases() throws VeilException {
            assertResults("select c.email as mail, c.phone p, c.id from customers c", "customers.email", "customers.phone", null);
        }

        @Test
        void tracesHibernateStyleSql() throws VeilException {
            StatementPlan p = plan("select c1_0.id,c1_0.email,c1_0.name from customers c1_0 where c1_0.email=? "
                    + "offset ? rows fetch first ? rows only");
            assertEquals(Map.of(1, "customers.email"), parameters(p));
            assertEquals(Arrays.asList(null, "customers.email", null), results(p, 0));
        }

        @Test
        void expandsStarInFromAndJoinOrder() throws VeilException {
            assertResults("select * from orders o join customers c on c.id = o.customer_id",
                    null, null, null, "orders.note", null, null, "customers.email", "customers.ssn", "customers.phone");
        }

        @Test
        void expandsTableStar() throws VeilException {
            assertResults("select o.id, c.* from orders o join customers c on c.id = o.customer_id",
                    null, null, null, "customers.email", "customers.ssn", "customers.phone");
        }

        @Test
        void tracesThroughSubSelectsInFrom() throws VeilException {
            assertResults("select x.m, x.id from (select email as m, id from customers) x", "customers.email", null);
            assertResults("select * from (select ssn, name from customers) as t(s, n)", "customers.ssn", null);
        }

        @Test
        void tracesThroughCtes() throws VeilException {
            assertResults("with big as (select customer_id, note from orders where total > ?) select b.note, c.email "
                    + "from big b join customers c on c.id = b.customer_id", "orders.note", "customers.email");
        }

        @Test
        void tracesUnionAllOfSameContext() throws VeilException {
            assertResults("select phone from customers union all select contact_phone from payments", "customers.phone");
            assertResults("select email, id from customers where id = ? union select email, id from customers where name = ?",
                    "customers.email", null);
        }

        @Test
        void bindsParametersInUnionBranchesToTheEncryptedColumn() throws VeilException {
            StatementPlan p = plan("select email from customers union all select ?");
            assertEquals(Map.of(1, "customers.email"), parameters(p));
        }

        @Test
        void tracesReturningClauses() throws VeilException {
            StatementPlan insert = plan("insert into customers(id, email) values (?, ?) returning id, email");
            assertEquals(Map.of(2, "customers.email"), parameters(insert));
            assertEquals(Arrays.asList(null, "customers.email"), results(insert, 0));
            assertResults("update orders set note = ? where id = ? returning *", null, null, null, "orders.note");
            assertResults("delete from customers where email = ? returning ssn", "customers.ssn");
        }

        @Test
        void tracesOneResultPerStatementOfAScript() throws VeilException {
            StatementPlan p = plan("SELECT 1; SELECT email FROM customers; SELECT note, id FROM orders");
            assertEquals(3, p.resultSets().size());
            assertEquals(Arrays.asList((String) null), results(p, 0));
            assertEquals(List.of("customers.email"), results(p, 1));
            assertEquals(Arrays.asList("orders.note", null), results(p, 2));
        }

        @Test
        void treatsPlainExpressionsAsPlainColumns() throws VeilException {
            assertPassThrough("select count(*), count(email), email is null, ? from customers");
            // count(distinct) is exact only while the ring has one live key version, which is checked when it runs
            StatementPlan distinct = plan("select count(distinct phone) from customers");
            assertEquals(Arrays.asList((String) null), results(distinct, 0));
            assertEquals(List.of("customers.phone"), distinct.versionSensitive().stream().map(ShopFixture::name).toList());
            assertResults("select count(email), email, length(name) from customers", null, "customers.email", null);
        }

        @Test
        void tracesDataModifyingCtes() throws VeilException {
            StatementPlan p = plan("with ins as (insert into customers(id, email) values (?, ?) returning id, email) select email from ins");
            assertEquals(Map.of(2, "customers.email"), parameters(p));
            assertEquals(List.of("customers.email"), results(p, 0));
        }

        @Test
        void allowsGroupByAndDistinctOnDeterministicColumns() throws VeilException {
            assertResults("select email, count(*) from customers group by email having count(*) > ?", "customers.email", null);
            assertResults("select distinct phone from customers", "customers.phone");
            assertResults("select email from customers group by 1", "customers.email");
        }

        @Test
        void allowsJoinsOnASharedDomain() throws VeilException {
            assertResults("select c.phone, p.contact_phone from customers c join payments p on p.contact_phone = c.phone",
                    "customers.phone", "payments.contact_phone");
        }

        @Test
        void allowsSelfJoinOnDeterministicColumn() throws VeilException {
            StatementPlan p = plan("select a.id from customers a join customers b on a.email = b.email and a.id <> b.id");
            assertTrue(p.parameters().isEmpty() && p.literals().isEmpty(), p.toString());
            assertEquals(Arrays.asList((String) null), results(p, 0));
            // exact only while the ring has one live key version, which is checked when it runs
            assertEquals(List.of("customers.email"), p.versionSensitive().stream().map(ShopFixture::name).toList());
        }

        @Test
        void allowsCopiesWithinOneContext() throws VeilException {
            assertPassThrough("insert into customers(email, phone) select email, phone from customers where id = 1");
            assertPassThrough("insert into payments(contact_phone) select phone from customers");
            assertPassThrough("insert into customers(id, email) values (1, 'x') on conflict (id) do update set email = excluded.email"
                    .replace("'x'", "NULL"));
        }

        @Test
        void bindsOnConflictWithExcludedColumns() throws VeilException {
            StatementPlan p = plan("INSERT INTO customers (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING *");
            assertEquals(Map.of(2, "customers.email"), parameters(p));
            assertEquals(Arrays.asList(null, null, "customers.email", "customers.ssn", "customers.phone"), results(p, 0));
        }

        @Test
        void allowsOrderByPlainColumnsAndPositions() throws VeilException {
            assertResults("select email, name from customers order by name, 2", "customers.email", null);
        }
    }

    @Nested
    class MoreShapes {
        @Test
        void bindsHibernateInsertWithDefault() throws VeilException {
            assertParameters("insert into customers (email,name,ssn,id) values (?,?,?,default)",
                    Map.of(1, "customers.email", 3, "customers.ssn"));
        }

        @Test
        void bindsHibernateBatchLookups() throws VeilException {
            StatementPlan p = plan("select c1_0.id,c1_0.email,c1_0.name,c1_0.phone,c1_0.ssn from customers c1_0 "
                    + "where c1_0.email in (?,?,?) order by c1_0.id offset ? rows fetch first ? rows only");
            assertEquals(Map.of(1, "customers.email", 2, "customers.email", 3, "customers.email"), parameters(p));
            assertEquals(Arrays.asList(null, "customers.email", null, "customers.phone", "customers.ssn"), results(p, 0));
        }

        @Test
        void tracesScalarSubqueriesInTheSelectList() throws VeilException {
            assertResults("select o.id, (select c.email from customers c where c.id = o.customer_id) from orders o",
                    null, "customers.email");
        }

        @Test
        void bindsUpdateFrom() throws VeilException {
            assertParameters("update orders o set note = ? from customers c where c.id = o.customer_id and c.email = ?",
                    Map.of(1, "orders.note", 2, "customers.email"));
        }

        @Test
        void bindsDeleteUsing() throws VeilException {
            assertParameters("delete from orders o using customers c where c.id = o.customer_id and c.phone = ?",
                    Map.of(1, "customers.phone"));
        }

        @Test
        void bindsOnConflictWithTableAliasAndWhere() throws VeilException {
            assertParameters("insert into customers as c (id, email, phone) values (?, ?, ?) on conflict (id) "
                    + "do update set email = excluded.email, phone = ? where c.phone = ?",
                    Map.of(2, "customers.email", 3, "customers.phone", 4, "customers.phone", 5, "customers.phone"));
        }

        @Test
        void bindsIsNotDistinctFrom() throws VeilException {
            assertParameters("select id from customers where email is not distinct from ?", Map.of(1, "customers.email"));
        }

        @Test
        void bindsAnyOverArrayConstructor() throws VeilException {
            assertParameters("select id from customers where phone = any(array[?, ?])",
                    Map.of(1, "customers.phone", 2, "customers.phone"));
        }

        @Test
        void bindsInSubSelectOfSameContext() throws VeilException {
            assertParameters("select id from payments where contact_phone in (select phone from customers where email = ?)",
                    Map.of(1, "customers.email"));
        }

        @Test
        void rejectsInSubSelectOfOtherContext() {
            assertUnsupported("select id from payments where card_token in (select email from customers)",
                    "payments.card_token", "customers.email");
        }

        @Test
        void allowsWindowPartitionByDeterministicColumn() throws VeilException {
            assertResults("select email, count(*) over (partition by email) from customers", "customers.email", null);
        }

        @Test
        void handlesQuotedIdentifiers() throws VeilException {
            assertResults("select \"email\", \"ID\" from \"customers\"", "customers.email", null);
            // In PostgreSQL a quoted "Customers" is another table, but an unquoted policy name matches
            // every spelling on purpose (H2 and others report upper-case names): over-matching only
            // ever encrypts or refuses, never lets plaintext through.
            assertResults("select \"email\" from \"Customers\"", "customers.email");
        }

        @Test
        void bindsCteInsertWithReturning() throws VeilException {
            StatementPlan p = plan("with src as (select ? as mail) insert into customers(id, email) "
                    + "select ?, mail from src returning email, id");
            assertEquals(Map.of(1, "customers.email"), parameters(p));
            assertEquals(Arrays.asList("customers.email", null), results(p, 0));
        }

        @Test
        void bindsValuesInFromClause() throws VeilException {
            assertParameters("select c.id from customers c join (values (?), (?)) v(e) on c.email = v.e",
                    Map.of(1, "customers.email", 2, "customers.email"));
        }

        @Test
        void rejectsLiteralsOfOtherFormsOnlyWhenTheyMeetEncryptedColumns() throws VeilException {
            assertPassThrough("select id from customers where name = E'x\\n'");
        }

        @Test
        void passesThroughExplainAndTransactions() throws VeilException {
            assertPassThrough("COMMIT");
            assertPassThrough("SAVEPOINT customers");
        }

        @Test
        void encryptsLiteralsInViewDefinitions() throws VeilException {
            StatementPlan p = plan("create view vip as select id from customers where email = 'boss@x'");
            assertEquals(List.of("'boss@x' -> customers.email = boss@x"), literals(p));
            assertTrue(p.resultSets().isEmpty());
        }

        @Test
        void rejectsInsertSelectStarFromPlainTableIntoEncryptedTable() {
            assertUnsupported("insert into customers select * from products", "customers");
        }

        @Test
        void rejectsEncryptedColumnsInSelectArithmeticOfSubquery() {
            assertUnsupported("select id from orders where total = (select max(email) from customers)", "customers.email");
        }

        @Test
        void rejectsRangeOnEncryptedColumnInHaving() {
            assertUnsupported("select email from customers group by email having email > ?", "customers.email", "range");
        }

        @Test
        void checksNaturalJoinsOnSharedColumnNames() throws VeilException {
            assertPassThrough("select o.id from orders o natural join products p");
            assertUnsupported("select 1 from orders natural join order_archive", "orders.note", "NATURAL JOIN");
        }

        @Test
        void doesNotCacheFailedLookups() {
            SqlAnalyzer fresh = new SqlAnalyzer(ShopFixture.policy(), 10);
            SchemaLookup broken = (s, t) -> {
                throw new java.sql.SQLException("connection closed");
            };
            assertThrows(VeilException.class, () -> fresh.plan("select * from customers", broken));
            assertEquals(0, fresh.cachedPlans());
        }

        @Test
        void encryptsValuesOfExplainedStatements() throws VeilException {
            StatementPlan p = plan("EXPLAIN SELECT id FROM customers WHERE email = 'a@b'");
            assertEquals(List.of("'a@b' -> customers.email = a@b"), literals(p));
            assertTrue(p.resultSets().isEmpty());
        }

        @Test
        void bindsParametersOfScalarSubqueriesWrittenToEncryptedColumns() throws VeilException {
            assertParameters("update customers set email = (select ?) where id = ?", Map.of(1, "customers.email"));
        }

        @Test
        void bindsParametersThroughDerivedTables() throws VeilException {
            assertParameters("select x.email from (select email, id from customers) x where x.email = ?",
                    Map.of(1, "customers.email"));
        }

        @Test
        void seesLateralSubSelectsTheirNeighbours() throws VeilException {
            assertResults("select c.email, x.note from customers c, lateral (select note from orders o where o.customer_id = c.id) x",
                    "customers.email", "orders.note");
        }

        @Test
        void rejectsUnionInDerivedTableMixingContexts() {
            assertUnsupported("select x.e from (select email e from customers union all select contact_phone from payments) x",
                    "customers.email", "payments.contact_phone");
        }

        @Test
        void rejectsEncryptedColumnsInsideRowAndArrayConstructors() {
            assertUnsupported("select array[email] from customers", "customers.email");
            assertUnsupported("select row(id, ssn) from customers", "customers.ssn");
        }

        @Test
        void rejectsNumberedAndNamedParameters() {
            assertUnsupported("select email from customers where email = ?1", "numbered");
            assertUnsupported("select email from customers where email = :email", "customers.email");
        }

        @Test
        void bindsRowEquality() throws VeilException {
            assertParameters("select id from customers where (email, name) = (?, ?)", Map.of(1, "customers.email"));
        }

        @Test
        void rejectsArrayLiteralsOnEncryptedColumns() {
            assertUnsupported("select id from customers where email = any('{a,b}')", "customers.email");
        }

        @Test
        void resolvesCompositeFieldAccessToTheEncryptedColumn() throws VeilException {
            assertResults("select (c).email from customers c", "customers.email");
        }

        @Test
        void checksSubSelectsInLimit() throws VeilException {
            StatementPlan p = plan("select id from orders limit (select count(*) from customers where email = 'a')");
            assertEquals(List.of("'a' -> customers.email = a"), literals(p));
        }

        @Test
        void tracesEncryptedColumnsThroughRecursiveCtes() throws VeilException {
            StatementPlan p = plan("with recursive chain(id, mail) as (select id, email from customers where email = ? "
                    + "union all select c.id, chain.mail from customers c join chain on c.id = chain.id + 1) select mail from chain");
            assertEquals(Map.of(1, "customers.email"), parameters(p));
            assertEquals(List.of("customers.email"), results(p, 0));
        }

        @Test
        void rejectsQuestionMarkOperatorsThatWouldShiftParameterNumbers() {
            // PostgreSQL's jsonb "?" operator: JDBC drivers count it as a parameter, JSqlParser does not
            assertUnsupported("select id from customers where attrs ? 'vip' and email = ?", "2 markers", "1 read as parameters");
            assertUnsupported("select id from customers where attrs ?| array['a'] and email = ?", "parameters");
        }

        @Test
        void rejectsParameterUsedWithTwoContexts() {
            // a CTE parameter compared with two differently encrypted columns cannot be encrypted once
            assertUnsupported("with v as (select ? as x) select c.id from customers c, payments p, v "
                    + "where c.email = v.x and p.card_token = v.x", "parameter 1");
        }
    }

    @Nested
    class Rejections {
        @Test
        void rejectsLikeOnRandomizedColumn() {
            assertUnsupported("select id from customers where ssn like ?", "customers.ssn", "LIKE");
        }

        @Test
        void rejectsLikeAndIlikeOnDeterministicColumn() {
            assertUnsupported("select id from customers where email like '%@example.com'", "customers.email", "LIKE");
            assertUnsupported("select id from customers where email ILIKE ?", "customers.email", "ILIKE");
        }

        @Test
        void rejectsRegexAndSimilarTo() {
            assertUnsupported("select id from customers where email ~ ?", "customers.email", "pattern");
            assertUnsupported("select id from customers where phone similar to ?", "customers.phone", "SIMILAR TO");
            assertUnsupported("select id from customers where email not like ?", "customers.email", "NOT LIKE");
        }

        @Test
        void rejectsTypedLiteralsOnEncryptedColumnsButNotOnPlainOnes() throws VeilException {
            assertUnsupported("insert into customers (id, email) values (1, varchar 'a@b.c')", "customers.email", "can only be written");
            assertUnsupported("select id from customers where email = text 'a@b.c'", "customers.email", "plain column or expression");
            assertParameters("update customers set name = varchar 'Ada' where email = ?", Map.of(1, "customers.email"));
        }

        @Test
        void rejectsRangeComparisons() {
            assertUnsupported("select id from customers where email > ?", "customers.email", "range");
            assertUnsupported("select id from customers where ? <= phone", "customers.phone", "range");
            assertUnsupported("select id from customers where ssn between ? and ?", "customers.ssn", "BETWEEN");
        }

        @Test
        void rejectsOrderByEncryptedColumnWhereVeilCannotSortExactly() {
            assertUnsupported("select id from customers order by email", "customers.email", "ORDER BY", "select list");
            assertUnsupported("select email from customers order by email limit 10", "customers.email", "LIMIT");
            assertUnsupported("select email from customers order by email offset 5", "customers.email", "OFFSET");
            assertUnsupported("select email from customers order by email fetch first 3 rows only", "customers.email", "FETCH");
            assertUnsupported("select * from (select email from customers order by email) s", "customers.email", "ORDER BY");
            assertUnsupported("select email, id from customers order by email, lower(name)", "customers.email", "select list");
            assertUnsupported("select email from customers union select contact_phone from payments order by 1",
                    "customers.email");
        }

        @Test
        void ordersByEncryptedColumnOfThePlainSelectItself() throws VeilException {
            ColumnPolicy email = plan("select email from customers").resultSets().get(0).get(0);
            assertEquals(List.of(new SortKey(1, email, true, true)), plan("select email as e from customers order by e desc").sort());
            StatementPlan p = plan("select c.id, c.email from customers c order by c.id, 2 nulls first, c.email desc nulls last");
            assertEquals(List.of(new SortKey(1, null, false, false), new SortKey(2, email, false, true), new SortKey(2, email, true, false)),
                    p.sort());
            assertTrue(plan("select id, email from customers order by id").sort().isEmpty(), "the database's order stands");
        }

        @Test
        void rejectsEqualityOnRandomizedColumn() {
            assertUnsupported("select id from customers where ssn = ?", "customers.ssn", "randomized");
            assertUnsupported("select id from orders where note <> 'x'", "orders.note", "randomized");
            assertUnsupported("select id from customers where ssn in (?, ?)", "customers.ssn", "randomized");
            assertUnsupported("select id from customers where ssn = any(?)", "customers.ssn", "randomized");
        }

        @Test
        void rejectsGroupByAndDistinctOnRandomizedColumn() {
            assertUnsupported("select ssn, count(*) from customers group by ssn", "customers.ssn", "GROUP BY");
            assertUnsupported("select distinct note from orders", "orders.note", "DISTINCT");
            assertUnsupported("select count(distinct ssn) from customers", "customers.ssn", "COUNT(DISTINCT)");
            assertUnsupported("select note from orders union select note from orders", "orders.note", "randomized");
        }

        @Test
        void rejectsFunctionsOnEncryptedColumns() {
            assertUnsupported("select lower(email) from customers", "customers.email", "lower()");
            assertUnsupported("select id from customers where length(ssn) = ?", "customers.ssn", "length()");
            assertUnsupported("select substring(phone, 1, 3) from customers", "customers.phone");
            assertUnsupported("select id from customers where upper(email) = upper(?)", "customers.email");
        }

        @Test
        void rejectsAggregatesOtherThanCount() {
            assertUnsupported("select max(email) from customers", "customers.email", "max()");
            assertUnsupported("select min(ssn) from customers", "customers.ssn", "min()");
            assertUnsupported("select sum(note) from orders", "orders.note", "sum()");
        }

        @Test
        void rejectsArithmeticAndConcatenation() {
            assertUnsupported("select email || '!' from customers", "customers.email", "||");
            assertUnsupported("select id from customers where phone + 1 = ?", "customers.phone", "+");
            assertUnsupported("update customers set email = email || ? where id = ?", "customers.email");
        }

        @Test
        void rejectsCoalesceCaseAndNullif() {
            assertUnsupported("select coalesce(email, name) from customers", "customers.email", "coalesce()");
            assertUnsupported("select nullif(phone, '') from customers", "customers.phone", "nullif()");
            assertUnsupported("select case when email = ? then 1 else 0 end from customers", "customers.email", "CASE");
            assertUnsupported("select case ssn when 'a' then 1 end from customers", "customers.ssn");
        }

        @Test
        void rejectsComparingEncryptedWithPlainColumn() {
            assertUnsupported("select id from customers where email = name", "customers.email", "plain");
            assertUnsupported("select c.id from customers c join orders o on o.customer_id = c.phone", "customers.phone", "plain");
        }

        @Test
        void rejectsComparingColumnsOfDifferentContexts() {
            assertUnsupported("select c.id from customers c join payments p on p.card_token = c.email",
                    "payments.card_token", "customers.email", "different context");
            assertUnsupported("select id from customers where email = phone", "customers.email", "customers.phone");
        }

        @Test
        void rejectsCopiesAcrossContexts() {
            assertUnsupported("insert into payments(card_token) select email from customers", "payments.card_token",
                    "customers.email", "different context");
            assertUnsupported("update customers set email = phone", "customers.email", "customers.phone");
        }

        @Test
        void rejectsCopyingEncryptedIntoPlainColumn() {
            assertUnsupported("insert into products(title) select email from customers", "customers.email", "plain column");
            assertUnsupported("update customers set name = ssn", "customers.ssn", "plain column");
        }

        @Test
        void rejectsCopyingPlainIntoEncryptedColumn() {
            assertUnsupported("update customers set email = name", "customers.email");
            assertUnsupported("insert into customers(id, email) select id, title from products", "customers.email");
            assertUnsupported("insert into customers(email) values (now())", "customers.email");
            assertUnsupported("update customers set ssn = lower(?)", "customers.ssn");
        }

        @Test
        void rejectsUnionOfDifferentContextsOrPlainColumns() {
            assertUnsupported("select email from customers union all select card_token from payments",
                    "customers.email", "payments.card_token");
            assertUnsupported("select email from customers union all select name from customers", "customers.email", "plain");
        }

        @Test
        void rejectsCastsOfEncryptedColumns() {
            assertUnsupported("select id from customers where email::text = ?", "customers.email", "cast");
        }

        @Test
        void rejectsWindowOrderingOnEncryptedColumn() {
            assertUnsupported("select row_number() over (order by email) from customers", "customers.email", "ORDER BY");
            assertUnsupported("select count(*) over (partition by ssn) from customers", "customers.ssn", "PARTITION BY");
        }

        @Test
        void rejectsStarOverPolicyTableWithUnknownColumns() {
            SchemaLookup blind = (s, t) -> List.of();
            VeilException e = assertThrows(VeilException.class, () -> analyzer.plan("select * from customers", blind));
            assertEquals(VeilState.UNSUPPORTED_SQL, e.state());
            assertTrue(e.getMessage().contains("customers"));
        }

        @Test
        void rejectsUnparseableSqlOnEncryptedTable() {
            assertRejected("SELEKT email FROM customers WHERE ((", VeilState.UNPARSEABLE_SQL, "customers");
        }

        @Test
        void rejectsMergeOnEncryptedTable() {
            assertUnsupported("MERGE INTO customers c USING products p ON (c.id = p.id) WHEN MATCHED THEN UPDATE SET c.email = p.title",
                    "MERGE");
        }

        @Test
        void givesUpOnPathologicalSqlInsteadOfHanging() {
            long start = System.nanoTime();
            assertRejected("select id from customers where ((((((((((((((email = ) )))))))))))))",
                    VeilState.UNPARSEABLE_SQL, "customers");
            // balanced, so only the watchdog stops JSqlParser's backtracking
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 15 * StatementParser.TIMEOUT_MILLIS, "took " + millis + " ms"); // unguarded: minutes
        }

        @Test
        void rejectsUnbalancedParenthesesWithoutParsing() {
            long start = System.nanoTime();
            assertRejected("select id from customers where email = ? and (((((((((((", VeilState.UNPARSEABLE_SQL, "parentheses");
            assertTrue((System.nanoTime() - start) / 1_000_000 < 500);
        }

        @Test
        void neverPutsLiteralValuesInMessages() {
            VeilException e = assertThrows(VeilException.class,
                    () -> plan("select id from customers where ssn = 'top-secret-123'"));
            assertFalse(e.getMessage().contains("top-secret-123"), e.getMessage());
            VeilException u = assertThrows(VeilException.class,
                    () -> plan("select id from customers where email = 'top-secret-456' and ((("));
            assertFalse(u.getMessage().contains("top-secret-456"), u.getMessage());
        }
    }

    @Nested
    class Caching {
        @Test
        void returnsTheSamePlanInstanceForTheSameText() throws VeilException {
            String sql = "select email from customers where email = ?";
            StatementPlan first = plan(sql);
            StatementPlan second = plan(new String(sql.toCharArray()));
            assertSame(first, second);
            assertEquals(1, analyzer.cachedPlans());
        }

        @Test
        void remembersPlainTextsApartFromTheBoundedCache() throws VeilException {
            String sql = "select id, total from audit_log where id = ?";
            StatementPlan first = plan(sql);
            assertFalse(first.touchesEncrypted());
            assertSame(first, plan(new String(sql.toCharArray())), "an equal text is served from the pass-through table");
            assertEquals(0, analyzer.cachedPlans(), "plain texts never take a place in the plan cache");
        }

        @Test
        void plainTextsSharingASlotKeepTheirOwnPlans() throws VeilException {
            // "Aa" and "BB" have the same String.hashCode, so these two texts land in the same slot
            String a = "select Aa from audit_log";
            String b = "select BB from audit_log";
            assertEquals(a.hashCode(), b.hashCode());
            for (int i = 0; i < 3; i++) {
                assertEquals(a, plan(a).sql());
                assertEquals(b, plan(b).sql());
            }
            // with every slot taken by some plain text, a text that names a policy table is still analysed
            for (int i = 0; i < 10_000; i++) {
                plan("select x from audit_log where tag = " + i);
            }
            assertEquals(Map.of(1, "customers.email"), parameters(plan("select email from customers where email = ?")));
        }

        @Test
        void cachesRefusalsToo() {
            String sql = "select id from customers where ssn like ?";
            assertUnsupported(sql, "customers.ssn");
            assertUnsupported(sql, "customers.ssn");
            assertEquals(1, analyzer.cachedPlans());
        }

        @Test
        void staysWithinItsBound() throws VeilException {
            SqlAnalyzer small = new SqlAnalyzer(ShopFixture.policy(), 10);
            for (int i = 0; i < 100; i++) {
                small.plan("select email from customers where id = " + i, schema);
            }
            assertTrue(small.cachedPlans() <= 10, "cached " + small.cachedPlans());
        }

        @Test
        void parsesTextsThatDifferOnlyInLiteralsOnce() throws VeilException {
            StatementPlan a = plan("select id from customers where email = 'a@x' and id = 1");
            StatementPlan b = plan("select id from customers where email = 'much.longer@example.org' and id = 22");
            assertEquals(1, analyzer.parsedTexts());
            assertEquals(List.of("'a@x' -> customers.email = a@x"), literals(a));
            assertEquals(List.of("'much.longer@example.org' -> customers.email = much.longer@example.org"), literals(b));
        }

        @Test
        void reanalysesWhenAnOrderByPositionDiffers() throws VeilException {
            assertResults("select id, email from customers order by 1", null, "customers.email");
            assertEquals(2, plan("select id, email from customers order by 2").sort().get(0).resultColumn());
            assertEquals(2, analyzer.parsedTexts());
        }

        @Test
        void checksLiteralFormsForEachText() throws VeilException {
            assertEquals(1, plan("select id from customers where email = 'a'").literals().size());
            assertUnsupported("select id from customers where email = E'a'", "customers.email");
            assertEquals(1, analyzer.parsedTexts());
        }

        @Test
        void sharesRefusalsBetweenTextsOfOneForm() {
            assertUnsupported("select id from customers where ssn = 'a'", "customers.ssn");
            assertUnsupported("select id from customers where ssn = 'b'", "customers.ssn");
            assertEquals(1, analyzer.parsedTexts());
        }

        @Test
        void asksForLiveColumnsOnlyWhenNeeded() throws VeilException {
            plan("select email from customers where id = ?");
            assertEquals(0, lookups.get());
            plan("select * from customers");
            assertEquals(1, lookups.get());
        }
    }

    /** Lookups on deterministic columns are widened to every live data-key version; see {@link StatementPlan}. */
    @Nested
    class LookupsAcrossKeyVersions {
        /** The text sent for a plan's parameters (literals left as written). */
        private String sent(StatementPlan p) {
            return p.expandedSql();
        }

        @Test
        void theTextSentIsMadeOncePerPlan() throws VeilException {
            StatementPlan p = plan("select id from customers where email = ?");
            assertSame(p.expandedSql(), plan("select id from customers where email = ?").expandedSql(),
                    "a statement prepared on every call must not build a new text (nor have the real driver hash one) each time");
            String plain = "select id from customers where id = ?";
            assertSame(plain, plan(plain).expandedSql());
        }

        @Test
        void deterministicColumnsWrittenAreKnownOnceEach() throws VeilException {
            List<String> written = plan("insert into customers (id, email, ssn, phone) values (?, ?, ?, ?)").deterministicWrites().stream()
                    .map(c -> c.column().column().toString()).toList();
            assertEquals(List.of("email", "phone"), written);
            assertEquals(List.of(), plan("select id from customers where email = ? and phone = ?").deterministicWrites(),
                    "columns compared are not written");
            assertEquals(List.of("email"), plan("update customers set email = ? where email = ?").deterministicWrites().stream()
                    .map(c -> c.column().column().toString()).toList());
        }

        private LookupForm form(StatementPlan p, int index) {
            return p.parameter(index).lookup();
        }

        @Test
        void equalityParameterBecomesFourSlotsAndLaterParametersShift() throws VeilException {
            StatementPlan p = plan("select id from customers where email = ? and name = ? and phone <> ?");
            assertEquals("select id from customers where email IN (?, ?, ?, ?) and name = ? and phone NOT IN (?, ?, ?, ?)", sent(p));
            assertEquals(LookupForm.EQUALS, form(p, 1));
            assertEquals(LookupForm.NOT_EQUALS, form(p, 3));
            assertEquals(1, p.serverIndex(1));
            assertEquals(5, p.serverIndex(2));
            assertEquals(6, p.serverIndex(3));
            assertEquals(10, p.serverIndex(4), "numbers past the last parameter shift too");
            assertEquals(3, p.applicationParameters(9), "the application binds 3 of the 9 markers sent");
            assertEquals(2, plan("select id from customers where name = ? and id = ?").applicationParameters(2));
        }

        @Test
        void isDistinctFromRepeatsTheComparisonOncePerSlotKeepingNullSemantics() throws VeilException {
            StatementPlan p = plan("select id from customers c where c.email is not distinct from ? and name = ? or phone IS DISTINCT FROM ?");
            String one = "c.email is not distinct from ?";
            assertEquals("select id from customers c where (c.email IS NOT DISTINCT FROM ? OR c.email IS NOT DISTINCT FROM ? "
                    + "OR c.email IS NOT DISTINCT FROM ? OR c.email IS NOT DISTINCT FROM ?) and name = ? or (phone IS DISTINCT FROM ? "
                    + "AND phone IS DISTINCT FROM ? AND phone IS DISTINCT FROM ? AND phone IS DISTINCT FROM ?)", sent(p), one);
            assertEquals(LookupForm.NOT_DISTINCT, form(p, 1));
            assertEquals(LookupForm.DISTINCT, form(p, 3));
            assertEquals(5, p.serverIndex(2));
            assertEquals(6, p.serverIndex(3));
        }

        @Test
        void isDistinctFromAfterSomethingElseThanAColumnNameIsNotWidened() throws VeilException {
            StatementPlan p = plan("select id from customers where email is /* c */ not distinct from ?");
            assertEquals(LookupForm.FIXED, form(p, 1));
            assertFalse(p.remapsParameters());
        }

        @Test
        void inListItemsBecomeFourSlotsEach() throws VeilException {
            StatementPlan p = plan("select id from customers where email in (?, ?) or email not in (?)");
            assertEquals("select id from customers where email in (?, ?, ?, ?, ?, ?, ?, ?) or email not in (?, ?, ?, ?)", sent(p));
            assertEquals(LookupForm.LIST_ITEM, form(p, 2));
            assertEquals(9, p.serverIndex(3));
        }

        @Test
        void writesAndPlainStatementsKeepTheirNumbers() throws VeilException {
            StatementPlan p = plan("insert into customers (id, email, phone) values (?, ?, ?)");
            assertFalse(p.remapsParameters());
            assertEquals(LookupForm.NONE, form(p, 2));
            StatementPlan u = plan("update customers set email = ? where id = ?");
            assertFalse(u.remapsParameters());
            assertEquals(LookupForm.NONE, form(u, 1));
            assertEquals(2, u.serverIndex(2));
        }

        @Test
        void anyArrayIsWidenedElementWiseWithoutChangingTheText() throws VeilException {
            StatementPlan p = plan("select id from customers where email = any(?)");
            assertEquals(LookupForm.ARRAY, form(p, 1));
            assertFalse(p.remapsParameters());
            assertEquals(LookupForm.FIXED, form(plan("select id from customers where email = all(?)"), 1));
            assertEquals(LookupForm.ARRAY, form(plan("select id from customers where email <> all(?)"), 1));
        }

        @Test
        void shapesThatCannotBeWidenedAreFixed() throws VeilException {
            assertEquals(LookupForm.FIXED, form(plan("select id from customers where ? = email"), 1));
            assertEquals(LookupForm.FIXED, form(plan("select id from customers where email = cast(? as text)"), 1));
            assertEquals(LookupForm.FIXED, form(plan("select id from customers where email = /* c */ ?"), 1));
            assertEquals(LookupForm.FIXED, form(plan("select id from customers where (email, phone) = (?, ?)"), 1));
        }

        @Test
        void equalityLiteralIsReplacedFromItsOperator() throws VeilException {
            StatementPlan p = plan("select id from customers where email = 'a@x' and phone in ('1', '2')");
            LiteralTarget email = p.literals().get(0);
            assertEquals(LookupForm.EQUALS, email.lookup());
            assertEquals(p.sql().indexOf('='), email.from());
            assertEquals(LookupForm.LIST_ITEM, p.literals().get(1).lookup());
            assertEquals(p.literals().get(1).start(), p.literals().get(1).from());
            assertEquals(LookupForm.NONE, plan("insert into customers (id, email) values (1, 'a@x')").literals().get(0).lookup());
        }

        @Test
        void joinsGroupingAndDistinctOverDeterministicColumnsAreVersionSensitive() throws VeilException {
            assertEquals(List.of("customers.phone", "payments.contact_phone"), names(plan(
                    "select c.id from customers c join payments p on c.phone = p.contact_phone")));
            assertEquals(List.of("customers.email"), names(plan("select email, count(*) from customers group by email")));
            assertEquals(List.of("customers.email"), names(plan("select distinct email from customers")));
            assertEquals(List.of("customers.email"), names(plan("select count(distinct email) from customers")));
            assertEquals(List.of("customers.email"), names(plan("select id from customers where email in (select email from customers where id > 3)")));
            assertEquals(List.of(), names(plan("select id, email from customers where email = ?")));
        }

        @Test
        void upsertsAreMarked() throws VeilException {
            assertTrue(plan("insert into customers (id, email) values (?, ?) on conflict (email) do nothing").upsert());
            assertFalse(plan("insert into customers (id, email) values (?, ?)").upsert());
        }

        private List<String> names(StatementPlan p) {
            return p.versionSensitive().stream().map(ShopFixture::name).sorted().toList();
        }
    }
}
