package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiteralScannerTest {

    private static List<String> texts(ScannedSql s) {
        return s.literals().stream().map(l -> s.original().substring(l.start(), l.end())).toList();
    }

    @Test
    void replacesStringsAndNumbersByNumberedPlaceholders() {
        ScannedSql s = LiteralScanner.scan("select a from t where b = 'x''y' and c = 12.5e3 and d = ?");
        assertEquals("select a from t where b = '0' and c = 1 and d = ?", s.normalized());
        assertEquals(List.of("'x''y'", "12.5e3"), texts(s));
        assertEquals("x'y", s.literals().get(0).value());
        assertEquals("12.5e3", s.literals().get(1).value());
        assertTrue(s.literals().get(1).number());
    }

    @Test
    void leavesIdentifiersWithDigitsAlone() {
        ScannedSql s = LiteralScanner.scan("select c1_0.id from customers c1_0 where t2.x$1 = 3");
        assertEquals(List.of("3"), texts(s));
    }

    @Test
    void skipsCommentsAndQuotedIdentifiers() {
        ScannedSql s = LiteralScanner.scan("select \"it's\" -- 'a'\n, /* '1' /* 2 */ 3 */ `x'` from t where u = 'v'");
        assertEquals(List.of("'v'"), texts(s));
    }

    @Test
    void recognisesPrefixedAndDollarQuotedStrings() {
        ScannedSql s = LiteralScanner.scan("select E'a\\'b', N'n', X'ff', U&'u', $tag$d'$tag$, $$e$$ from t");
        assertEquals(List.of("E'a\\'b'", "N'n'", "X'ff'", "U&'u'", "$tag$d'$tag$", "$$e$$"), texts(s));
        assertEquals(List.of("E", "N", "X", "U&", "$tag$", "$$"),
                s.literals().stream().map(SqlLiteral::prefix).toList());
        assertEquals("d'", s.literals().get(4).value());
    }

    @Test
    void leavesPostgresPositionalParametersAlone() {
        assertTrue(LiteralScanner.scan("select $1, $2 from t").literals().isEmpty());
    }

    @Test
    void tellsWhetherParenthesesBalance() {
        assertTrue(LiteralScanner.scan("select f((1)) from t where x = ')('").balanced());
        assertFalse(LiteralScanner.scan("select f((1) from t").balanced());
        assertFalse(LiteralScanner.scan("select 1) + (2").balanced());
    }

    @Test
    void returnsTheSameTextWhenThereAreNoLiterals() {
        String sql = "select a from t where b = ?";
        assertEquals(sql, LiteralScanner.scan(sql).normalized());
    }

    @Test
    void neverPrintsLiteralValues() {
        ScannedSql s = LiteralScanner.scan("select 'secret-value'");
        assertFalse(s.literals().get(0).toString().contains("secret"));
    }
}
