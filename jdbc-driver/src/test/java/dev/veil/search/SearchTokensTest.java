package dev.veil.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.DataKey;
import dev.veil.crypto.DataKeySource;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.PolicyLoader;
import dev.veil.testkit.Hex;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchTokensTest {
    /** Two versions of one ring: the write key (id 7, bytes 0..31) and an older one (id 3, bytes 100..131). */
    static final class TwoVersions implements DataKeySource {
        final DataKey v7 = key(7, 0);
        final DataKey v3 = key(3, 100);

        static DataKey key(int id, int first) {
            byte[] k = new byte[32];
            for (int i = 0; i < 32; i++) {
                k[i] = (byte) (first + i);
            }
            try {
                return DataKey.derive(id, k);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public DataKey activeKey(String ring, boolean consumesNonce) {
            return v7;
        }

        @Override
        public DataKey key(int keyId) throws VeilException {
            if (keyId == 7) {
                return v7;
            }
            if (keyId == 3) {
                return v3;
            }
            throw new VeilException(VeilState.KEY_NOT_FOUND, "no key " + keyId);
        }

        @Override
        public DataKey[] lookupKeys(String ring) {
            return new DataKey[] {v7, v3};
        }
    }

    static ColumnPolicy column(String yaml, String name) throws VeilException {
        return PolicyLoader.parse("""
                version: 1
                keys:
                  master: { provider: env, variable: VEIL_DEV_KEY }
                tables:
                  people:
                """ + yaml, "policy.yaml").column(null, "people", name).orElseThrow();
    }

    final TwoVersions keys = new TwoVersions();

    SearchTokens lastName() throws VeilException {
        return new SearchTokens(column("""
                    last_name: { mode: deterministic, search: { prefix: { max: 3 }, substring: {}, ci: {} } }
                """, "last_name"), keys);
    }

    static List<String> hex(Object tokens) {
        return Arrays.stream((byte[][]) tokens).map(Hex::encode).toList();
    }

    /**
     * Pinned known answers: computed independently (Python's hmac and hashlib, following RFC 5869
     * and the derivation documented on {@link SearchTokens}) for data key bytes 0..31. A change here
     * is a format change: every stored token would stop matching.
     */
    @Test
    void knownAnswers() throws Exception {
        StoredTokens t = lastName().forStored("Smith", 7);
        assertEquals(7, t.keyId());
        assertEquals(List.of("a680b50024e4c938eae0967707b29acf", "a04ec882c5fc697149411048b0ad339a", "a61b7f604d7d7eb6044dc3ca22a1888e"),
                hex(t.get(SearchCapability.PREFIX)));
        assertEquals("55d5560915014202fd19f22e35ad9d39", hex(t.get(SearchCapability.SUBSTRING)).get(1), "gram 'mit'");
        assertEquals("0d74733fa4c70d651d6874f6b10e1910", Hex.encode((byte[]) t.get(SearchCapability.CI)));

        SearchTokens born = new SearchTokens(column("""
                    born: { mode: randomized, type: date, search: [range] }
                """, "born"), keys);
        List<String> range = hex(born.forStored(LocalDate.of(2000, 1, 1), 7).get(SearchCapability.RANGE));
        assertEquals(10, range.size(), "a date's levels stop at 2^36 days");
        assertEquals("fd253855467898aeb5b2ad2ede327695", range.get(0), "leaf bucket");
        assertEquals("0d2b0e487df5fd066138e1dd4af28ff3", range.get(1), "level 4");

        SearchTokens shortBits = new SearchTokens(column("""
                    last_name: { mode: deterministic, search: { prefix: { bits: 8 } } }
                """, "last_name"), keys);
        assertEquals("82", hex(shortBits.forStored("Mü", 7).get(SearchCapability.PREFIX)).get(1), "8-bit token of 'Mü'");
    }

    @Test
    void storedTokensFollowTheValue() throws Exception {
        SearchTokens s = lastName();
        StoredTokens t = s.forStored("Smith", 7);
        assertEquals(3, ((byte[][]) t.get(SearchCapability.PREFIX)).length, "prefixes of 1..max code points");
        assertEquals(3, ((byte[][]) t.get(SearchCapability.SUBSTRING)).length, "Smi, mit, ith");
        StoredTokens none = s.forStored(null, 7);
        assertNull(none.get(SearchCapability.PREFIX));
        assertNull(none.get(SearchCapability.CI));
        assertEquals(0, ((byte[][]) s.forStored("", 7).get(SearchCapability.PREFIX)).length, "empty string: empty set, not NULL");
        assertFalse(Arrays.equals((byte[]) t.get(SearchCapability.CI), (byte[]) s.forStored("Smith", 3).get(SearchCapability.CI)),
                "another version, another token");
        StoredTokens other = new SearchTokens(column("""
                    first_name: { mode: deterministic, search: [ci] }
                """, "first_name"), keys).forStored("Smith", 7);
        assertFalse(Arrays.equals((byte[]) t.get(SearchCapability.CI), (byte[]) other.get(SearchCapability.CI)),
                "another column, another key");
    }

    @Test
    void gramsAreDistinctAndByCodePoint() throws Exception {
        SearchTokens s = lastName();
        assertEquals(1, ((byte[][]) s.forStored("aaaa", 7).get(SearchCapability.SUBSTRING)).length);
        assertEquals(0, ((byte[][]) s.forStored("ab", 7).get(SearchCapability.SUBSTRING)).length);
        // two supplementary code points and one BMP: exactly one 3-gram, prefixes by code point
        StoredTokens emoji = s.forStored("\uD83D\uDE00\uD83D\uDE01x", 7);
        assertEquals(1, ((byte[][]) emoji.get(SearchCapability.SUBSTRING)).length);
        assertArrayEquals(((byte[][]) emoji.get(SearchCapability.PREFIX))[0],
                s.prefixQuery("\uD83D\uDE00").get(0).tokens().get(0));
    }

    @Test
    void queriesMatchStoredTokensOfEveryVersion() throws Exception {
        SearchTokens s = lastName();
        List<VersionTokens> q = s.prefixQuery("Sm");
        assertEquals(List.of(7, 3), q.stream().map(VersionTokens::keyId).toList());
        assertArrayEquals(((byte[][]) s.forStored("Smith", 7).get(SearchCapability.PREFIX))[1], q.get(0).tokens().get(0));
        assertArrayEquals(((byte[][]) s.forStored("Smithers", 3).get(SearchCapability.PREFIX))[1], q.get(1).tokens().get(0));
        assertTrue(s.prefixExact("Smi"));
        assertFalse(s.prefixExact("Smit"), "longer than max: the max-length prefix, then filtering");
        assertArrayEquals(((byte[][]) s.forStored("Smith", 7).get(SearchCapability.PREFIX))[2], s.prefixQuery("Smit").get(0).tokens().get(0));
        List<VersionTokens> grams = s.substringQuery("mith");
        assertEquals(2, grams.get(0).tokens().size());
        assertTrue(s.substringQuery("mi").get(0).tokens().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> s.prefixQuery(""));
    }

    @Test
    void caseInsensitiveFoldsNfkcThenLowerCase() throws Exception {
        SearchTokens s = lastName();
        byte[] stored = (byte[]) s.forStored("Müller", 7).get(SearchCapability.CI);
        for (String q : List.of("MÜLLER", "müller", "Mu\u0308ller", "ＭÜＬＬＥＲ")) {
            assertArrayEquals(stored, s.ciQuery(q).get(0).tokens().get(0), q);
        }
        assertFalse(Arrays.equals(stored, s.ciQuery("Muller").get(0).tokens().get(0)));
        assertEquals("strasse", SearchText.foldCase("STRASSE"));
        assertEquals("i\u0307", SearchText.foldCase("\u0130"), "root-locale lower case of dotted capital I");
    }

    @Test
    void prefixIsOverCodePointsAsStoredWithoutNormalising() throws Exception {
        SearchTokens s = lastName();
        // "e" + combining acute: PostgreSQL's LIKE 'e%' matches it, so the 1-code-point prefix is "e"
        byte[][] decomposed = (byte[][]) s.forStored("e\u0301a", 7).get(SearchCapability.PREFIX);
        assertArrayEquals(decomposed[0], s.prefixQuery("e").get(0).tokens().get(0));
        byte[][] composed = (byte[][]) s.forStored("\u00e9a", 7).get(SearchCapability.PREFIX);
        assertFalse(Arrays.equals(composed[0], decomposed[0]));
    }

    @Test
    void rangeCoverMatchesExactlyTheKeysInside() throws Exception {
        Random r = new Random(20);
        for (SearchSpec.Range spec : List.of(new SearchSpec.Range(4, 0, 128), new SearchSpec.Range(3, 0, 128),
                new SearchSpec.Range(8, 0, 128), new SearchSpec.Range(4, 6, 128), new SearchSpec.Range(1, 0, 128))) {
            for (int i = 0; i < 300; i++) {
                long base = r.nextLong();
                long lo = base + r.nextInt(5000);
                long hi = lo + r.nextInt(20000);
                if (Long.compareUnsigned(lo, hi) > 0) {
                    continue;
                }
                Set<RangeCover.Bucket> cover = new HashSet<>(RangeCover.cover(lo, hi, spec, top(spec)));
                assertTrue(cover.size() <= 2 * ((1 << spec.branch()) - 1) * spec.levels());
                for (int j = 0; j < 40; j++) {
                    long k = lo - 200 + r.nextInt((int) (hi - lo) + 400);
                    boolean inside = Long.compareUnsigned(k, lo) >= 0 && Long.compareUnsigned(k, hi) <= 0;
                    long leafMask = spec.leaf() == 0 ? 0 : (1L << spec.leaf()) - 1;
                    boolean inWidened = Long.compareUnsigned(k, lo & ~leafMask) >= 0 && Long.compareUnsigned(k, hi | leafMask) <= 0;
                    boolean hit = RangeCover.of(k, spec, top(spec)).stream().anyMatch(cover::contains);
                    assertEquals(inWidened, hit, spec + " key " + Long.toUnsignedString(k));
                    if (spec.leaf() == 0) {
                        assertEquals(inside, hit);
                    }
                }
            }
        }
        assertEquals(16, RangeCover.cover(0, -1L, new SearchSpec.Range(4, 0, 128), 60).size(), "whole key space: 16 top buckets");
    }

    /** The highest level below 64, where a type's keys span the whole 64-bit space. */
    private static int top(SearchSpec.Range spec) {
        return RangeOrder.topLevel(dev.veil.policy.LogicalType.INTEGER, spec);
    }

    @Test
    void datesAndTimesKeepOnlyTheLevelsThatSplitTheirKeys() throws Exception {
        SearchSpec.Range defaults = new SearchSpec.Range(4, 0, 128);
        assertEquals(60, RangeOrder.topLevel(dev.veil.policy.LogicalType.INTEGER, defaults));
        assertEquals(16, RangeOrder.levels(dev.veil.policy.LogicalType.TIMESTAMP, defaults));
        assertEquals(36, RangeOrder.topLevel(dev.veil.policy.LogicalType.DATE, defaults), "2^40 days fall in 16 buckets of 2^36");
        assertEquals(44, RangeOrder.topLevel(dev.veil.policy.LogicalType.TIME, defaults), "a day's 2^46.3 ns in 5 buckets of 2^44");
        assertEquals(5, RangeOrder.levels(dev.veil.policy.LogicalType.DATE, new SearchSpec.Range(8, 2, 128)), "2, 10, 18, 26, 34");

        SearchTokens born = new SearchTokens(column("""
                    born: { mode: randomized, type: date, search: [range] }
                """, "born"), keys);
        Random r = new Random(36);
        List<LocalDate> dates = new ArrayList<>(List.of(LocalDate.MIN, LocalDate.MIN.plusDays(1), LocalDate.MAX, LocalDate.MAX.minusDays(1),
                LocalDate.of(1969, 12, 31), LocalDate.of(1970, 1, 1), LocalDate.of(-4713, 11, 24), LocalDate.of(294276, 12, 31)));
        for (int i = 0; i < 40; i++) {
            dates.add(LocalDate.ofEpochDay(r.nextInt(60_000) - 30_000));
        }
        List<Set<String>> stored = new ArrayList<>();
        for (LocalDate d : dates) {
            List<String> tokens = hex(born.forStored(d, 7).get(SearchCapability.RANGE));
            assertEquals(10, tokens.size());
            stored.add(new HashSet<>(tokens));
        }
        // bounds anywhere, open at either end or both: a stored date is found exactly when it is inside
        List<LocalDate> bounds = new ArrayList<>(dates);
        bounds.add(null);
        for (int i = 0; i < 400; i++) {
            LocalDate lo = bounds.get(r.nextInt(bounds.size()));
            LocalDate hi = bounds.get(r.nextInt(bounds.size()));
            boolean loIn = r.nextBoolean();
            boolean hiIn = r.nextBoolean();
            List<VersionTokens> q = born.rangeQuery(lo, loIn, hi, hiIn);
            assertTrue(q.get(0).tokens().size() <= 2 * 15 * 10 + 16, "a cover within the levels kept");
            for (int j = 0; j < dates.size(); j++) {
                LocalDate d = dates.get(j);
                boolean inside = (lo == null || (loIn ? !d.isBefore(lo) : d.isAfter(lo)))
                        && (hi == null || (hiIn ? !d.isAfter(hi) : d.isBefore(hi)));
                assertEquals(inside, hits(stored.get(j), q), d + " in " + lo + (loIn ? "=" : "") + ".." + hi + (hiIn ? "=" : ""));
            }
        }
        assertEquals(12, born.rangeQuery(null, false, null, false).get(0).tokens().size(), "every date: the 12 buckets of 2^36 days that hold any");

        SearchTokens at = new SearchTokens(column("""
                    at: { mode: randomized, type: time, search: [range] }
                """, "at"), keys);
        Set<String> midnight = new HashSet<>(hex(at.forStored(java.time.LocalTime.MIDNIGHT, 7).get(SearchCapability.RANGE)));
        Set<String> last = new HashSet<>(hex(at.forStored(java.time.LocalTime.MAX, 7).get(SearchCapability.RANGE)));
        assertEquals(12, last.size());
        assertTrue(hits(midnight, at.rangeQuery(null, false, java.time.LocalTime.of(0, 0, 1), false)));
        assertTrue(hits(last, at.rangeQuery(java.time.LocalTime.of(23, 59), true, null, false)));
        assertFalse(hits(last, at.rangeQuery(null, false, java.time.LocalTime.MAX, false)));
        assertFalse(hits(midnight, at.rangeQuery(java.time.LocalTime.MIDNIGHT, false, null, false)));
    }

    @Test
    void rangeQueriesRoundBoundsInsideTheRange() throws Exception {
        SearchTokens amount = new SearchTokens(column("""
                    amount: { mode: randomized, type: decimal, scale: 2, search: [range] }
                """, "amount"), keys);
        Set<String> stored = new HashSet<>(hex(amount.forStored(new BigDecimal("10.05"), 7).get(SearchCapability.RANGE)));
        assertTrue(hits(stored, amount.rangeQuery(new BigDecimal("10.05"), true, new BigDecimal("10.05"), true)));
        assertFalse(hits(stored, amount.rangeQuery(new BigDecimal("10.05"), false, null, false)));
        assertTrue(hits(stored, amount.rangeQuery(new BigDecimal("10.041"), false, new BigDecimal("10.059"), false)));
        assertFalse(hits(stored, amount.rangeQuery(new BigDecimal("10.051"), true, null, false)));
        assertTrue(hits(stored, amount.rangeQuery(null, false, 11, true)), "an integer bound on a decimal column");
        assertTrue(amount.rangeQuery(new BigDecimal("3"), true, new BigDecimal("2"), true).get(0).tokens().isEmpty(), "empty range");
        VeilException e = assertThrows(VeilException.class, () -> amount.forStored(new BigDecimal("1.234"), 7));
        assertEquals(VeilState.VALUE_CONVERSION, e.state());
        assertFalse(e.getMessage().contains("1.234"), "no value in messages");
        assertTrue(amount.rangeExact());

        SearchTokens at = new SearchTokens(column("""
                    at: { mode: randomized, type: timestamp, search: [range] }
                """, "at"), keys);
        LocalDateTime t = LocalDateTime.of(2024, 2, 29, 12, 0, 0, 123_000);
        Set<String> st = new HashSet<>(hex(at.forStored(t, 7).get(SearchCapability.RANGE)));
        assertFalse(hits(st, at.rangeQuery(t.plusNanos(1), true, null, false)));
        assertTrue(hits(st, at.rangeQuery(t.minusNanos(1), false, t.plusNanos(999), false)));
        assertEquals(VeilState.VALUE_CONVERSION, assertThrows(VeilException.class,
                () -> at.forStored(t.plusNanos(1), 7)).state(), "sub-microsecond values have no exact key");

        SearchTokens n = new SearchTokens(column("""
                    n: { mode: randomized, type: integer, search: [range] }
                """, "n"), keys);
        Set<String> minus = new HashSet<>(hex(n.forStored(-5L, 7).get(SearchCapability.RANGE)));
        assertTrue(hits(minus, n.rangeQuery(-10, true, 0, false)), "negative numbers order below zero");
        assertFalse(hits(minus, n.rangeQuery(0, true, null, false)));
        assertTrue(hits(new HashSet<>(hex(n.forStored(Long.MAX_VALUE, 7).get(SearchCapability.RANGE))),
                n.rangeQuery(new BigDecimal("9223372036854775806.5"), true, null, false)));
        assertTrue(n.rangeQuery(new BigDecimal("9223372036854775808"), true, null, false).get(0).tokens().isEmpty());
    }

    private static boolean hits(Set<String> stored, List<VersionTokens> query) {
        return query.get(0).tokens().stream().map(Hex::encode).anyMatch(stored::contains);
    }

    @Test
    void noValueOrKeyInToString() throws Exception {
        SearchTokens s = lastName();
        String text = s.toString() + s.forStored("Smith", 7) + s.prefixQuery("Smi");
        assertFalse(text.contains("Smi"), text);
    }
}
