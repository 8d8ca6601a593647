package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes every statement that writes a searchable column write its companion columns in the same
 * statement (PostgreSQL). Reads the statement's own text (the analyzer's tree has no positions):
 *
 * <ul>
 * <li>{@code INSERT INTO t (…, col, …) VALUES (…, ?, …), …}: the companion columns are listed right
 *     after {@code col}, and each row's {@code ?} becomes {@code ?, ?::bytea[], …} (one parameter per
 *     companion, bound to the tokens of the value bound to the {@code ?}); {@code NULL} and
 *     {@code DEFAULT} are repeated for each companion.</li>
 * <li>{@code UPDATE t SET col = ?} and {@code ON CONFLICT … DO UPDATE SET col = ?}: {@code ?} becomes
 *     {@code ?, col_veil_prefix = ?::bytea[], …}; {@code col = EXCLUDED.col} also copies
 *     {@code EXCLUDED}'s companions; {@code NULL} and {@code DEFAULT} are set on the companions too.</li>
 * </ul>
 *
 * Any other way of writing a searchable column (a literal, an expression, {@code INSERT … SELECT},
 * an INSERT without column list, a tuple assignment, a data-modifying CTE) is refused, as is naming
 * a companion column as a write target: Veil cannot tokenise what it does not bind itself.
 */
final class SearchWrites {
    /**
     * What one text needs.
     *
     * @param expansions text changes, by ascending start
     * @param parameters application parameter index to the companion columns its value also goes to
     */
    record Edits(List<StatementPlan.Expansion> expansions, Map<Integer, CompanionWrite> parameters) {
        static final Edits NONE = new Edits(List.of(), Map.of());
    }

    /**
     * The companions a written value also goes to.
     *
     * @param column the searchable column
     * @param set whether written in a SET list ({@code , name = value}) rather than a VALUES row ({@code , value})
     */
    public record CompanionWrite(ColumnPolicy column, boolean set) {
        /** The text that follows the value: each companion's value as {@code values} renders it. */
        String render(java.util.function.Function<SearchCapability, String> values) {
            StringBuilder sb = new StringBuilder();
            for (CompanionColumns.Companion c : CompanionColumns.of(column)) {
                sb.append(", ");
                if (set) {
                    sb.append(c.name()).append(" = ");
                }
                sb.append(values.apply(c.capability()));
            }
            return sb.toString();
        }

        /** How many parameters the companions take. */
        int slots() {
            return column.search().capabilities().size();
        }
    }

    /** The placeholder of a companion parameter: token sets are bound as text and cast. */
    static String placeholder(SearchCapability c) {
        return c.isArray() ? "?::bytea[]" : "?";
    }

    private final String sql;
    private final int[] markers;
    private final TablePolicy table;
    /** When {@link #table} is a view's columns, what the view maps them to ({@code null} for a table). */
    private final ViewColumns view;
    private final List<StatementPlan.Expansion> expansions = new ArrayList<>();
    private final Map<Integer, CompanionWrite> parameters = new HashMap<>();

    private SearchWrites(String sql, int[] markers, TablePolicy table, ViewColumns view) {
        this.sql = sql;
        this.markers = markers;
        this.table = table;
        this.view = view;
    }

    /**
     * The edits of a text whose single statement writes into {@code table}, a table (or, with
     * {@code view}, a view) with searchable columns.
     *
     * @throws Rejection when a searchable column is written in a way Veil cannot tokenise, or through
     *         a view that does not expose its companion columns under their own names
     */
    static Edits of(String sql, int[] markers, TablePolicy table, ViewColumns view) {
        SearchWrites w = new SearchWrites(sql, markers, table, view);
        List<List<PgTokens.Token>> statements = PgTokens.statements(sql);
        if (statements.size() != 1) {
            throw Rejection.unsupported("a script that writes table " + table.name() + ", which has searchable columns, "
                    + "cannot be rewritten to maintain their search index; run its statements one by one");
        }
        PgTokenCursor c = new PgTokenCursor(statements.get(0));
        if (c.accept("insert")) {
            w.insert(c);
        } else if (c.accept("update")) {
            w.update(c);
        } else if (c.peekIs("with") || c.peekIs("explain")) {
            throw Rejection.unsupported("a " + c.peek().key().toUpperCase(java.util.Locale.ROOT) + " statement that writes table "
                    + table.name() + " cannot maintain the search index of its searchable columns; write it as a plain INSERT or UPDATE");
        } else {
            return Edits.NONE; // DELETE, MERGE (refused elsewhere), …: nothing written
        }
        w.expansions.sort(java.util.Comparator.comparingInt(StatementPlan.Expansion::start));
        return new Edits(List.copyOf(w.expansions), Map.copyOf(w.parameters));
    }

    private void insert(PgTokenCursor c) {
        c.accept("into");
        c.name();
        if (c.accept("as")) {
            c.next();
        }
        List<ColumnPolicy> columns = new ArrayList<>();
        boolean listed = c.peekIsSymbol("(");
        if (listed) {
            for (List<PgTokens.Token> item : c.group()) {
                ColumnPolicy col = target(item, "INSERT");
                columns.add(col);
                if (col != null) {
                    PgTokens.Token last = item.get(item.size() - 1);
                    expansions.add(new StatementPlan.Expansion(last.end(), last.end(), companionNames(col)));
                }
            }
        }
        if (c.accept("overriding")) {
            c.next();
            c.next();
        }
        if (c.accept("default", "values")) {
            // no column is given a value: companions take their default (NULL), as the columns do
        } else if (c.accept("values")) {
            if (!listed && hasSearchable()) {
                throw withoutList();
            }
            values(c, columns);
        } else if (!listed ? hasSearchable() : columns.stream().anyMatch(java.util.Objects::nonNull)) {
            ColumnPolicy col = listed ? columns.stream().filter(java.util.Objects::nonNull).findFirst().orElseThrow() : null;
            if (col == null) {
                throw withoutList();
            }
            throw Rejection.unsupported(col, "INSERT … SELECT into searchable column " + col.column() + " cannot compute the "
                    + "tokens of values Veil does not see; read the rows and write them with VALUES and parameters");
        }
        if (c.accept("on", "conflict")) {
            while (!c.done() && !c.peekIs("do")) {
                c.next();
            }
            if (c.accept("do", "update", "set")) {
                sets(c, true);
            }
        }
    }

    private Rejection withoutList() {
        return Rejection.unsupported("an INSERT into " + table.name() + ", which has searchable columns, must list its columns "
                + "(INSERT INTO t (a, b) VALUES …) so that Veil can add their companion columns");
    }

    private boolean hasSearchable() {
        return table.columns().values().stream().anyMatch(ColumnPolicy::isSearchable);
    }

    private void values(PgTokenCursor c, List<ColumnPolicy> columns) {
        do {
            if (!c.peekIsSymbol("(")) {
                break;
            }
            List<List<PgTokens.Token>> row = c.group();
            for (int i = 0; i < row.size() && i < columns.size(); i++) {
                if (columns.get(i) != null) {
                    value(row.get(i), new CompanionWrite(columns.get(i), false));
                }
            }
        } while (c.acceptSymbol(","));
    }

    private void update(PgTokenCursor c) {
        c.accept("only");
        c.name();
        c.acceptSymbol("*");
        if (c.accept("as")) {
            c.next();
        } else if (!c.peekIs("set")) {
            c.next();
        }
        if (!c.accept("set")) {
            throw Rejection.unsupported("an UPDATE of " + table.name() + " that Veil cannot read; write it as UPDATE t SET col = ?, …");
        }
        sets(c, false);
    }

    /** A SET list, up to FROM, WHERE, RETURNING or the end. */
    private void sets(PgTokenCursor c, boolean upsert) {
        List<PgTokens.Token> item = new ArrayList<>();
        int depth = 0;
        while (true) {
            PgTokens.Token t = c.peek();
            boolean end = t == null || depth == 0 && (t.is("from") || t.is("where") || t.is("returning") || t.isSymbol(";"));
            if (end || depth == 0 && t.isSymbol(",")) {
                set(item, upsert);
                item = new ArrayList<>();
                if (end) {
                    return;
                }
                c.next();
                continue;
            }
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            }
            item.add(c.next());
        }
    }

    private void set(List<PgTokens.Token> item, boolean upsert) {
        int eq = -1;
        for (int i = 0; i < item.size(); i++) {
            if (item.get(i).isSymbol("=")) {
                eq = i;
                break;
            }
        }
        if (eq < 0) {
            return; // not an assignment Veil can read; the analyzer has judged the statement
        }
        List<PgTokens.Token> left = item.subList(0, eq);
        if (!left.isEmpty() && left.get(0).isSymbol("(")) {
            for (PgTokens.Token t : left) {
                if (t.isName() && (column(t) != null || companion(written(t)) != null)) {
                    throw Rejection.unsupported("a tuple assignment SET (a, b) = … that writes a searchable column (or its companion) of "
                            + table.name() + " is not supported; write one column per assignment");
                }
            }
            return;
        }
        ColumnPolicy col = target(left, "UPDATE");
        if (col != null) {
            List<PgTokens.Token> right = item.subList(eq + 1, item.size());
            if (upsert && right.size() == 3 && right.get(0).is("excluded") && right.get(1).isSymbol(".")
                    && right.get(2).isName() && column(right.get(2)) == col) {
                int end = right.get(2).end();
                expansions.add(new StatementPlan.Expansion(end, end, new CompanionWrite(col, true)
                        .render(cap -> "excluded." + CompanionColumns.name(col.column(), cap))));
                return;
            }
            value(right, new CompanionWrite(col, true));
        }
    }

    /** The value written to a searchable column: a parameter, NULL or DEFAULT. */
    private void value(List<PgTokens.Token> tokens, CompanionWrite w) {
        if (tokens.size() == 1) {
            PgTokens.Token t = tokens.get(0);
            if (t.isSymbol("?")) {
                int index = Arrays.binarySearch(markers, t.start());
                if (index >= 0) {
                    parameters.put(index + 1, w);
                    expansions.add(new StatementPlan.Expansion(t.start(), t.end(), "?" + w.render(SearchWrites::placeholder)));
                    return;
                }
            } else if (t.is("null") || t.is("default")) {
                String word = t.is("null") ? "NULL" : "DEFAULT";
                expansions.add(new StatementPlan.Expansion(t.end(), t.end(), w.render(cap -> word)));
                return;
            }
        }
        throw Rejection.unsupported(w.column(), "searchable column " + w.column().column() + " can be written only from a parameter "
                + "(?), NULL or DEFAULT (or EXCLUDED." + w.column().column().column() + " in an upsert), so that Veil computes its "
                + "search tokens; bind the value as a parameter");
    }

    /** The searchable column a write target names, {@code null} for another column; refuses companion columns. */
    private ColumnPolicy target(List<PgTokens.Token> item, String what) {
        if (item.size() != 1 || !item.get(0).isName()) {
            for (PgTokens.Token t : item) {
                if (t.isName() && column(t) != null) {
                    throw Rejection.unsupported(column(t), "searchable column " + column(t).column() + " can only be written whole "
                            + "by name in " + what);
                }
            }
            return null;
        }
        PgTokens.Token t = item.get(0);
        CompanionColumns.Companion comp = companion(written(t));
        if (comp != null) {
            throw Rejection.unsupported(comp.owner(), "column " + comp.name() + " is the " + comp.capability().policyName()
                    + " search index of " + comp.owner().column() + ", which Veil maintains itself; it cannot be written directly "
                    + "(write " + comp.owner().column().column() + " and Veil writes its index)");
        }
        ColumnPolicy c = column(t);
        if (c != null && view != null) {
            exposed(c, written(t));
        }
        return c;
    }

    private ColumnPolicy column(PgTokens.Token t) {
        String name = written(t);
        // a view's column can carry a table's column under another name: found by the view's own name
        ColumnPolicy c = view != null ? table.columns().get(dev.veil.policy.Identifier.parse(name).key()) : table.column(name).orElse(null);
        return c != null && c.isSearchable() ? c : null;
    }

    /** The companion column a written name denotes: the table's, or one a view carries under any name; {@code null} when none. */
    private CompanionColumns.Companion companion(String name) {
        CompanionColumns.Companion k = view == null ? null : view.companions().get(dev.veil.policy.Identifier.parse(name).key());
        return k != null ? k : CompanionColumns.find(table, name).orElse(null);
    }

    /**
     * Refuses writing searchable column {@code c} (named {@code name} in the view) through a view
     * unless the view carries each of its companion columns, of the same row, under the companion's
     * own name: the name Veil adds to the statement.
     */
    private void exposed(ColumnPolicy c, String name) {
        Map<SearchCapability, dev.veil.policy.Identifier> at = view.indexes().getOrDefault(
                dev.veil.policy.Identifier.parse(name).key(), Map.of());
        List<String> missing = new ArrayList<>();
        for (CompanionColumns.Companion k : CompanionColumns.of(c)) {
            dev.veil.policy.Identifier a = at.get(k.capability());
            if (a == null || !a.key().equals(k.name().key())) {
                missing.add(k.name().toString());
            }
        }
        if (!missing.isEmpty()) {
            String names = String.join(", ", missing);
            throw Rejection.unsupported(c, "writing it through view " + table.name() + " needs its companion column"
                    + (missing.size() == 1 ? " " : "s ") + names + " in that view under " + (missing.size() == 1 ? "that name" : "those names")
                    + ", since Veil writes its search index with the value; add " + (missing.size() == 1 ? "it" : "them")
                    + " to the view (SELECT …, " + names + "), or write table " + c.column().table());
        }
    }

    private static String written(PgTokens.Token t) {
        return t.kind() == PgTokens.Kind.QUOTED ? '"' + t.key().replace("\"", "\"\"") + '"' : t.key();
    }

    private static String companionNames(ColumnPolicy col) {
        StringBuilder sb = new StringBuilder();
        for (CompanionColumns.Companion c : CompanionColumns.of(col)) {
            sb.append(", ").append(c.name());
        }
        return sb.toString();
    }
}
