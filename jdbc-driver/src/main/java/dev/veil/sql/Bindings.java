package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the analysis of one SQL text found: parameters and literals to encrypt, and the encrypted
 * columns behind each result. Not thread-safe; one per analysis.
 */
final class Bindings {
    private final Map<Integer, ParameterTarget> parameters = new TreeMap<>();
    private final Map<Integer, Origin.Literal> literals = new TreeMap<>();
    private final Map<Integer, ColumnPolicy> literalColumns = new TreeMap<>();
    private final List<List<ColumnPolicy>> resultSets = new ArrayList<>();
    private final Map<Integer, String> readLiterals = new TreeMap<>();
    private final Map<Integer, LookupForm> parameterLookups = new TreeMap<>();
    private final Map<Integer, LookupForm> literalLookups = new TreeMap<>();
    private final Map<String, ColumnPolicy> versionSensitive = new TreeMap<>();
    private boolean upsert;
    private boolean update;
    private dev.veil.policy.TablePolicy searchWrite;
    private ViewColumns searchWriteView;
    private final List<SearchPredicate> searches = new ArrayList<>();
    /** Which of {@link #searches} are top-level AND terms of a query whose rows can be dropped after it ran. */
    private final List<Boolean> filterCandidates = new ArrayList<>();
    private int hidden;
    private int hiddenAt = -1;
    private final StringBuilder hiddenSql = new StringBuilder();

    /**
     * Marks a parameter or literal already bound to a column as compared with it, not written:
     * {@link LookupForm#FIXED} until {@link #expandable} names its shape.
     */
    void lookup(Origin value) {
        if (value instanceof Origin.Parameter p) {
            parameterLookups.putIfAbsent(p.index(), LookupForm.FIXED);
        } else if (value instanceof Origin.Literal l) {
            literalLookups.putIfAbsent(l.ordinal(), LookupForm.FIXED);
        } else if (value instanceof Origin.Several several) {
            for (Origin v : several.values()) {
                lookup(v);
            }
        }
    }

    /** Says in which form a lookup value stands directly in the text (see {@link LookupForm}). */
    void expandable(Origin value, LookupForm form) {
        if (value instanceof Origin.Parameter p && parameterLookups.get(p.index()) == LookupForm.FIXED) {
            parameterLookups.put(p.index(), form);
        } else if (value instanceof Origin.Literal l && !l.negative() && form != LookupForm.ARRAY
                && literalLookups.get(l.ordinal()) == LookupForm.FIXED) {
            literalLookups.put(l.ordinal(), form);
        }
    }

    /** The form of a bound parameter ({@link LookupForm#NONE} when it is written). */
    LookupForm parameterLookup(int index) {
        return parameterLookups.getOrDefault(index, LookupForm.NONE);
    }

    /** The form of a bound literal ({@link LookupForm#NONE} when it is written). */
    LookupForm literalLookup(int ordinal) {
        return literalLookups.getOrDefault(ordinal, LookupForm.NONE);
    }

    /**
     * Records that the statement's result depends on deterministic values of {@code column}
     * meeting each other (a join, a correlation, GROUP BY, DISTINCT): exact only while its ring
     * has one live version.
     */
    void versionSensitive(ColumnPolicy column) {
        versionSensitive.putIfAbsent(column.keyRing() + "|" + column.column(), column);
    }

    List<ColumnPolicy> versionSensitive() {
        return List.copyOf(versionSensitive.values());
    }

    private List<SortKey> sort = List.of();

    /** The top-level query sorts by an encrypted column: Veil sorts its rows by these keys. */
    void sort(List<SortKey> keys) {
        sort = List.copyOf(keys);
    }

    List<SortKey> sort() {
        return sort;
    }

    /** Records a search predicate (see {@link SearchAnalyzer}); {@code filterable}: a candidate for filtering. */
    void search(SearchPredicate p, boolean filterable) {
        searches.add(p);
        filterCandidates.add(filterable);
    }

    /**
     * The result of the statement's filterable query is known: each filterable predicate learns
     * the result column holding its column's value (of the same row, as the query reads one table).
     * A predicate whose column is not in the result gets it as a hidden column appended after the
     * application's columns ({@link #hidden()}) when {@code hiddenAt} is the offset (in the parsed
     * text) just past the select list; with {@code hiddenAt} -1 it stays unfilterable.
     *
     * @return the result's encrypted columns, hidden ones included
     */
    List<ColumnPolicy> filterableResult(List<ColumnPolicy> result, int hiddenAt) {
        List<ColumnPolicy> out = new ArrayList<>(result);
        for (int i = 0; i < searches.size(); i++) {
            if (filterCandidates.get(i)) {
                SearchPredicate p = searches.get(i);
                int at = result.indexOf(p.column());
                if (at < 0 && hiddenAt >= 0 && resultSets.isEmpty()) {
                    at = out.lastIndexOf(p.column());
                    if (at < result.size()) {
                        out.add(p.column());
                        at = out.size() - 1;
                        hiddenSql.append(", ").append(p.columnSql()).append(" AS veil_hidden_").append(out.size() - result.size());
                    }
                    this.hiddenAt = hiddenAt;
                }
                searches.set(i, p.withResultColumn(at + 1));
                filterCandidates.set(i, false);
            }
        }
        hidden += out.size() - result.size();
        return out;
    }

    /**
     * How many columns Veil appends to the result of the statement's query to filter its rows by
     * (searched columns the application did not select); the application never sees them.
     */
    int hidden() {
        // in a script of several statements Veil filters none of them, so it appends nothing
        return resultSets.size() == 1 ? hidden : 0;
    }

    /** Where the hidden columns are written (in the parsed text), or -1 when there are none. */
    int hiddenAt() {
        return hidden() == 0 ? -1 : hiddenAt;
    }

    /** The text appended at {@link #hiddenAt()}: {@code , col AS veil_hidden_1, …}. */
    String hiddenSql() {
        return hiddenSql.toString();
    }

    List<SearchPredicate> searches() {
        return searches;
    }

    /** The statement is an upsert (ON CONFLICT, ON DUPLICATE KEY UPDATE). */
    void upsert() {
        upsert = true;
    }

    boolean isUpsert() {
        return upsert;
    }

    /**
     * The statement writes rows of {@code table}, which has searchable columns: the plan of each
     * text adds their companion columns (see {@link SearchWrites}).
     */
    void searchWrite(dev.veil.policy.TablePolicy table, ViewColumns view) {
        if (searchWrite != null && searchWrite != table) {
            throw Rejection.unsupported("a statement that writes two tables with searchable columns (" + searchWrite.name() + ", "
                    + table.name() + ") cannot maintain their search indexes; write each table in its own statement");
        }
        searchWrite = table;
        searchWriteView = view;
    }

    dev.veil.policy.TablePolicy searchWrite() {
        return searchWrite;
    }

    /** When {@link #searchWrite()} is a view's columns, what the view maps them to; else {@code null}. */
    ViewColumns searchWriteView() {
        return searchWriteView;
    }

    /** The statement updates rows (UPDATE). */
    void update() {
        update = true;
    }

    boolean isUpdate() {
        return update;
    }

    /** Binds parameter {@code index} to {@code column}; a parameter cannot serve two contexts. */
    void parameter(int index, ColumnPolicy column, boolean array) {
        ParameterTarget previous = parameters.get(index);
        if (previous != null) {
            if (!previous.column().context().equals(column.context()) || previous.array() != array) {
                throw Rejection.unsupported(column, "parameter " + index + " is also used with "
                        + Rejection.name(previous.column()) + ", which is encrypted differently");
            }
            return;
        }
        parameters.put(index, new ParameterTarget(column, array));
    }

    /** Binds a literal to {@code column}; a literal cannot serve two contexts. */
    void literal(Origin.Literal literal, ColumnPolicy column) {
        ColumnPolicy previous = literalColumns.get(literal.ordinal());
        if (previous != null) {
            if (!previous.context().equals(column.context())) {
                throw Rejection.unsupported(column, "a literal is also used with " + Rejection.name(previous)
                        + ", which is encrypted differently");
            }
            return;
        }
        literals.put(literal.ordinal(), literal);
        literalColumns.put(literal.ordinal(), column);
    }

    /**
     * Records that the analysis depended on the value of a literal (an ORDER BY position), so a
     * plan made for one text is reused only for texts with the same value there.
     */
    void read(int ordinal, String value) {
        readLiterals.put(ordinal, value);
    }

    Map<Integer, String> readLiterals() {
        return readLiterals;
    }

    void resultSet(List<ColumnPolicy> columns) {
        resultSets.add(columns);
    }

    Map<Integer, ParameterTarget> parameters() {
        return parameters;
    }

    /** Bound literals by ordinal. */
    Map<Integer, Origin.Literal> literals() {
        return literals;
    }

    ColumnPolicy literalColumn(int ordinal) {
        return literalColumns.get(ordinal);
    }

    List<List<ColumnPolicy>> resultSets() {
        if (hidden > 0 && hidden() == 0) {
            // a script: the columns appended to its first query are not sent (see hidden())
            List<List<ColumnPolicy>> out = new ArrayList<>(resultSets);
            List<ColumnPolicy> first = out.get(0);
            out.set(0, new ArrayList<>(first.subList(0, first.size() - hidden)));
            return out;
        }
        return resultSets;
    }

    boolean touchesEncrypted() {
        if (!parameters.isEmpty() || !literals.isEmpty() || !versionSensitive.isEmpty() || searchWrite != null || !searches.isEmpty()) {
            return true;
        }
        for (List<ColumnPolicy> r : resultSets) {
            for (ColumnPolicy c : r) {
                if (c != null) {
                    return true;
                }
            }
        }
        return false;
    }
}
