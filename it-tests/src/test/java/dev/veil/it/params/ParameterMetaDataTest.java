package dev.veil.it.params;

import dev.veil.it.search.SearchFixture;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code PreparedStatement.getParameterMetaData()} on PostgreSQL describes the application's
 * parameters, not those of the statement Veil sends (lookups slotted per key version, companion
 * tokens bound after a searchable value, search predicates sent as guarded arms): the count is the
 * application's, a plain parameter is described as the real driver describes it, and a parameter
 * bound for an encrypted column or a search predicate has the type the application binds.
 */
class ParameterMetaDataTest {
    @TempDir
    static Path dir;
    static TestDatabase db;
    static Path policyFile;

    static final String POLICY = """
            tables:
              people:
                last_name: { mode: deterministic, search: [prefix, ci] }
                email: { mode: deterministic }
                born: { mode: randomized, type: date, storage: binary, search: [range] }
            """;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.postgres();
        policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + POLICY);
        Policy policy = PolicyLoader.load(policyFile);
        db.execute("CREATE TABLE people (id INT PRIMARY KEY, last_name TEXT, email TEXT, born BYTEA, note TEXT, score INT)",
                "CREATE TABLE plain (id INT PRIMARY KEY, note TEXT, amount NUMERIC(10, 2), at DATE)");
        db.execute(SearchFixture.ddlWithGuards(policy.table(null, "people").orElseThrow()).toArray(new String[0]));
    }

    @AfterAll
    static void tearDown() throws Exception {
        db.close();
    }

    @BeforeEach
    void empty() throws Exception {
        db.execute("DELETE FROM people");
    }

    static Connection veil() throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(db, policyFile));
    }

    /** The JDBC types of every parameter, in order. */
    static List<Integer> types(ParameterMetaData md) throws SQLException {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= md.getParameterCount(); i++) {
            out.add(md.getParameterType(i));
        }
        return out;
    }

    static List<Integer> types(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            return types(ps.getParameterMetaData());
        }
    }

    /** Everything the metadata says of each parameter, as text, to compare Veil's with the real driver's. */
    static List<String> describe(ParameterMetaData md) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= md.getParameterCount(); i++) {
            out.add(md.getParameterType(i) + " " + md.getParameterTypeName(i) + " " + md.getParameterClassName(i) + " "
                    + md.isNullable(i) + " " + md.getParameterMode(i) + " " + md.getPrecision(i) + " " + md.getScale(i) + " "
                    + md.isSigned(i));
        }
        return out;
    }

    static List<String> describe(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            return describe(ps.getParameterMetaData());
        }
    }

    @Test
    void aLookupReportsTheApplicationsParameters() throws Exception {
        try (Connection c = veil(); PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ? AND id = ?")) {
            ParameterMetaData md = ps.getParameterMetaData();
            assertEquals(2, md.getParameterCount());
            assertEquals(List.of(Types.VARCHAR, Types.INTEGER), types(md));
            assertEquals(String.class.getName(), md.getParameterClassName(1));
            assertEquals("int4", md.getParameterTypeName(2));
            assertEquals(ParameterMetaData.parameterModeIn, md.getParameterMode(1));
        }
        try (Connection c = veil()) {
            assertEquals(List.of(Types.VARCHAR, Types.VARCHAR, Types.INTEGER),
                    types(c, "SELECT id FROM people WHERE email IN (?, ?) AND score = ?"));
        }
    }

    @Test
    void aSearchableInsertReportsTheApplicationsParameters() throws Exception {
        try (Connection c = veil()) {
            assertEquals(List.of(Types.INTEGER, Types.VARCHAR, Types.INTEGER),
                    types(c, "INSERT INTO people (id, last_name, score) VALUES (?, ?, ?)"));
            assertEquals(List.of(Types.INTEGER, Types.VARCHAR, Types.INTEGER, Types.VARCHAR),
                    types(c, "INSERT INTO people (id, last_name) VALUES (?, ?), (?, ?)"));
            assertEquals(List.of(Types.INTEGER, Types.VARCHAR, Types.DATE, Types.VARCHAR, Types.INTEGER, Types.VARCHAR, Types.DATE, Types.VARCHAR),
                    types(c, "INSERT INTO people (id, last_name, born, note) VALUES (?, ?, ?, ?), (?, ?, ?, ?)"));
        }
    }

    @Test
    void anUpdateReturningReportsTheApplicationsParameters() throws Exception {
        try (Connection c = veil(); PreparedStatement ps = c.prepareStatement(
                "UPDATE people SET last_name = ?, born = ?, note = ? WHERE id = ? RETURNING id, last_name")) {
            ParameterMetaData md = ps.getParameterMetaData();
            assertEquals(List.of(Types.VARCHAR, Types.DATE, Types.VARCHAR, Types.INTEGER), types(md));
            assertEquals(java.sql.Date.class.getName(), md.getParameterClassName(2));
            assertEquals("date", md.getParameterTypeName(2));
            assertEquals("text", md.getParameterTypeName(3));
        }
    }

    @Test
    void aLikeSearchReportsItsPatternAsAString() throws Exception {
        try (Connection c = veil(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, last_name FROM people WHERE last_name LIKE ? AND score > ?")) {
            ParameterMetaData md = ps.getParameterMetaData();
            assertEquals(List.of(Types.VARCHAR, Types.INTEGER), types(md));
            assertEquals(String.class.getName(), md.getParameterClassName(1));
            assertEquals(ParameterMetaData.parameterNullableUnknown, md.isNullable(1));
            assertEquals(ParameterMetaData.parameterModeIn, md.getParameterMode(1));
        }
    }

    @Test
    void aRangeReportsItsBoundsAsTheColumnsType() throws Exception {
        try (Connection c = veil()) {
            assertEquals(List.of(Types.DATE, Types.DATE, Types.INTEGER),
                    types(c, "SELECT id, born FROM people WHERE born BETWEEN ? AND ? AND score <> ?"));
            assertEquals(List.of(Types.INTEGER, Types.DATE, Types.VARCHAR),
                    types(c, "SELECT id, born FROM people WHERE score = ? AND born >= ? AND email = ?"));
        }
    }

    @Test
    void plainParametersAreDescribedAsTheRealDriverDescribesThem() throws Exception {
        String plain = "SELECT id FROM plain WHERE note = ? AND amount > ? AND at < ? AND id = ?";
        String people = "SELECT id FROM people WHERE note = ? AND score > ?";
        try (Connection c = veil(); Connection raw = db.connect()) {
            assertEquals(describe(raw, plain), describe(c, plain));
            assertEquals(describe(raw, people), describe(c, people));
            // the same plain parameters, after a lookup and a searchable value
            List<String> expected = describe(raw, "SELECT id FROM plain WHERE note = ? AND amount > ? AND at < ? AND id = ?");
            List<String> mixed = describe(c, "SELECT p.id FROM people p JOIN plain q ON q.id = p.id WHERE p.email = ? AND p.last_name LIKE ?"
                    + " AND q.note = ? AND q.amount > ? AND q.at < ? AND q.id = ?");
            assertEquals(expected, mixed.subList(2, 6));
        }
    }

    @Test
    void nothingReportedNamesAValueOrCiphertextStorage() throws Exception {
        try (Connection c = veil(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO people (id, last_name, email, born) VALUES (?, ?, ?, ?)")) {
            ps.setInt(1, 1);
            ps.setString(2, "Zanzibar-secret");
            ps.setString(3, "z@secret.example");
            ps.setDate(4, java.sql.Date.valueOf("1980-05-01"));
            ParameterMetaData md = ps.getParameterMetaData();
            String all = md + " " + describe(md);
            assertFalse(all.contains("secret"), all);
            assertFalse(all.contains("bytea"), all);
            assertFalse(all.contains("1980"), all);
        }
    }

    /** What Spring's JdbcTemplate does for a NULL of unknown type: binds it with the type the metadata reports. */
    static void setNullOfUnknownType(PreparedStatement ps, int index) throws SQLException {
        ps.setNull(index, ps.getParameterMetaData().getParameterType(index));
    }

    @Test
    void springsJdbcTemplateBindsNullsOfUnknownTypeThroughVeil() throws Exception {
        try (Connection c = veil()) {
            JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
            assertEquals(1, jdbc.update("INSERT INTO people (id, last_name, email, note, score) VALUES (?, ?, ?, ?, ?)", 1, "Smith", null,
                    null, null));
            assertEquals(1, jdbc.update("UPDATE people SET note = 'found' WHERE last_name LIKE ? AND note IS NOT DISTINCT FROM ?",
                    "Smi%", null));
            assertEquals(List.of(), jdbc.queryForList("SELECT id FROM people WHERE email = ? AND score = ?", Integer.class, null, null));
            assertEquals(List.of(1), jdbc.queryForList("SELECT id FROM people WHERE lower(last_name) = lower(?) AND email IS NULL",
                    Integer.class, "SMITH"));
            assertEquals("found", jdbc.queryForObject("SELECT note FROM people WHERE last_name = ?", String.class, "Smith"));
        }
    }

    @Test
    void aNullOfUnknownTypeAfterASearchableValueIsStored() throws Exception {
        try (Connection c = veil()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, last_name, note, score) VALUES (?, ?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, "Smith");
                setNullOfUnknownType(ps, 3);
                setNullOfUnknownType(ps, 4);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET score = ? WHERE email IS NULL AND last_name LIKE ? AND id = ?")) {
                ps.setInt(1, 7);
                ps.setString(2, "Smi%");
                ps.setInt(3, 1);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE people SET note = 'found' WHERE last_name LIKE ? AND note IS NOT DISTINCT FROM ?")) {
                ps.setString(1, "Smi%");
                setNullOfUnknownType(ps, 2);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM people WHERE email = ? AND score = ? AND born IS NULL")) {
                setNullOfUnknownType(ps, 1);
                setNullOfUnknownType(ps, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertFalse(rs.next());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT last_name, note, score FROM people WHERE id = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("Smith", rs.getString(1));
                    assertEquals("found", rs.getString(2));
                    assertEquals(7, rs.getInt(3));
                }
            }
        }
    }

    @Test
    void aNullOfUnknownTypeAfterALookupIsBound() throws Exception {
        db.execute("INSERT INTO people (id) VALUES (2)");
        try (Connection c = veil(); PreparedStatement ps = c.prepareStatement(
                "UPDATE people SET email = ? WHERE email IS NULL AND (last_name = ? OR id = ?) AND score IS NOT DISTINCT FROM ?")) {
            ps.setString(1, "a@example.com");
            ps.setString(2, "Nobody");
            ps.setInt(3, 2);
            setNullOfUnknownType(ps, 4);
            assertEquals(1, ps.executeUpdate());
        }
        try (Connection raw = db.connect(); PreparedStatement ps = raw.prepareStatement("SELECT note, score, email IS NOT NULL FROM people WHERE id = 2");
             ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            assertNull(rs.getString(1));
            assertNull(rs.getObject(2));
            assertTrue(rs.getBoolean(3));
        }
    }
}
