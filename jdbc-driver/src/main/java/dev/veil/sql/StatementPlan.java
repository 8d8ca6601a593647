package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What Veil must do with one SQL text: which parameters to encrypt, which literals to rewrite, and
 * which result columns to decrypt. Immutable; cached per SQL text and shared by every connection.
 *
 * <p><b>Lookups across key versions.</b> A deterministic column's values are written under its
 * ring's write key, and a ring may hold values under several data-key versions during a rotation.
 * So a parameter compared with such a column ({@code col = ?}, {@code col <> ?}, an item of
 * {@code IN (...)}) is sent as {@link #LOOKUP_SLOTS} parameters ({@code col IN (?, ?, ?, ?)}),
 * bound to the value encrypted under each live version and padded with copies; the
 * application's parameter numbers are mapped to the SQL sent by {@link #serverIndex}.
 */
public final class StatementPlan {
    /** How many parameters a lookup parameter becomes: the most data-key versions a lookup can match. */
    public static final int LOOKUP_SLOTS = 4;

    /** Text from {@code start} to {@code end} of the original is sent as {@code replacement}. */
    public record Expansion(int start, int end, String replacement) {
    }

    /** What a plan knows about lookups on deterministic columns (see the class comment). */
    private record Versions(List<Expansion> expansions, int[] serverIndex, List<ColumnPolicy> versionSensitive, boolean upsert,
                            boolean update, boolean lookupLiterals, List<SearchPredicate> searches, List<SortKey> sort,
                            int hidden, Expansion hiddenColumns) {
        static final Versions NONE = new Versions(List.of(), null, List.of(), false, false, false, List.of(), List.of(), 0, null);
    }

    private final String sql;
    private final boolean touchesEncrypted;
    private final Map<Integer, ParameterTarget> parameters;
    private final List<LiteralTarget> literals;
    private final List<List<ColumnPolicy>> resultSets;
    /** {@link #parameters} by index, made once per plan: every setter of every statement asks. */
    private final ParameterTarget[] byIndex;
    private final SessionEffect effect;
    private final int context;
    private final Versions versions;
    /** Deterministic columns this statement writes a value into, each once (parameters and literals). */
    private final List<ColumnPolicy> deterministicWrites;
    /** {@link SqlSyntax#keepsRules} of the text, found on first use (racy but idempotent): 0 not yet, 1 yes, 2 no. */
    private byte keepsRules;
    /** {@code searchOperands[i]}: whether application parameter {@code i} is a search operand (asked by every setter). */
    private final boolean[] searchOperands;
    /** Whether a search predicate has only literal operands (its condition is written into the text per statement). */
    private final boolean literalSearches;
    /** The text with {@link #expansions()} applied, made on first use (racy but idempotent: every thread makes an equal string). */
    private String expandedSql;

    /**
     * The plan for {@code sql}.
     *
     * @param sql the SQL text the plan was made for
     * @param touchesEncrypted {@code false} when the statement involves no encrypted column; the JDBC
     *        layer then passes everything through untouched
     * @param parameters 1-based JDBC parameter index to the column its value goes to; parameters
     *        absent from the map are not encrypted
     * @param literals literals to replace by ciphertext literals, by ascending {@code start}
     * @param resultSets for each result the statement (or script) produces, in order, the encrypted
     *        column behind each result column: element {@code i} describes result column {@code i + 1},
     *        {@code null} for a plain column. An empty list for statements without results.
     */
    public StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                         List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets) {
        this(sql, touchesEncrypted, parameters, literals, resultSets, SessionEffect.NONE, 0, Versions.NONE);
    }

    /**
     * A plan with lookups on deterministic columns.
     *
     * @param expansions where the text changes for slotted lookup parameters, by ascending start
     * @param markers how many parameters the application binds
     * @param versionSensitive deterministic columns whose values meet each other (joins, GROUP BY,
     *        DISTINCT): refused while their ring has more than one live version
     * @param upsert whether the statement is an upsert
     * @param update whether the statement is an UPDATE
     */
    public StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                         List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets, List<Expansion> expansions,
                         int markers, List<ColumnPolicy> versionSensitive, boolean upsert, boolean update) {
        this(sql, touchesEncrypted, parameters, literals, resultSets, expansions, markers, versionSensitive, upsert, update, List.of());
    }

    /**
     * A plan with lookups on deterministic columns and predicates on searchable columns.
     *
     * @param searches the search predicates, by ascending start; those with a parameter are sent as
     *        {@link SearchSql#withMarkers} (an entry of {@code expansions}), the others are written
     *        with their tokens when the text is sent
     */
    public StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                         List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets, List<Expansion> expansions,
                         int markers, List<ColumnPolicy> versionSensitive, boolean upsert, boolean update,
                         List<SearchPredicate> searches) {
        this(sql, touchesEncrypted, parameters, literals, resultSets, expansions, markers, versionSensitive, upsert, update, searches,
                List.of());
    }

    /**
     * As above, for a query Veil sorts itself after it ran.
     *
     * @param sort the ORDER BY keys when one of them is an encrypted column (see {@link SortKey}), else empty
     */
    public StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                         List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets, List<Expansion> expansions,
                         int markers, List<ColumnPolicy> versionSensitive, boolean upsert, boolean update,
                         List<SearchPredicate> searches, List<SortKey> sort) {
        this(sql, touchesEncrypted, parameters, literals, resultSets, expansions, markers, versionSensitive, upsert, update, searches,
                sort, 0, null);
    }

    /**
     * As above, for a query whose result Veil filters by columns the application did not select.
     *
     * @param hidden how many columns at the end of the first result Veil appended to filter by (the
     *        application sees the result without them); their columns are in {@code resultSets}
     * @param hiddenColumns the entry of {@code expansions} that appends them, or {@code null}
     */
    public StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                         List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets, List<Expansion> expansions,
                         int markers, List<ColumnPolicy> versionSensitive, boolean upsert, boolean update,
                         List<SearchPredicate> searches, List<SortKey> sort, int hidden, Expansion hiddenColumns) {
        this(sql, touchesEncrypted, parameters, literals, resultSets, SessionEffect.NONE, 0,
                new Versions(List.copyOf(expansions), serverIndex(expansions, parameters, markers, searches), List.copyOf(versionSensitive),
                        upsert, update, anyLookup(literals), List.copyOf(searches), List.copyOf(sort),
                        hidden, hiddenColumns));
    }

    private static boolean anyLookup(List<LiteralTarget> literals) {
        for (LiteralTarget l : literals) {
            if (l.lookup().isLookup()) {
                return true;
            }
        }
        return false;
    }

    private static int[] serverIndex(List<Expansion> expansions, Map<Integer, ParameterTarget> parameters, int markers,
                                     List<SearchPredicate> searches) {
        if (expansions.isEmpty()) {
            return null;
        }
        // a search predicate's parameters are all inside its text: the first stands for its markers, the others for none
        Map<Integer, Integer> searchSlots = new java.util.HashMap<>();
        for (SearchPredicate p : searches) {
            boolean first = true;
            for (SearchPredicate.Operand o : p.operands()) {
                if (o.isParameter()) {
                    searchSlots.put(o.parameter(), first ? SearchSql.markers(p) : 0);
                    first = false;
                }
            }
        }
        int[] map = new int[Math.max(markers, parameters.isEmpty() ? 0 : Collections.max(parameters.keySet())) + 1];
        int next = 1;
        for (int i = 1; i < map.length; i++) {
            map[i] = next;
            ParameterTarget t = parameters.get(i);
            Integer s = searchSlots.get(i);
            next += s != null ? s : t == null ? 1 : t.slots();
        }
        map[0] = next - map.length; // the shift of numbers past the last parameter
        return map;
    }

    private StatementPlan(String sql, boolean touchesEncrypted, Map<Integer, ParameterTarget> parameters,
                          List<LiteralTarget> literals, List<List<ColumnPolicy>> resultSets, SessionEffect effect, int context,
                          Versions versions) {
        this.effect = effect;
        this.context = context;
        this.versions = versions;
        this.sql = sql;
        this.touchesEncrypted = touchesEncrypted;
        this.parameters = Map.copyOf(parameters);
        this.literals = List.copyOf(literals);
        this.resultSets = List.copyOf(resultSets);
        this.byIndex = new ParameterTarget[parameters.isEmpty() ? 0 : Collections.max(parameters.keySet()) + 1];
        for (Map.Entry<Integer, ParameterTarget> e : parameters.entrySet()) {
            byIndex[e.getKey()] = e.getValue();
        }
        this.deterministicWrites = deterministicWrites(byIndex, this.literals);
        int maxOperand = 0;
        for (SearchPredicate p : versions.searches) {
            for (SearchPredicate.Operand o : p.operands()) {
                maxOperand = Math.max(maxOperand, o.parameter());
            }
        }
        this.searchOperands = new boolean[maxOperand + 1];
        for (SearchPredicate p : versions.searches) {
            for (SearchPredicate.Operand o : p.operands()) {
                searchOperands[o.parameter()] = o.isParameter();
            }
        }
        boolean literalOnly = false;
        for (SearchPredicate p : versions.searches) {
            literalOnly |= p.literalOnly();
        }
        this.literalSearches = literalOnly;
    }

    private static List<ColumnPolicy> deterministicWrites(ParameterTarget[] parameters, List<LiteralTarget> literals) {
        List<ColumnPolicy> out = new java.util.ArrayList<>();
        for (ParameterTarget t : parameters) {
            if (t != null && !t.lookup().isLookup() && t.column().isDeterministic() && !out.contains(t.column())) {
                out.add(t.column());
            }
        }
        for (LiteralTarget l : literals) {
            if (!l.lookup().isLookup() && l.column().isDeterministic() && !out.contains(l.column())) {
                out.add(l.column());
            }
        }
        return List.copyOf(out);
    }

    /** A plan for SQL that involves no encrypted column. */
    public static StatementPlan passThrough(String sql) {
        return new StatementPlan(sql, false, Map.of(), List.of(), List.of());
    }

    /** This plan, saying what running it may do to name resolution on its connection. */
    public StatementPlan withEffect(SessionEffect e) {
        return with(e, context);
    }

    /**
     * This plan, saying what running it may do to name resolution and the resolution context
     * (see {@link NameResolver#context()}) its names were resolved in.
     */
    public StatementPlan with(SessionEffect e, int resolvedIn) {
        return e == effect && resolvedIn == context ? this
                : new StatementPlan(sql, touchesEncrypted, parameters, literals, resultSets, e, resolvedIn, versions);
    }

    /**
     * The resolution context the plan's table names were resolved in; 0 when it names no
     * protected relation or no catalog was read. A plan made in one context is wrong in another.
     */
    public int context() {
        return context;
    }

    /**
     * Whether running the text cannot change the connection's lexical rules (MariaDB/MySQL
     * {@code sql_mode} and character set, H2's mode); see {@link SqlSyntax#keepsRules(String)}.
     */
    public boolean keepsRules() {
        byte k = keepsRules;
        if (k == 0) {
            k = SqlSyntax.keepsRules(sql) ? (byte) 1 : (byte) 2;
            keepsRules = k;
        }
        return k == 1;
    }

    /** What running the statement may do to name resolution on its connection (the JDBC layer follows it). */
    public SessionEffect effect() {
        return effect;
    }

    public String sql() {
        return sql;
    }

    public boolean touchesEncrypted() {
        return touchesEncrypted;
    }

    public Map<Integer, ParameterTarget> parameters() {
        return parameters;
    }

    /** Where parameter {@code index} (1-based) goes when that is an encrypted column, else {@code null}. */
    public ParameterTarget parameter(int index) {
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    public List<LiteralTarget> literals() {
        return literals;
    }

    public List<List<ColumnPolicy>> resultSets() {
        return resultSets;
    }

    /** Where the text sent differs from {@link #sql()} for slotted lookup parameters (literals apart). */
    public List<Expansion> expansions() {
        return versions.expansions;
    }

    /**
     * The text with every {@link #expansions() expansion} applied, made once per plan: a statement
     * prepared on every call must not build (and the real driver hash) a new string each time.
     * Literals bound for encrypted columns are not replaced here.
     */
    public String expandedSql() {
        String s = expandedSql;
        if (s == null) {
            List<Expansion> expansions = versions.expansions;
            if (expansions.isEmpty()) {
                s = sql;
            } else {
                StringBuilder out = new StringBuilder(sql.length() + 16 * expansions.size());
                int pos = 0;
                for (Expansion x : expansions) {
                    out.append(sql, pos, x.start()).append(x.replacement());
                    pos = x.end();
                }
                s = out.append(sql, pos, sql.length()).toString();
            }
            expandedSql = s;
        }
        return s;
    }

    /**
     * The deterministic columns the statement writes values into (not those it compares), each
     * once: those whose unique indexes matter while their ring has several live key versions.
     */
    public List<ColumnPolicy> deterministicWrites() {
        return deterministicWrites;
    }

    /**
     * The number, in the SQL sent, of application parameter {@code index} (of its first slot for a
     * slotted lookup parameter). The identity for statements without slotted parameters.
     */
    public int serverIndex(int index) {
        int[] map = versions.serverIndex;
        if (map == null) {
            return index;
        }
        if (index >= 1 && index < map.length) {
            return map[index];
        }
        // out of range: let the driver report it against a number it also considers out of range
        return index < 1 ? index : index + map[0];
    }

    /**
     * How many parameters the application binds when the SQL sent has {@code sent} of them: the
     * same unless parameters were slotted or search predicates were written with their markers.
     */
    public int applicationParameters(int sent) {
        int[] map = versions.serverIndex;
        return map == null ? sent : sent - map[0];
    }

    /** Whether application parameter numbers differ from those of the SQL sent. */
    public boolean remapsParameters() {
        return versions.serverIndex != null;
    }

    /** Deterministic columns whose values meet each other here (joins, GROUP BY, DISTINCT). */
    public List<ColumnPolicy> versionSensitive() {
        return versions.versionSensitive;
    }

    /** Whether the statement is an upsert (ON CONFLICT, ON DUPLICATE KEY UPDATE). */
    public boolean upsert() {
        return versions.upsert;
    }

    /** Whether the statement is an UPDATE. */
    public boolean update() {
        return versions.update;
    }

    /** The predicates on searchable columns, by ascending start (see {@link SearchPredicate}). */
    public List<SearchPredicate> searches() {
        return versions.searches;
    }

    /**
     * The ORDER BY keys Veil sorts the first result by after the query ran (an encrypted column is
     * among them), or empty when the database's order stands.
     */
    public List<SortKey> sort() {
        return versions.sort;
    }

    /**
     * How many columns at the end of the first result Veil appended to the select list to filter
     * its rows by (searched columns the application did not select); 0 for most statements. The
     * application's result is the first {@code resultColumns(0).size() - hidden()} columns.
     */
    public int hidden() {
        return versions.hidden;
    }

    /**
     * This plan without the columns Veil would append to filter by (for a query whose result is
     * not read through Veil's result set, such as {@code COPY (…) TO}): its over-matching search
     * predicates are then refused rather than filtered.
     */
    public StatementPlan withoutHidden() {
        if (versions.hidden == 0) {
            return this;
        }
        List<Expansion> expansions = new java.util.ArrayList<>(versions.expansions);
        expansions.remove(versions.hiddenColumns);
        List<ColumnPolicy> first = resultSets.get(0);
        int visible = first.size() - versions.hidden;
        List<List<ColumnPolicy>> sets = new java.util.ArrayList<>(resultSets);
        sets.set(0, Collections.unmodifiableList(new java.util.ArrayList<>(first.subList(0, visible))));
        List<SearchPredicate> searches = new java.util.ArrayList<>();
        for (SearchPredicate p : versions.searches) {
            searches.add(p.resultColumn() > visible ? p.withResultColumn(0) : p);
        }
        Versions v = versions;
        return new StatementPlan(sql, touchesEncrypted, parameters, literals, sets, effect, context,
                new Versions(List.copyOf(expansions), v.serverIndex, v.versionSensitive, v.upsert, v.update, v.lookupLiterals,
                        List.copyOf(searches), v.sort, 0, null));
    }

    /** Whether application parameter {@code index} is an operand of a search predicate (bound when the statement runs). */
    public boolean searchOperand(int index) {
        return index > 0 && index < searchOperands.length && searchOperands[index];
    }

    /** Whether a search predicate has only literal operands, so its condition is written into the text sent. */
    public boolean hasLiteralSearches() {
        return literalSearches;
    }

    /** Whether a literal is compared with a deterministic column (so it is encrypted per live version). */
    public boolean hasLookupLiterals() {
        return versions.lookupLiterals;
    }

    /**
     * The encrypted columns behind the columns of the {@code index}-th result (0-based), or an
     * empty list when unknown or plain. Lists may contain {@code null} for plain columns.
     */
    public List<ColumnPolicy> resultColumns(int index) {
        return index < resultSets.size() ? resultSets.get(index) : List.of();
    }

    @Override
    public String toString() {
        // the SQL text may hold literal values: only its shape is shown
        return "StatementPlan[touchesEncrypted=" + touchesEncrypted + ", parameters=" + parameters.keySet()
                + ", literals=" + literals.size() + ", results=" + resultSets.size() + "]";
    }
}
