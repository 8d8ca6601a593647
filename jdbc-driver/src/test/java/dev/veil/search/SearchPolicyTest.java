package dev.veil.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchPolicyTest {
    static final String KEYS = """
            version: 1
            keys:
              master: { provider: env, variable: VEIL_DEV_KEY }
            tables:
              people:
            """;

    static ColumnPolicy column(String columns, String name) throws VeilException {
        Policy p = PolicyLoader.parse(KEYS + columns, "policy.yaml");
        return p.column(null, "people", name).orElseThrow();
    }

    static String error(String columns) {
        VeilException e = assertThrows(VeilException.class, () -> PolicyLoader.parse(KEYS + columns, "policy.yaml"));
        assertEquals(VeilState.POLICY_INVALID, e.state());
        return e.getMessage();
    }

    @Test
    void listFormTakesDefaults() throws Exception {
        ColumnPolicy c = column("""
                    last_name: { mode: deterministic, search: [prefix, ci] }
                """, "last_name");
        assertEquals(EnumSet.of(SearchCapability.PREFIX, SearchCapability.CI), c.search().capabilities());
        assertEquals(new SearchSpec.Prefix(8, 128), c.search().prefix());
        assertEquals(new SearchSpec.CaseInsensitive(128), c.search().ci());
        assertTrue(c.isSearchable());
        assertTrue(c.search().exactTokens(SearchCapability.PREFIX));
    }

    @Test
    void mappingFormReadsParameters() throws Exception {
        ColumnPolicy c = column("""
                    email:
                      mode: randomized
                      search:
                        prefix: { max: 10, bits: 32 }
                        substring: { ngram: 4 }
                        ci:
                """, "email");
        assertEquals(new SearchSpec.Prefix(10, 32), c.search().prefix());
        assertEquals(new SearchSpec.Substring(4, 128), c.search().substring());
        assertEquals(new SearchSpec.CaseInsensitive(128), c.search().ci());
        assertFalse(c.search().exactTokens(SearchCapability.PREFIX));
        ColumnPolicy born = column("""
                    born: { mode: randomized, type: date, search: { range: { branch-bits: 8, leaf-bits: 2 } } }
                """, "born");
        assertEquals(new SearchSpec.Range(8, 2, 128), born.search().range());
        assertEquals(8, born.search().range().levels());
    }

    @Test
    void columnsWithoutSearchHaveNone() throws Exception {
        ColumnPolicy c = column("""
                    ssn: { mode: randomized }
                """, "ssn");
        assertEquals(SearchSpec.NONE, c.search());
        assertFalse(c.isSearchable());
    }

    @Test
    void refusesCapabilitiesOnTheWrongType() {
        String m = error("""
                    born: { mode: randomized, type: date, search: [prefix] }
                """);
        assertTrue(m.startsWith("policy.yaml:6:52: search capability 'prefix' does not apply to people.born of type date"), m);
        m = error("""
                    name: { mode: randomized, search: [range] }
                """);
        assertTrue(m.contains("'range' does not apply to people.name of type string; it applies to type integer, decimal, date"), m);
        m = error("""
                    paid: { mode: randomized, type: boolean, search: { ci: {} } }
                """);
        assertTrue(m.startsWith("policy.yaml:6:56: search capability 'ci' does not apply"), m);
    }

    @Test
    void refusesRangeOnDecimalWithoutScale() {
        String m = error("""
                    amount: { mode: randomized, type: decimal, search: [range] }
                """);
        assertTrue(m.contains("needs a 'scale'"), m);
    }

    @Test
    void refusesUnknownNamesAndBadParameters() {
        assertTrue(error("""
                    n: { mode: randomized, search: [suffix] }
                """).contains("unknown search capability of people.n 'suffix'; expected one of: prefix, substring, ci, range"));
        assertTrue(error("""
                    n: { mode: randomized, search: { prefix: { maxlen: 3 } } }
                """).contains("unknown key 'maxlen' in prefix search of people.n; expected one of: bits, max"));
        assertTrue(error("""
                    n: { mode: randomized, search: { prefix: { bits: 20 } } }
                """).contains("must be 'exact' or a multiple of 8 from 8 to 128"));
        assertTrue(error("""
                    n: { mode: randomized, search: { substring: { ngram: 0 } } }
                """).contains("substring ngram of people.n must be between 1 and 16"));
        assertTrue(error("""
                    n: { mode: randomized, search: [prefix, prefix] }
                """).contains("listed twice"));
        assertTrue(error("""
                    n: { mode: randomized, search: [] }
                """).contains("names no capability"));
        assertTrue(error("""
                    n: { mode: randomized, search: prefix }
                """).contains("must be a list such as [prefix, ci]"));
    }

    @Test
    void refusesCompanionNamesPostgresWouldTruncate() {
        String longName = "a".repeat(55);
        assertTrue(error("    " + longName + ": { mode: randomized, search: [prefix] }\n").contains("longer than the 63 bytes"));
    }

    @Test
    void companionColumnsAndDdl() throws Exception {
        Policy p = PolicyLoader.parse(KEYS + """
                    last_name: { mode: deterministic, search: [prefix, ci] }
                    '"Born"': { mode: randomized, type: date, search: [range] }
                """, "policy.yaml");
        var table = p.table(null, "people").orElseThrow();
        assertEquals(List.of(
                "ALTER TABLE people ADD COLUMN IF NOT EXISTS last_name_veil_prefix bytea[]",
                "ALTER TABLE people ALTER COLUMN last_name_veil_prefix SET STATISTICS 0",
                "ALTER TABLE people ADD COLUMN IF NOT EXISTS last_name_veil_ci bytea",
                "ALTER TABLE people ALTER COLUMN last_name_veil_ci SET STATISTICS 0",
                "ALTER TABLE people ADD COLUMN IF NOT EXISTS \"Born_veil_range\" bytea[]",
                "ALTER TABLE people ALTER COLUMN \"Born_veil_range\" SET STATISTICS 0",
                "CREATE INDEX IF NOT EXISTS people_last_name_veil_prefix_idx ON people USING gin (last_name_veil_prefix) WITH (gin_pending_list_limit = 64)",
                "CREATE INDEX IF NOT EXISTS people_last_name_veil_ci_idx ON people USING btree (last_name_veil_ci)",
                "CREATE INDEX IF NOT EXISTS \"people_Born_veil_range_idx\" ON people USING gin (\"Born_veil_range\") WITH (gin_pending_list_limit = 64)"),
                CompanionColumns.ddl(table));
        assertEquals(List.of(
                "ALTER TABLE people ADD CONSTRAINT people_last_name_veil_tokens CHECK (last_name IS NULL OR (last_name_veil_prefix IS NOT NULL "
                        + "AND last_name_veil_ci IS NOT NULL)) NOT VALID",
                "ALTER TABLE people ADD CONSTRAINT \"people_Born_veil_tokens\" CHECK (\"Born\" IS NULL OR (\"Born_veil_range\" IS NOT NULL)) NOT VALID"),
                CompanionColumns.guardDdl(table));
        assertEquals(List.of("ALTER TABLE people VALIDATE CONSTRAINT people_last_name_veil_tokens",
                "ALTER TABLE people VALIDATE CONSTRAINT \"people_Born_veil_tokens\""), CompanionColumns.validateDdl(table));
        assertEquals(SearchCapability.CI, CompanionColumns.find(table, "LAST_NAME_VEIL_CI").orElseThrow().capability());
        assertTrue(CompanionColumns.find(table, "born_veil_range").isEmpty(), "a quoted name matches only its exact spelling");
        assertTrue(CompanionColumns.find(table, "\"Born_veil_range\"").isPresent());
        assertTrue(CompanionColumns.find(table, "last_name_veil_sub").isEmpty(), "no substring capability, no companion");
    }

    /** Whether a constraint as PostgreSQL prints it requires every companion column of {@code column}. */
    private static boolean requiresAll(ColumnPolicy column, String definition) {
        return CompanionColumns.required(column, definition).containsAll(column.search().capabilities());
    }

    @Test
    void aGuardIsRecognisedAsPostgresPrintsItAndNothingWeakerPasses() throws Exception {
        Policy p = PolicyLoader.parse(KEYS + """
                    last_name: { mode: deterministic, search: [prefix, ci] }
                    '"Born"': { mode: randomized, type: date, search: [range] }
                """, "policy.yaml");
        var table = p.table(null, "people").orElseThrow();
        var last = table.column("last_name").orElseThrow();
        var born = table.column("\"Born\"").orElseThrow();
        // pg_get_constraintdef of the DDL --ddl prints, before and after VALIDATE
        String printed = "CHECK (((last_name IS NULL) OR ((last_name_veil_prefix IS NOT NULL) AND (last_name_veil_ci IS NOT NULL))))";
        assertTrue(requiresAll(last, printed + " NOT VALID"));
        assertTrue(requiresAll(last, printed));
        assertTrue(requiresAll(born, "CHECK ((\"Born\" IS NULL) OR (\"Born_veil_range\" IS NOT NULL))"));
        assertTrue(requiresAll(last, "CHECK ((((last_name IS NULL) OR (last_name_veil_prefix IS NOT NULL)) "
                + "AND (last_name_veil_ci IS NOT NULL)))"), "grouped otherwise it is stricter, never weaker");
        assertTrue(requiresAll(last, "CHECK (((last_name IS NULL) OR ((last_name_veil_ci IS NOT NULL) AND "
                + "(last_name_veil_prefix IS NOT NULL))))"), "in another order");
        // a guard over some companions guarantees those: the one of a column before a capability was added
        assertEquals(java.util.Set.of(SearchCapability.PREFIX), CompanionColumns.required(last,
                "CHECK (((last_name IS NULL) OR (last_name_veil_prefix IS NOT NULL))) NOT VALID"));
        assertEquals(java.util.Set.of(), CompanionColumns.required(last,
                "CHECK ((((last_name IS NULL) OR (last_name_veil_prefix IS NOT NULL)) OR (last_name_veil_ci IS NOT NULL)))"),
                "a second OR: wherever the value is not NULL, neither companion is required");
        assertEquals(java.util.Set.of(), CompanionColumns.required(last,
                "CHECK (((last_name IS NULL) OR ((last_name_veil_prefix IS NOT NULL) AND (note IS NULL))))"),
                "another test may hide a weaker grouping once parentheses are read away");
        for (String weaker : List.of(
                printed + " NO INHERIT",
                printed + " NOT ENFORCED",
                "CHECK (((last_name IS NULL) OR (last_name_veil_prefix IS NOT NULL)))",
                "CHECK (((last_name IS NULL) OR ((last_name_veil_prefix IS NOT NULL) OR (last_name_veil_ci IS NOT NULL))))",
                "CHECK ((((last_name IS NULL) OR ((last_name_veil_prefix IS NOT NULL) AND (last_name_veil_ci IS NOT NULL))) OR true))",
                "CHECK (((email IS NULL) OR ((last_name_veil_prefix IS NOT NULL) AND (last_name_veil_ci IS NOT NULL))))",
                "CHECK ((NOT (last_name IS NULL)) OR ((last_name_veil_prefix IS NOT NULL) AND (last_name_veil_ci IS NOT NULL)))",
                "CHECK (born IS NULL OR born_veil_range IS NOT NULL)")) {
            assertFalse(requiresAll(weaker.contains("born") ? born : last, weaker), weaker);
        }
    }

    @Test
    void longNamesAreHashedWithinPostgresLimit() throws Exception {
        String column = "a_column_name_long_enough_to_overflow_the_limit_x";
        Policy p = PolicyLoader.parse(KEYS + """
                    %s: { mode: deterministic, search: [ci] }
                """.formatted(column), "policy.yaml");
        var table = p.table(null, "people").orElseThrow();
        var c = table.columns().values().iterator().next();
        String guard = CompanionColumns.guardName(c).toString();
        assertTrue(guard.matches("veil_chk_[0-9a-f]{16}"), guard);
        assertEquals(guard, CompanionColumns.guardName(c).toString(), "the same name every time");
        String index = CompanionColumns.ddl(table).get(2);
        assertTrue(index.matches("CREATE INDEX IF NOT EXISTS veil_idx_[0-9a-f]{16} ON .*"), index);
        assertFalse(index.contains(guard.substring("veil_chk_".length())), "the guard and the index hash different names");
    }
}
