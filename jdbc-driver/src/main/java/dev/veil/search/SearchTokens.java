package dev.veil.search;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.DataKey;
import dev.veil.crypto.DataKeySource;
import dev.veil.crypto.ValueCodec;
import dev.veil.policy.ColumnPolicy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The search tokens of one column: for a value to store, the tokens of each of its capabilities
 * under the data-key version that encrypted it; for a query operand, its tokens under every
 * data-key version that may hold values ({@link DataKeySource#lookupKeys}, the write key first).
 * Thread-safe; one per searchable column.
 *
 * <p>A token is HMAC-SHA256 under a key derived per (column context, capability, data-key
 * version) — HKDF from the version's data key with info
 * {@code veil/search/v1|<ColumnPolicy.context()>|<capability>} — truncated to the capability's
 * {@code bits}. The inputs: the UTF-8 of a prefix / n-gram (code points as stored, see
 * {@link SearchText}); the UTF-8 of the {@link SearchText#foldCase folded} value for {@code ci};
 * for {@code range}, the bucket's level byte and 8-byte key prefix (big-endian, see
 * {@link RangeCover}). Keys and tokens never appear in messages or {@code toString()}.
 */
public final class SearchTokens {
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    });
    private static final int MAX_ATTEMPTS = 3;

    private final ColumnPolicy column;
    private final SearchSpec spec;
    private final DataKeySource keys;
    private final RangeOrder order;
    /** The range index's highest level ({@link RangeOrder#topLevel}), or −1. */
    private final int top;
    private final Map<Integer, DerivedKeys> derived = new ConcurrentHashMap<>();

    /** The search keys of one data-key version, wiped when that data key is destroyed (evicted, closed). */
    private static final class DerivedKeys {
        final DataKey source;
        final EnumMap<SearchCapability, byte[]> keys = new EnumMap<>(SearchCapability.class);
        volatile boolean wiped;

        DerivedKeys(DataKey source) {
            this.source = source;
        }

        void wipe() {
            wiped = true;
            keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
        }
    }

    /**
     * @param column a column with at least one search capability
     * @param keys the ring's data keys
     * @throws IllegalArgumentException when the column has no search capability
     */
    public SearchTokens(ColumnPolicy column, DataKeySource keys) {
        if (!column.isSearchable()) {
            throw new IllegalArgumentException(column.column() + " has no search capability");
        }
        this.column = column;
        this.spec = column.search();
        this.keys = keys;
        this.order = spec.range() != null ? new RangeOrder(column) : null;
        this.top = spec.range() != null ? RangeOrder.topLevel(column.type(), spec.range()) : -1;
    }

    public ColumnPolicy column() {
        return column;
    }

    /** The HKDF info of a capability's keys: {@code veil/search/v1|<context>|<capability>}. */
    static byte[] info(ColumnPolicy column, SearchCapability c) {
        return ("veil/search/v1|" + column.context() + "|" + c.policyName()).getBytes(StandardCharsets.UTF_8);
    }

    // ---- stored values ----

    /**
     * The companion-column values of a value written to the column, under data key {@code keyId}
     * (the key its ciphertext names, so that rekeying the value moves its tokens with it).
     *
     * @param value the application's value, or {@code null} (NULL tokens)
     * @throws VeilException {@code VE008} when the value does not convert to the column's type (or
     *         has no exact range key), or a key error
     */
    public StoredTokens forStored(Object value, int keyId) throws VeilException {
        if (value == null) {
            return StoredTokens.ofNull();
        }
        Object v = ValueCodec.canonical(column.type(), value, column.column());
        EnumMap<SearchCapability, Object> out = new EnumMap<>(SearchCapability.class);
        for (int attempt = 0; ; attempt++) {
            DerivedKeys k = derived(keyId);
            for (SearchCapability c : spec.capabilities()) {
                out.put(c, storedTokens(c, v, k.keys.get(c)));
            }
            if (!k.wiped) {
                return new StoredTokens(keyId, out);
            }
            retry(attempt, keyId);
        }
    }

    private Object storedTokens(SearchCapability c, Object v, byte[] key) throws VeilException {
        return switch (c) {
            case PREFIX -> {
                String s = (String) v;
                int n = Math.min(SearchText.length(s), spec.prefix().max());
                List<byte[]> inputs = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    inputs.add(utf8(SearchText.leadingCodePoints(s, i)));
                }
                yield macAll(key, inputs, spec.prefix().bits());
            }
            case SUBSTRING -> macAll(key, grams((String) v), spec.substring().bits());
            case CI -> mac(MAC.get(), key, utf8(SearchText.foldCase((String) v)), spec.ci().bits(), true);
            case RANGE -> {
                List<byte[]> inputs = new ArrayList<>();
                for (RangeCover.Bucket b : RangeCover.of(order.storedKey(v), spec.range(), top)) {
                    inputs.add(bucket(b));
                }
                yield macAll(key, inputs, spec.range().bits());
            }
        };
    }

    // ---- query operands ----

    /**
     * The tokens of a {@code LIKE 'p%'} prefix, per live version: of {@code p} itself when it has at
     * most {@code max} code points, else of its first {@code max} (then rows must be filtered).
     *
     * @param literalPrefix the pattern's literal prefix, wildcards and escapes already removed; not empty
     * @throws VeilException a key error
     * @throws IllegalArgumentException when the column has no prefix capability or {@code literalPrefix} is empty
     */
    public List<VersionTokens> prefixQuery(String literalPrefix) throws VeilException {
        require(SearchCapability.PREFIX);
        if (literalPrefix.isEmpty()) {
            throw new IllegalArgumentException("empty prefix");
        }
        byte[] in = utf8(SearchText.leadingCodePoints(literalPrefix, spec.prefix().max()));
        return perVersion(SearchCapability.PREFIX, List.of(in));
    }

    /** Whether prefix tokens alone answer {@code LIKE 'p%'} exactly (no filtering): {@code p} within max and full-length tokens. */
    public boolean prefixExact(String literalPrefix) {
        require(SearchCapability.PREFIX);
        return SearchText.length(literalPrefix) <= spec.prefix().max() && spec.exactTokens(SearchCapability.PREFIX);
    }

    /**
     * The tokens of every distinct n-gram of a literal run of a {@code LIKE '%s%'} pattern, per live
     * version. A row can match only when it holds all of one version's tokens; it must still be
     * filtered (grams do not say where they occur). A literal shorter than {@code ngram} has no
     * grams: the lists are then empty and the index cannot narrow the search.
     */
    public List<VersionTokens> substringQuery(String literal) throws VeilException {
        require(SearchCapability.SUBSTRING);
        return perVersion(SearchCapability.SUBSTRING, grams(literal));
    }

    /** The token of {@code lower(col) = lower(value)}, per live version (exact when {@code ci} has full-length tokens). */
    public List<VersionTokens> ciQuery(String value) throws VeilException {
        require(SearchCapability.CI);
        return perVersion(SearchCapability.CI, List.of(utf8(SearchText.foldCase(value))));
    }

    /**
     * The bucket tokens covering a range, per live version: a row is a candidate when its range
     * tokens overlap one version's ({@code &&}). Exact without filtering when {@link #rangeExact()}.
     *
     * @param low the lower bound, or {@code null} for none
     * @param lowInclusive whether the lower bound is included ({@code >=}, {@code BETWEEN})
     * @param high the upper bound, or {@code null} for none
     * @param highInclusive whether the upper bound is included
     * @return per version the covering tokens; every list empty when no value can be in the range
     * @throws VeilException {@code VE008} when a bound does not convert to the column's type, or a key error
     */
    public List<VersionTokens> rangeQuery(Object low, boolean lowInclusive, Object high, boolean highInclusive)
            throws VeilException {
        require(SearchCapability.RANGE);
        OptionalLong lo = low == null ? OptionalLong.of(order.minKey()) : order.lowerKey(low, lowInclusive);
        OptionalLong hi = high == null ? OptionalLong.of(order.maxKey()) : order.upperKey(high, highInclusive);
        List<byte[]> inputs = new ArrayList<>();
        if (lo.isPresent() && hi.isPresent()) {
            // no stored value has a key outside the type's: a range open at an end of them may widen
            // to the top level's bucket there, which the fewest buckets cover
            long topMask = (1L << top) - 1;
            long from = Long.compareUnsigned(lo.getAsLong(), order.minKey()) <= 0 ? order.minKey() & ~topMask : lo.getAsLong();
            long to = Long.compareUnsigned(hi.getAsLong(), order.maxKey()) >= 0 ? order.maxKey() | topMask : hi.getAsLong();
            if (Long.compareUnsigned(from, to) <= 0) {
                for (RangeCover.Bucket b : RangeCover.cover(from, to, spec.range(), top)) {
                    inputs.add(bucket(b));
                }
            }
        }
        return perVersion(SearchCapability.RANGE, inputs);
    }

    /** Whether range tokens answer range predicates exactly: single-key leaf buckets and full-length tokens. */
    public boolean rangeExact() {
        require(SearchCapability.RANGE);
        return spec.range().leaf() == 0 && spec.exactTokens(SearchCapability.RANGE);
    }

    /** Whether {@code ci} tokens answer case-insensitive equality exactly (full-length tokens). */
    public boolean ciExact() {
        require(SearchCapability.CI);
        return spec.exactTokens(SearchCapability.CI);
    }

    private List<VersionTokens> perVersion(SearchCapability c, List<byte[]> inputs) throws VeilException {
        for (int attempt = 0; ; attempt++) {
            DataKey[] versions = keys.lookupKeys(column.keyRing());
            List<VersionTokens> out = new ArrayList<>(versions.length);
            boolean complete = true;
            for (DataKey v : versions) {
                DerivedKeys k = derived(v.id());
                byte[][] t = macAll(k.keys.get(c), inputs, spec.bits(c));
                if (k.wiped) {
                    complete = false;
                    break;
                }
                out.add(new VersionTokens(v.id(), Arrays.asList(t)));
            }
            if (complete) {
                return out;
            }
            retry(attempt, -1);
        }
    }

    // ---- keys and MACs ----

    private DerivedKeys derived(int keyId) throws VeilException {
        DerivedKeys k = derived.get(keyId);
        if (k != null && !k.source.isDestroyed()) {
            return k;
        }
        DataKey source = keys.key(keyId);
        DerivedKeys fresh = new DerivedKeys(source);
        try {
            for (SearchCapability c : spec.capabilities()) {
                fresh.keys.put(c, source.searchKey(info(column, c)));
            }
        } catch (GeneralSecurityException | IllegalStateException e) {
            fresh.wipe();
            throw new VeilException(VeilState.KEY_UNWRAP_FAILED, "cannot derive the search keys of " + column.column()
                    + " from data key " + keyId + ": " + e.getClass().getSimpleName());
        }
        synchronized (derived) {
            DerivedKeys current = derived.get(keyId);
            if (current != null && !current.source.isDestroyed()) {
                fresh.wipe();
                return current;
            }
            derived.put(keyId, fresh);
            if (current != null) {
                current.wipe(); // a thread still using it sees wiped and retries
            }
            return fresh;
        }
    }

    /** Wipes every derived search key (the engine is closing). */
    public void wipe() {
        synchronized (derived) {
            derived.values().forEach(DerivedKeys::wipe);
            derived.clear();
        }
    }

    private void retry(int attempt, int keyId) throws VeilException {
        if (attempt >= MAX_ATTEMPTS) {
            throw new VeilException(VeilState.KEY_STORE_FAILURE, "data key " + (keyId < 0 ? "" : keyId + " ")
                    + "was evicted repeatedly while in use; raise keys.cache-size");
        }
    }

    private List<byte[]> grams(String s) {
        int n = spec.substring().ngram();
        Set<String> seen = new LinkedHashSet<>();
        int[] cps = s.codePoints().toArray();
        for (int i = 0; i + n <= cps.length; i++) {
            seen.add(new String(cps, i, n));
        }
        List<byte[]> out = new ArrayList<>(seen.size());
        seen.forEach(g -> out.add(utf8(g)));
        return out;
    }

    private static byte[] bucket(RangeCover.Bucket b) {
        return ByteBuffer.allocate(9).put((byte) b.level()).putLong(b.prefix()).array();
    }

    private static byte[][] macAll(byte[] key, List<byte[]> inputs, int bits) {
        Mac mac = MAC.get();
        byte[][] out = new byte[inputs.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = mac(mac, key, inputs.get(i), bits, i == 0);
        }
        return out;
    }

    private static byte[] mac(Mac mac, byte[] key, byte[] input, int bits, boolean init) {
        try {
            if (init) {
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            }
            byte[] full = mac.doFinal(input);
            return Arrays.copyOf(full, bits / 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused a 32-byte key", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void require(SearchCapability c) {
        if (!spec.has(c)) {
            throw new IllegalArgumentException(column.column() + " has no " + c.policyName() + " capability");
        }
    }

    @Override
    public String toString() {
        return "SearchTokens[" + column.column() + " " + spec.capabilities() + "]";
    }
}
