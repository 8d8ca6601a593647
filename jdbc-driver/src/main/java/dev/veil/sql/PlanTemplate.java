package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan for every SQL text that differs from another only in its literal values: the analysis
 * of one text, from which the plan of any text with the same placeholder form is made without
 * parsing. Immutable.
 */
final class PlanTemplate {
    // comparator classes and loops rather than lambdas: a fresh JVM's first statements plan through
    // here, and each lambda spins a class at its first use
    private static final Comparator<StatementPlan.Expansion> EXPANSION_ORDER = new Comparator<>() {
        @Override
        public int compare(StatementPlan.Expansion a, StatementPlan.Expansion b) {
            return Integer.compare(a.start(), b.start());
        }
    };
    private static final Comparator<SearchPredicate> SEARCH_ORDER = new Comparator<>() {
        @Override
        public int compare(SearchPredicate a, SearchPredicate b) {
            return Integer.compare(a.start(), b.start());
        }
    };
    private static final Comparator<LiteralTarget> LITERAL_ORDER = new Comparator<>() {
        @Override
        public int compare(LiteralTarget a, LiteralTarget b) {
            return Integer.compare(a.start(), b.start());
        }
    };

    private final boolean touchesEncrypted;
    private final Map<Integer, ParameterTarget> parameters;
    private final Map<Integer, Origin.Literal> literals;
    private final Map<Integer, ColumnPolicy> literalColumns;
    private final List<List<ColumnPolicy>> resultSets;
    private final Map<Integer, String> readLiterals;
    private final Map<Integer, LookupForm> literalLookups;
    private final List<ColumnPolicy> versionSensitive;
    private final boolean upsert;
    private final boolean update;
    private final dev.veil.policy.TablePolicy searchWrite;
    private final ViewColumns searchWriteView;
    /** Search predicates with offsets in the placeholder form and literal operands as placeholders. */
    private final List<SearchPredicate> searches;
    /** ORDER BY keys Veil sorts by (an encrypted column is among them), else empty. */
    private final List<SortKey> sort;
    /** Columns appended to the result to filter by (see {@link Bindings#hidden()}): count, offset in the placeholder form, text. */
    private final int hidden;
    private final int hiddenAt;
    private final String hiddenSql;

    PlanTemplate(Bindings bindings) {
        this.hidden = bindings.hidden();
        this.hiddenAt = bindings.hiddenAt();
        this.hiddenSql = bindings.hiddenSql();
        this.sort = bindings.sort();
        this.searchWrite = bindings.searchWrite();
        this.searchWriteView = bindings.searchWriteView();
        this.searches = List.copyOf(bindings.searches());
        this.touchesEncrypted = bindings.touchesEncrypted();
        Map<Integer, ParameterTarget> targets = new HashMap<>();
        for (Map.Entry<Integer, ParameterTarget> e : bindings.parameters().entrySet()) {
            LookupForm form = bindings.parameterLookup(e.getKey());
            targets.put(e.getKey(), form.isLookup() ? e.getValue().as(form) : e.getValue());
        }
        this.parameters = Map.copyOf(targets);
        Map<Integer, LookupForm> forms = new HashMap<>();
        for (Integer o : bindings.literals().keySet()) {
            forms.put(o, bindings.literalLookup(o));
        }
        this.literalLookups = Map.copyOf(forms);
        this.versionSensitive = bindings.versionSensitive();
        this.upsert = bindings.isUpsert();
        this.update = bindings.isUpdate();
        this.literals = Map.copyOf(bindings.literals());
        Map<Integer, ColumnPolicy> columns = new HashMap<>();
        for (Integer o : bindings.literals().keySet()) {
            columns.put(o, bindings.literalColumn(o));
        }
        this.literalColumns = Map.copyOf(columns);
        List<List<ColumnPolicy>> sets = new ArrayList<>();
        // result lists may hold nulls, so List.copyOf cannot be used on them
        for (List<ColumnPolicy> r : bindings.resultSets()) {
            sets.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        this.resultSets = List.copyOf(sets);
        this.readLiterals = Map.copyOf(bindings.readLiterals());
    }

    /** A template for statements that involve no encrypted column. */
    static PlanTemplate passThrough() {
        return new PlanTemplate(new Bindings());
    }

    /** Whether a text with this placeholder form has the literal values the analysis depended on. */
    boolean fits(ScannedSql sql) {
        for (Map.Entry<Integer, String> e : readLiterals.entrySet()) {
            if (!sql.literals().get(e.getKey()).value().equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The plan for one text of this form.
     *
     * @throws Rejection when a literal to encrypt is written in a form that cannot be rewritten
     */
    StatementPlan instantiate(ScannedSql sql) {
        if (!touchesEncrypted) {
            return StatementPlan.passThrough(sql.original());
        }
        Map<Integer, ParameterTarget> targets = parameters;
        List<StatementPlan.Expansion> expansions = new ArrayList<>();
        for (ParameterTarget t : parameters.values()) {
            if (t.slots() > 1) {
                targets = expand(sql, expansions);
                break;
            }
        }
        if (searchWrite != null) {
            targets = companions(sql, targets, expansions);
        }
        List<SearchPredicate> found = new ArrayList<>(searches.size());
        for (SearchPredicate template : searches) {
            SearchPredicate p = SearchAnalyzer.instantiate(template, sql);
            found.add(p);
            if (!p.literalOnly()) {
                expansions.add(new StatementPlan.Expansion(p.start(), p.end(), SearchSql.withMarkers(p)));
            }
        }
        StatementPlan.Expansion hiddenColumns = null;
        if (hidden > 0) {
            int at = SearchAnalyzer.original(hiddenAt, sql);
            hiddenColumns = new StatementPlan.Expansion(at, at, hiddenSql);
            expansions.add(hiddenColumns);
        }
        found.sort(SEARCH_ORDER);
        expansions.sort(EXPANSION_ORDER);
        return new StatementPlan(sql.original(), true, targets, literalTargets(sql), resultSets, expansions,
                sql.parameterMarkers(), versionSensitive, upsert, update, found, sort, hidden, hiddenColumns);
    }

    /**
     * Adds the companion columns of searchable columns the statement writes: a parameter written to
     * one stands for itself and one parameter per companion ({@link ParameterTarget#slots()}).
     */
    private Map<Integer, ParameterTarget> companions(ScannedSql sql, Map<Integer, ParameterTarget> targets,
                                                     List<StatementPlan.Expansion> expansions) {
        SearchWrites.Edits edits = SearchWrites.of(sql.original(), sql.markerOffsets(), searchWrite, searchWriteView);
        if (edits.expansions().isEmpty()) {
            return targets;
        }
        Map<Integer, ParameterTarget> out = new HashMap<>(targets);
        for (Map.Entry<Integer, SearchWrites.CompanionWrite> e : edits.parameters().entrySet()) {
            int index = e.getKey();
            SearchWrites.CompanionWrite w = e.getValue();
            ParameterTarget t = out.get(index);
            if (t == null || t.lookup() != LookupForm.NONE || t.array() || t.column() != w.column()) {
                throw Rejection.unsupported(w.column(), "parameter " + index + " is written to searchable column " + w.column().column()
                        + " and also used otherwise in this statement; use a parameter of its own");
            }
            out.put(index, new ParameterTarget(t.column(), false, LookupForm.NONE, 1 + w.slots()));
        }
        expansions.addAll(edits.expansions());
        expansions.sort(EXPANSION_ORDER);
        return out;
    }

    /**
     * Where the text must change so that each slotted lookup parameter stands for
     * {@link StatementPlan#LOOKUP_SLOTS} parameters; a parameter whose operator is not written
     * right before it (a comment between them, say) is demoted to {@link LookupForm#FIXED}.
     */
    private Map<Integer, ParameterTarget> expand(ScannedSql sql, List<StatementPlan.Expansion> out) {
        Map<Integer, ParameterTarget> targets = new HashMap<>(parameters);
        String text = sql.original();
        String slots = String.join(", ", java.util.Collections.nCopies(StatementPlan.LOOKUP_SLOTS, "?"));
        for (Map.Entry<Integer, ParameterTarget> e : parameters.entrySet()) {
            ParameterTarget t = e.getValue();
            if (t.slots() <= 1) {
                continue;
            }
            int at = sql.markerOffsets()[e.getKey() - 1];
            if (t.lookup() == LookupForm.LIST_ITEM) {
                out.add(new StatementPlan.Expansion(at, at + 1, slots));
                continue;
            }
            if (t.lookup() == LookupForm.NOT_DISTINCT || t.lookup() == LookupForm.DISTINCT) {
                boolean not = t.lookup() == LookupForm.NOT_DISTINCT;
                int column = columnBeforeDistinct(text, at, not);
                if (column < 0) {
                    targets.put(e.getKey(), t.as(LookupForm.FIXED));
                    continue;
                }
                String col = text.substring(column, keywordsStart(text, at, not)).strip();
                String one = col + (not ? " IS NOT DISTINCT FROM ?" : " IS DISTINCT FROM ?");
                out.add(new StatementPlan.Expansion(column, at + 1, "(" + String.join(not ? " OR " : " AND ",
                        java.util.Collections.nCopies(StatementPlan.LOOKUP_SLOTS, one)) + ")"));
                continue;
            }
            int op = operatorBefore(text, at, t.lookup());
            if (op < 0) {
                targets.put(e.getKey(), t.as(LookupForm.FIXED));
                continue;
            }
            String space = op > 0 && Character.isWhitespace(text.charAt(op - 1)) ? "" : " ";
            out.add(new StatementPlan.Expansion(op, at + 1, space + (t.lookup() == LookupForm.EQUALS ? "IN (" : "NOT IN (") + slots + ")"));
        }
        out.sort(EXPANSION_ORDER);
        return targets;
    }

    /**
     * The offset of the {@code =} ({@link LookupForm#EQUALS}) or {@code <>}/{@code !=}
     * ({@link LookupForm#NOT_EQUALS}) written right before offset {@code at}, whitespace apart; -1
     * when there is none.
     */
    static int operatorBefore(String sql, int at, LookupForm form) {
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(sql.charAt(i))) {
            i--;
        }
        if (i < 0) {
            return -1;
        }
        char c = sql.charAt(i);
        char before = i > 0 ? sql.charAt(i - 1) : ' ';
        if (form == LookupForm.EQUALS) {
            return c == '=' && "<>!:=".indexOf(before) < 0 ? i : -1;
        }
        if (form == LookupForm.NOT_EQUALS && (c == '>' && before == '<' || c == '=' && before == '!')) {
            return i >= 2 && "<>!=".indexOf(sql.charAt(i - 2)) >= 0 ? -1 : i - 1;
        }
        return -1;
    }

    /** The words of {@code IS [NOT] DISTINCT FROM}, last first, as {@link #keywordsStart} reads them backwards. */
    private static final String[] NOT_DISTINCT_WORDS = {"FROM", "DISTINCT", "NOT", "IS"};
    private static final String[] DISTINCT_WORDS = {"FROM", "DISTINCT", "IS"};

    /**
     * The offset of {@code IS} in {@code IS [NOT] DISTINCT FROM} written right before offset
     * {@code at}, words separated by whitespace only; -1 when the text is not exactly that.
     */
    static int keywordsStart(String sql, int at, boolean not) {
        int i = at;
        for (String word : not ? NOT_DISTINCT_WORDS : DISTINCT_WORDS) {
            int end = i;
            while (end > 0 && Character.isWhitespace(sql.charAt(end - 1))) {
                end--;
            }
            if (end == i && i != at) {
                return -1; // words must be separated
            }
            int start = end - word.length();
            if (start < 1 || !sql.regionMatches(true, start, word, 0, word.length()) || !Character.isWhitespace(sql.charAt(start - 1))) {
                return -1;
            }
            i = start;
        }
        return i;
    }

    /**
     * The offset of the column reference ({@code name}, {@code t.name}, {@code "Name"}) written
     * right before {@code IS [NOT] DISTINCT FROM ?}, the marker at {@code at}; -1 for anything
     * else (then the lookup is not widened).
     */
    static int columnBeforeDistinct(String sql, int at, boolean not) {
        int i = keywordsStart(sql, at, not);
        if (i < 0) {
            return -1;
        }
        while (i > 0 && Character.isWhitespace(sql.charAt(i - 1))) {
            i--;
        }
        int start = -1;
        while (true) {
            if (i > 0 && sql.charAt(i - 1) == '"') {
                int open = sql.lastIndexOf('"', i - 2);
                if (open < 0 || open > 0 && sql.charAt(open - 1) == '"') {
                    return -1;
                }
                start = open;
            } else {
                int j = i;
                while (j > 0 && (Character.isLetterOrDigit(sql.charAt(j - 1)) || sql.charAt(j - 1) == '_')) {
                    j--;
                }
                if (j == i || Character.isDigit(sql.charAt(j))) {
                    return -1;
                }
                start = j;
            }
            if (start > 0 && sql.charAt(start - 1) == '.') {
                i = start - 1;
                continue;
            }
            break;
        }
        char before = start > 0 ? sql.charAt(start - 1) : ' ';
        return Character.isWhitespace(before) || before == '(' || before == ',' ? start : -1;
    }

    private List<LiteralTarget> literalTargets(ScannedSql sql) {
        List<LiteralTarget> out = new ArrayList<>(literals.size());
        for (Map.Entry<Integer, Origin.Literal> e : literals.entrySet()) {
            SqlLiteral literal = sql.literals().get(e.getKey());
            ColumnPolicy column = literalColumns.get(e.getKey());
            if (!literal.prefix().isEmpty() && !literal.prefix().equals("N")) {
                throw Rejection.unsupported(column, "only plain quoted strings and numbers can be encrypted as literals");
            }
            int start = literal.start();
            String value = literal.value();
            LookupForm form = literalLookups.getOrDefault(e.getKey(), LookupForm.NONE);
            if (form == LookupForm.NOT_DISTINCT || form == LookupForm.DISTINCT) {
                form = LookupForm.FIXED; // widened for parameters only
            }
            int from = start;
            if (form == LookupForm.EQUALS || form == LookupForm.NOT_EQUALS) {
                from = operatorBefore(sql.original(), start, form);
                if (from < 0) {
                    form = LookupForm.FIXED;
                    from = start;
                }
            }
            if (e.getValue().negative()) {
                start = signBefore(sql.original(), start);
                if (start < 0) {
                    throw Rejection.unsupported(column, "a signed literal in this form cannot be encrypted");
                }
                value = "-" + value;
            }
            out.add(new LiteralTarget(start, literal.end(), column, value, form, form.isLookup() && from != literal.start() ? from : start));
        }
        out.sort(LITERAL_ORDER);
        return out;
    }

    /** The offset of the minus sign written just before a number, or -1. */
    private static int signBefore(String sql, int start) {
        int i = start - 1;
        while (i >= 0 && Character.isWhitespace(sql.charAt(i))) {
            i--;
        }
        return i >= 0 && sql.charAt(i) == '-' ? i : -1;
    }
}
