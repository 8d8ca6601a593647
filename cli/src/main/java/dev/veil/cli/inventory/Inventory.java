package dev.veil.cli.inventory;

import dev.veil.keys.KeyRecord;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.search.SearchCapability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a policy and its key table say about the data Veil protects: which columns, with which
 * algorithms, under which rings, data keys and master keys. Built without the master key (only
 * ids, states and dates are read from the key table, never key material), so an auditor's
 * read-only account is enough.
 *
 * @param policy the policy
 * @param columns every encrypted column with its algorithm and search capabilities
 * @param algorithms the algorithms in use, in a stable order
 * @param rings every ring the policy names or the key table holds, by name
 * @param masterKeys every master key that wraps a data key or that a ring names, by id
 * @param keysRead whether the key table was read (without a database, only the policy is described)
 */
public record Inventory(Policy policy, List<Column> columns, List<CryptoAlgorithm> algorithms, List<Ring> rings,
                        List<MasterKey> masterKeys, boolean keysRead) {

    /** An encrypted column. */
    record Column(ColumnPolicy policy, CryptoAlgorithm algorithm, List<String> search) {
        String name() {
            return policy.column().toString();
        }

        String ref() {
            return "column:" + name();
        }
    }

    /**
     * A key ring and its data keys.
     *
     * @param rotateAfter how long each version is used for new values ({@code null}: never rotated by age)
     * @param masterKeyId the master key the policy names for its new keys, or {@code null} for the provider's
     * @param algorithms what its keys encrypt with (the algorithms of its columns)
     */
    record Ring(String name, Duration rotateAfter, String masterKeyId, Set<CryptoAlgorithm> algorithms, List<KeyRecord> keys) {
        String ref() {
            return "ring:" + name;
        }

        static String keyRef(KeyRecord k) {
            return "data-key:" + k.keyId();
        }
    }

    /** A master key, by the id stored beside the data keys it wraps ({@code provider:name}). */
    record MasterKey(String id, String provider, CryptoAlgorithm wrap) {
        String ref() {
            return "master-key:" + id;
        }
    }

    /**
     * Builds the inventory.
     *
     * @param keys the key table's rows ({@code null} when it was not read)
     */
    public static Inventory of(Policy policy, List<KeyRecord> keys) {
        Set<CryptoAlgorithm> algorithms = new LinkedHashSet<>();
        List<Column> columns = new ArrayList<>();
        Map<String, Set<CryptoAlgorithm>> ringAlgorithms = new TreeMap<>();
        for (ColumnPolicy c : policy.columns()) {
            CryptoAlgorithm a = c.isDeterministic() ? CryptoAlgorithm.AES_256_GCM_SIV : CryptoAlgorithm.AES_256_GCM;
            List<String> search = search(c);
            algorithms.add(a);
            if (search.stream().anyMatch(s -> !s.equals("equality"))) {
                algorithms.add(CryptoAlgorithm.HMAC_SHA256);
            }
            columns.add(new Column(c, a, search));
            ringAlgorithms.computeIfAbsent(c.keyRing(), r -> new LinkedHashSet<>()).add(a);
        }
        List<KeyRecord> all = keys == null ? List.of() : keys;
        all.forEach(k -> ringAlgorithms.computeIfAbsent(k.ring(), r -> new LinkedHashSet<>()));
        List<Ring> rings = new ArrayList<>();
        Set<String> masterIds = new TreeSet<>();
        for (Map.Entry<String, Set<CryptoAlgorithm>> e : ringAlgorithms.entrySet()) {
            String ring = e.getKey();
            List<KeyRecord> ringKeys = all.stream().filter(k -> k.ring().equals(ring)).toList();
            String master = policy.keys().masterKeyId(ring);
            if (master != null) {
                masterIds.add(master);
            }
            ringKeys.stream().filter(k -> k.wrapped() != null).forEach(k -> masterIds.add(k.masterKeyId()));
            rings.add(new Ring(ring, policy.keys().rotateAfter(ring), master, e.getValue(), ringKeys));
        }
        List<MasterKey> masters = new ArrayList<>();
        for (String id : masterIds) {
            int colon = id.indexOf(':');
            String provider = colon > 0 ? id.substring(0, colon) : policy.keys().master().provider();
            CryptoAlgorithm wrap = wrapAlgorithm(provider);
            if (wrap != null) {
                algorithms.add(wrap);
            }
            masters.add(new MasterKey(id, provider, wrap));
        }
        return new Inventory(policy, columns, List.copyOf(algorithms), rings, masters, keys != null);
    }

    /**
     * The lookups a column serves on ciphertext: {@code equality} for deterministic columns, and
     * the capabilities of its {@code search:} section (served by HMAC-SHA256 tokens in companion
     * columns), by their policy names.
     */
    static List<String> search(ColumnPolicy c) {
        List<String> out = new ArrayList<>();
        if (c.isDeterministic()) {
            out.add("equality");
        }
        for (SearchCapability capability : SearchCapability.values()) {
            if (c.searchable(capability)) {
                out.add(capability.policyName());
            }
        }
        return out;
    }

    /** How a provider wraps data keys (see its class); {@code null} for providers Veil does not ship. */
    static CryptoAlgorithm wrapAlgorithm(String provider) {
        return switch (provider) {
            case "pkcs12", "env" -> CryptoAlgorithm.AES_256_KWP;
            case "pkcs11" -> CryptoAlgorithm.AES_256_GCM_WRAP;
            default -> null;
        };
    }
}
