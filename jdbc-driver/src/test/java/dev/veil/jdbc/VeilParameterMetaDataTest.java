package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.policy.PolicyLoader;
import dev.veil.sql.SqlAnalyzer;
import dev.veil.sql.StatementPlan;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter metadata maps the application's parameter numbers to those of the statement sent,
 * without a server: the real statement is a stand-in whose parameter {@code n} has type
 * {@code 1000 + n}, so every answer shows which real parameter it came from.
 */
class VeilParameterMetaDataTest {
    private static final String POLICY = """
            version: 1
            keys:
              master: { provider: env }
            tables:
              owners:
                last_name: { mode: deterministic, search: [prefix, ci] }
                email: { mode: deterministic }
                born: { mode: randomized, type: date, search: [range] }
                age: { mode: randomized, type: integer }
            """;

    private final SqlAnalyzer analyzer;

    VeilParameterMetaDataTest() throws VeilException {
        analyzer = new SqlAnalyzer(PolicyLoader.parse(POLICY, "test"), 100);
    }

    /** A real statement's metadata for {@code sent} parameters: parameter n has type 1000 + n and refuses indexes out of range. */
    static ParameterMetaData real(int sent) {
        return (ParameterMetaData) Proxy.newProxyInstance(ParameterMetaData.class.getClassLoader(), new Class<?>[] {ParameterMetaData.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getParameterCount")) {
                        return sent;
                    }
                    if (method.getName().equals("toString")) {
                        return "real";
                    }
                    int i = (Integer) args[0];
                    if (i < 1 || i > sent) {
                        throw new SQLException("index " + i + " out of range", "22023");
                    }
                    return switch (method.getName()) {
                        case "getParameterType" -> 1000 + i;
                        case "getParameterTypeName", "getParameterClassName" -> "real" + i;
                        case "isNullable" -> ParameterMetaData.parameterNoNulls;
                        case "getParameterMode" -> ParameterMetaData.parameterModeInOut;
                        case "getPrecision", "getScale" -> 7;
                        case "isSigned" -> true;
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    private ParameterMetaData metadata(String sql) throws VeilException {
        StatementPlan p = analyzer.plan(sql, null);
        int sent = p.expandedSql().replaceAll("[^?]", "").length();
        return VeilParameterMetaData.of(real(sent), p);
    }

    private static List<Integer> types(ParameterMetaData md) throws SQLException {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= md.getParameterCount(); i++) {
            out.add(md.getParameterType(i));
        }
        return out;
    }

    @Test
    void plainParametersAfterALookupAreTheRealParametersTheyAreSentAs() throws Exception {
        ParameterMetaData md = metadata("select id from owners where email = ? and id = ? and city = ?");
        assertEquals(3, md.getParameterCount());
        // email = ? is sent as 4 markers: id is the 5th, city the 6th
        assertEquals(List.of(Types.VARCHAR, 1005, 1006), types(md));
        assertEquals("real5", md.getParameterTypeName(2));
        assertEquals(ParameterMetaData.parameterNoNulls, md.isNullable(1), "nullability of the first slot");
        assertEquals(ParameterMetaData.parameterModeInOut, md.getParameterMode(3));
        assertEquals(7, md.getPrecision(3));
    }

    @Test
    void encryptedParametersHaveTheColumnsLogicalType() throws Exception {
        ParameterMetaData md = metadata("insert into owners (id, last_name, born, age) values (?, ?, ?, ?)");
        assertEquals(List.of(1001, Types.VARCHAR, Types.DATE, Types.BIGINT), types(md));
        assertEquals(String.class.getName(), md.getParameterClassName(2));
        assertEquals(java.sql.Date.class.getName(), md.getParameterClassName(3));
        assertEquals("date", md.getParameterTypeName(3));
        assertEquals(0, md.getPrecision(3), "not the storage's precision");
        assertTrue(md.isSigned(4));
        assertFalse(md.isSigned(2));
    }

    @Test
    void searchOperandsArePatternsOrValuesOfTheColumn() throws Exception {
        ParameterMetaData md = metadata("select id from owners where last_name like ? and born between ? and ? and id > ?");
        assertEquals(4, md.getParameterCount());
        assertEquals(Types.VARCHAR, md.getParameterType(1));
        assertEquals(Types.DATE, md.getParameterType(2));
        assertEquals(Types.DATE, md.getParameterType(3));
        assertEquals(ParameterMetaData.parameterNullableUnknown, md.isNullable(1));
        assertEquals(ParameterMetaData.parameterModeIn, md.getParameterMode(3));
        int sentId = analyzer.plan("select id from owners where last_name like ? and born between ? and ? and id > ?", null).serverIndex(4);
        assertEquals(1000 + sentId, md.getParameterType(4));
    }

    @Test
    void indexesOutOfTheApplicationsRangeAreRefusedByTheRealDriver() throws Exception {
        ParameterMetaData md = metadata("select id from owners where email = ? and id = ?");
        SQLException e = assertThrows(SQLException.class, () -> md.getParameterType(3));
        assertEquals("22023", e.getSQLState());
        assertThrows(SQLException.class, () -> md.isNullable(0));
    }

    @Test
    void aStatementBindingEveryParameterAsWrittenGetsTheRealMetadata() throws Exception {
        StatementPlan p = analyzer.plan("select id from owners where id = ? and city = ?", null);
        ParameterMetaData raw = real(2);
        assertSame(raw, VeilParameterMetaData.of(raw, p));
    }

    @Test
    void unwrapsToItselfAndPrintsNoSql() throws Exception {
        ParameterMetaData md = metadata("select id from owners where email = ? and city = 'Secretville'");
        assertSame(md, md.unwrap(ParameterMetaData.class));
        assertTrue(md.isWrapperFor(VeilParameterMetaData.class));
        assertFalse(md.toString().contains("Secretville"), md.toString());
        assertFalse(md.toString().contains("email"), md.toString());
    }
}
