package dev.veil.it.params;

import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import dev.veil.testkit.TestKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code getParameterMetaData()} on MariaDB, where a lookup on a deterministic column is also sent
 * with one marker per key version: the count is the application's; MariaDB Connector/J knows no
 * parameter types (it refuses {@code getParameterType} with {@code 0A000}), so a plain parameter
 * is refused as the real driver refuses it, and a parameter bound for an encrypted column reports
 * the column's type.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbParameterMetaDataTest {
    TestDatabase db;
    Path policyFile;

    static final String POLICY = """
            tables:
              people:
                email: { mode: deterministic }
                born: { mode: randomized, type: date }
            """;

    /** The database under test: MariaDB through MariaDB Connector/J. */
    TestDatabase open() throws SQLException {
        return TestDatabase.mariadbOrNull();
    }

    @BeforeAll
    void setUp(@TempDir Path dir) throws Exception {
        db = open();
        assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
        policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, "version: 1\n" + TestKeys.keysYaml(TestKeys.keystore(dir)) + POLICY);
        db.execute("CREATE TABLE people (id INT PRIMARY KEY, email TEXT, born TEXT, note TEXT, score INT)");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    Connection veil() throws SQLException {
        return DriverManager.getConnection(ShopSchema.veilUrl(db, policyFile));
    }

    @FunctionalInterface
    interface Ask {
        Object ask(ParameterMetaData md, int index) throws SQLException;
    }

    static String answer(ParameterMetaData md, int index, Ask ask) {
        try {
            return String.valueOf(ask.ask(md, index));
        } catch (SQLException e) {
            return "refused " + e.getSQLState();
        }
    }

    /** Everything the metadata says of each parameter (or how it refuses), as text. */
    static String describe(ParameterMetaData md, int index) {
        return answer(md, index, ParameterMetaData::getParameterType) + " " + answer(md, index, ParameterMetaData::getParameterTypeName) + " "
                + answer(md, index, ParameterMetaData::getParameterClassName) + " " + answer(md, index, ParameterMetaData::isNullable) + " "
                + answer(md, index, ParameterMetaData::getParameterMode) + " " + answer(md, index, ParameterMetaData::getPrecision) + " "
                + answer(md, index, ParameterMetaData::getScale) + " " + answer(md, index, ParameterMetaData::isSigned);
    }

    @Test
    void aLookupReportsTheApplicationsParameters() throws Exception {
        String sql = "SELECT id FROM people WHERE email = ? AND score = ?";
        try (Connection c = veil(); Connection raw = db.connect();
             PreparedStatement ps = c.prepareStatement(sql); PreparedStatement rawPs = raw.prepareStatement(sql)) {
            ParameterMetaData md = ps.getParameterMetaData();
            ParameterMetaData rawMd = rawPs.getParameterMetaData();
            assertEquals(2, md.getParameterCount());
            assertEquals(Types.VARCHAR, md.getParameterType(1));
            assertEquals(String.class.getName(), md.getParameterClassName(1));
            assertEquals(describe(rawMd, 2), describe(md, 2));
            assertEquals(describe(rawMd, 3), describe(md, 3), "past the last parameter");
            assertThrows(SQLException.class, () -> md.getParameterType(3));
        }
    }

    @Test
    void encryptedParametersReportTheColumnsTypeAndPlainOnesAsTheRealDriver() throws Exception {
        String sql = "UPDATE people SET born = ?, note = ? WHERE email IN (?, ?) AND id = ?";
        try (Connection c = veil(); Connection raw = db.connect();
             PreparedStatement ps = c.prepareStatement(sql); PreparedStatement rawPs = raw.prepareStatement(sql)) {
            ParameterMetaData md = ps.getParameterMetaData();
            ParameterMetaData rawMd = rawPs.getParameterMetaData();
            assertEquals(5, md.getParameterCount());
            assertEquals(Types.DATE, md.getParameterType(1));
            assertEquals(java.sql.Date.class.getName(), md.getParameterClassName(1));
            assertEquals(Types.VARCHAR, md.getParameterType(3));
            assertEquals(Types.VARCHAR, md.getParameterType(4));
            assertEquals(describe(rawMd, 2), describe(md, 2));
            assertEquals(describe(rawMd, 5), describe(md, 5));
        }
    }

    @Test
    void aMultiRowInsertAndADeleteReturningReportTheApplicationsParameters() throws Exception {
        String insert = "INSERT INTO people (id, email, born) VALUES (?, ?, ?), (?, ?, ?)";
        String delete = "DELETE FROM people WHERE email = ? AND id = ? RETURNING id, born";
        try (Connection c = veil(); Connection raw = db.connect();
             PreparedStatement ps = c.prepareStatement(insert); PreparedStatement rawPs = raw.prepareStatement(insert);
             PreparedStatement del = c.prepareStatement(delete); PreparedStatement rawDel = raw.prepareStatement(delete)) {
            ParameterMetaData md = ps.getParameterMetaData();
            assertEquals(6, md.getParameterCount());
            assertEquals(Types.VARCHAR, md.getParameterType(2));
            assertEquals(Types.DATE, md.getParameterType(6));
            assertEquals(describe(rawPs.getParameterMetaData(), 4), describe(md, 4));
            ParameterMetaData dmd = del.getParameterMetaData();
            assertEquals(2, dmd.getParameterCount());
            assertEquals(Types.VARCHAR, dmd.getParameterType(1));
            assertEquals(describe(rawDel.getParameterMetaData(), 2), describe(dmd, 2));
        }
    }

    @Test
    void springsJdbcTemplateBindsANullAfterALookupThroughVeil() throws Exception {
        db.execute("DELETE FROM people");
        try (Connection c = veil()) {
            // the driver knows no parameter types, so Spring falls back to its own guess for the NULL
            JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
            assertEquals(1, jdbc.update("INSERT INTO people (id, email, note) VALUES (?, ?, ?)", 1, "a@example.com", "x"));
            assertEquals(1, jdbc.update("UPDATE people SET note = 'found' WHERE email = ? AND score <=> ?", "a@example.com", null));
            assertEquals("found", jdbc.queryForObject("SELECT note FROM people WHERE email = ?", String.class, "a@example.com"));
            assertEquals(List.of(), jdbc.queryForList("SELECT id FROM people WHERE email = ? AND score = ?", Integer.class, null, null));
        }
    }
}
