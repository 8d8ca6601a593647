package dev.veil.sql;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Stored procedures and functions that already exist in a database and can reach a protected
 * relation: a {@code CALL} of one, or a statement calling one as a function, runs code Veil cannot
 * see, so {@link OpaqueCode} decides on it as on a routine definition run through Veil.
 *
 * <p>A routine reaches a protected relation when its body names one as a word (strings and
 * comments included: errs on "yes"), when it calls a routine that does, or when it runs dynamic
 * SQL ({@code PREPARE}/{@code EXECUTE}) or its body cannot be read, which can reach any table.
 * Routines are known by name alone, whatever their schema: a name shared by a harmless routine and
 * one that reaches a protected relation is refused in both.
 */
public final class StoredRoutines {
    private static final FastPathFilter DYNAMIC = new FastPathFilter(List.of("prepare", "execute"));

    /**
     * One routine as the catalog shows it.
     *
     * @param schema its schema (database)
     * @param name its name as stored
     * @param body its body, or {@code null} when the catalog does not show it to this user
     */
    public record Routine(String schema, String name, String body) {
        @Override
        public String toString() {
            return "Routine[" + schema + "." + name + "]"; // a body may hold literals: never printed
        }
    }

    /**
     * What a call of a routine can reach.
     *
     * @param text the bodies of the routine and of every routine it calls that reaches a protected
     *        relation, joined: {@link OpaqueCode} reads the relation names in it
     * @param anyTable whether it runs dynamic SQL or has a body Veil cannot read
     */
    public record Reach(String text, boolean anyTable) {
        @Override
        public String toString() {
            return anyTable ? "Reach[any table]" : "Reach[named tables]";
        }
    }

    private StoredRoutines() {
    }

    /**
     * The routines of a catalog that reach a protected relation, by lower-case name.
     *
     * @param protectedNames the lower-case names of every protected relation and policy table
     * @param routines every routine of the user's databases
     */
    public static Map<String, Reach> reaching(Set<String> protectedNames, Collection<Routine> routines) {
        if (protectedNames.isEmpty() || routines.isEmpty()) {
            return Map.of();
        }
        FastPathFilter relations = new FastPathFilter(protectedNames);
        Map<String, Reach> reach = new LinkedHashMap<>();
        for (Routine r : routines) {
            String key = r.name().toLowerCase(Locale.ROOT);
            if (r.body() == null || DYNAMIC.mayMention(r.body())) {
                reach.put(key, merge(reach.get(key), new Reach(r.body() == null ? "" : r.body(), true)));
            } else if (relations.mayMention(r.body())) {
                reach.put(key, merge(reach.get(key), new Reach(r.body(), false)));
            }
        }
        // routines that call routines that reach, to any depth
        boolean grew = !reach.isEmpty();
        while (grew) {
            grew = false;
            FastPathFilter calls = new FastPathFilter(Set.copyOf(reach.keySet()));
            Map<String, Reach> next = new HashMap<>(reach);
            for (Routine r : routines) {
                if (r.body() == null) {
                    continue; // already reaches any table
                }
                String key = r.name().toLowerCase(Locale.ROOT);
                for (String callee : calls.mentioned(r.body())) {
                    if (callee.equals(key)) {
                        continue;
                    }
                    Reach before = next.get(key);
                    Reach after = merge(merge(before, new Reach(r.body(), false)), reach.get(callee));
                    if (!after.equals(before)) {
                        next.put(key, after);
                    }
                }
            }
            Set<String> changed = new HashSet<>();
            for (Map.Entry<String, Reach> e : next.entrySet()) {
                Reach old = reach.get(e.getKey());
                if (old == null || old.anyTable() != e.getValue().anyTable()
                        || !covers(old.text(), e.getValue().text(), relations)) {
                    changed.add(e.getKey());
                }
            }
            reach = new LinkedHashMap<>(next);
            grew = !changed.isEmpty();
        }
        return Map.copyOf(reach);
    }

    /** Whether {@code a} names every protected relation {@code b} names (so merging {@code b} in changes nothing). */
    private static boolean covers(String a, String b, FastPathFilter relations) {
        return relations.mentioned(a).containsAll(relations.mentioned(b));
    }

    private static Reach merge(Reach a, Reach b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        String text = a.text().contains(b.text()) ? a.text() : b.text().contains(a.text()) ? b.text() : a.text() + "\n" + b.text();
        return new Reach(text, a.anyTable() || b.anyTable());
    }
}
