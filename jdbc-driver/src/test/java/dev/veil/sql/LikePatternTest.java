package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LIKE patterns read and matched as PostgreSQL does. */
class LikePatternTest {

    @Test
    void matchesLikePostgres() {
        assertTrue(LikePattern.parse("Dav%", null).matches("Davis"));
        assertTrue(LikePattern.parse("Dav%", null).matches("Dav"));
        assertFalse(LikePattern.parse("Dav%", null).matches("dav"));
        assertTrue(LikePattern.parse("%a%b", null).matches("xxaxxb"));
        assertFalse(LikePattern.parse("%a%b", null).matches("xxaxxbx"));
        assertTrue(LikePattern.parse("_é_", null).matches("aéb"));
        assertTrue(LikePattern.parse("😀_", null).matches("😀x"), "a supplementary character is one character");
        assertFalse(LikePattern.parse("_", null).matches(""));
        assertTrue(LikePattern.parse("%", null).matches(""));
        assertTrue(LikePattern.parse("", null).matches(""));
        assertTrue(LikePattern.parse("a%%%b", null).matches("ab"));
    }

    @Test
    void escapesMakeWildcardsLiteral() {
        assertTrue(LikePattern.parse("van\\_%", null).matches("van_Dijk"));
        assertFalse(LikePattern.parse("van\\_%", null).matches("vanXDijk"));
        assertTrue(LikePattern.parse("100\\%%", null).matches("100%Pure"));
        assertFalse(LikePattern.parse("100\\%%", null).matches("100Pure"));
        assertTrue(LikePattern.parse("van!_%", "!").matches("van_x"));
        assertTrue(LikePattern.parse("a\\b", "").matches("a\\b"), "ESCAPE '' turns escaping off");
        assertTrue(LikePattern.parse("a\\\\b", null).matches("a\\b"));
        assertThrows(IllegalArgumentException.class, () -> LikePattern.parse("abc\\", null));
        assertThrows(IllegalArgumentException.class, () -> LikePattern.parse("abc", "!!"));
    }

    @Test
    void saysWhatTheIndexCanUse() {
        LikePattern p = LikePattern.parse("Dav\\%x%", null);
        assertTrue(p.isPrefix());
        assertEquals("Dav%x", p.literalPrefix());
        assertFalse(LikePattern.parse("Da_v%", null).isPrefix());
        assertEquals("Da", LikePattern.parse("Da_v%", null).literalPrefix());
        assertTrue(LikePattern.parse("%", null).isPrefix());
        assertTrue(LikePattern.parse("abc", null).isLiteral());
        assertFalse(LikePattern.parse("abc", null).isPrefix());
        assertEquals(List.of("ab", "cd", "e"), LikePattern.parse("%ab%cd_e", null).literalRuns());
    }
}
