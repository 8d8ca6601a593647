package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;

import java.util.List;
import java.util.Set;

/**
 * PostgreSQL DDL that would change what an encrypted column is: renaming it or its table, a
 * non-NULL default, a type change, an identity, a generated column, an index expression, index
 * predicate or CHECK constraint over it. Such DDL is refused with a message saying how to do it
 * safely; {@code DROP} and DDL on other columns pass.
 */
final class PgDdlRules {
    private static final Set<String> TABLE_CONSTRAINTS = Set.of("constraint", "check", "unique", "primary", "foreign",
            "exclude", "like");

    private final Policy policy;
    /** The resolver of the statement being checked (one instance serves every connection). */
    private final ThreadLocal<NameResolver> names = new ThreadLocal<>();

    PgDdlRules(Policy policy) {
        this.policy = policy;
    }

    /** What a table name means for the connection: the policy of the columns it carries, or {@code null}. */
    private TablePolicy table(String[] parts) {
        NameResolver r = names.get();
        if (r == null || parts == null || parts.length == 0) {
            return PgTokenCursor.table(policy, parts);
        }
        String schema = parts.length >= 2 ? parts[parts.length - 2] : null;
        NameResolver.Resolved resolved = r.resolve(schema, parts[parts.length - 1]);
        return resolved.policy() != null ? resolved.policy() : PgTokenCursor.table(policy, parts);
    }

    /** Whether a name is a protected relation of any kind (a view over one included). */
    private boolean isProtected(String[] parts) {
        NameResolver r = names.get();
        if (table(parts) != null) {
            return true;
        }
        if (r == null || parts == null || parts.length == 0) {
            return false;
        }
        return r.resolve(parts.length >= 2 ? parts[parts.length - 2] : null, parts[parts.length - 1]).relation() != null;
    }

    /**
     * Checks one statement; a statement that is no DDL of these forms passes.
     *
     * @return whether the statement is {@code CREATE TABLE … (LIKE …)}, which copies no rows and
     *         needs no parse (the parser does not read it)
     * @throws Rejection VE006 naming table.column and the safe way
     */
    boolean check(List<PgTokens.Token> statement, NameResolver names) {
        this.names.set(names);
        try {
            return checkStatement(statement);
        } finally {
            this.names.remove();
        }
    }

    private boolean checkStatement(List<PgTokens.Token> statement) {
        PgTokenCursor c = new PgTokenCursor(statement);
        if (c.accept("alter", "table")) {
            alterTable(c);
        } else if (c.accept("create")) {
            c.accept("unique");
            if (c.accept("index")) {
                createIndex(c);
                return false;
            }
            c.accept("global");
            c.accept("local");
            if (!c.accept("temporary")) {
                c.accept("temp");
            }
            c.accept("unlogged");
            if (c.accept("table")) {
                return createTable(c);
            }
        }
        return false;
    }

    private void alterTable(PgTokenCursor c) {
        c.accept("if", "exists");
        c.accept("only");
        String[] name = c.name();
        TablePolicy table = table(name);
        c.acceptSymbol("*");
        if (c.accept("rename")) {
            renameTo(c, table, name);
            return;
        }
        if (table != null && c.accept("set", "schema")) {
            throw Rejection.unsupported("ALTER TABLE " + table.name() + " SET SCHEMA is refused: the table has encrypted columns, "
                    + "and its values are bound to its name. Keep it where it is, or change the policy with the move and "
                    + "copy the rows through Veil");
        }
        if (table == null) {
            return;
        }
        for (List<PgTokens.Token> action : c.restByComma()) {
            alterAction(table, new PgTokenCursor(action));
        }
    }

    private void renameTo(PgTokenCursor c, TablePolicy table, String[] name) {
        if (c.accept("constraint")) {
            return;
        }
        if (c.accept("to")) {
            String[] target = c.name();
            if (table != null) {
                throw Rejection.unsupported("renaming table " + table.name() + " is refused: it has encrypted columns, Veil "
                        + "would not encrypt writes under the new name, and its values are bound to the old one. Keep the "
                        + "name, or add the new table to the policy and copy the rows through Veil");
            }
            if (table == null && isProtected(name)) {
                throw Rejection.unsupported("renaming " + String.join(".", name) + " is refused: it carries encrypted "
                        + "columns' values (a view, partition or child of an encrypted table). Keep the name");
            }
            TablePolicy renamedInto = PgTokenCursor.table(policy, target);
            if (renamedInto != null) {
                throw Rejection.unsupported("renaming a table to " + renamedInto.name() + " is refused: the policy encrypts "
                        + "that table, and the rows of the renamed one were not written through Veil. Create the table "
                        + "and copy the rows into it through Veil");
            }
            return;
        }
        if (table == null) {
            return;
        }
        c.accept("column");
        String[] column = c.name();
        ColumnPolicy encrypted = column(table, column);
        if (encrypted != null) {
            throw Rejection.unsupported(encrypted, "renaming an encrypted column is refused: Veil would not encrypt "
                    + "writes under the new name, and its values are bound to the old one. Add a column with the new name "
                    + "to the policy, copy the values through Veil, then drop the old column");
        }
    }

    private void alterAction(TablePolicy table, PgTokenCursor c) {
        if (c.accept("alter")) {
            c.accept("column");
            ColumnPolicy encrypted = column(table, c.name());
            if (encrypted == null) {
                return;
            }
            if (c.accept("type") || c.accept("set", "data", "type")) {
                throw Rejection.unsupported(encrypted, "changing the type of an encrypted column is refused: it holds "
                        + "envelopes, which a conversion would break. Change the column's storage in the policy and move "
                        + "the values through Veil (a new column, then veil migrate) instead");
            }
            if (c.accept("set", "default")) {
                if (!isNull(c.rest())) {
                    throw nonNullDefault(encrypted);
                }
                return;
            }
            if (c.accept("add", "generated") || c.accept("set", "expression") || c.accept("set", "generated")
                    || c.accept("restart")) {
                throw generated(encrypted);
            }
            return;
        }
        if (c.accept("add")) {
            if (c.accept("constraint")) {
                c.name();
            }
            if (c.accept("check")) {
                checkConstraint(table, c.rest());
                return;
            }
            PgTokens.Token t = c.peek();
            if (t != null && t.isName() && TABLE_CONSTRAINTS.contains(t.key())) {
                return;
            }
            c.accept("column");
            c.accept("if", "not", "exists");
            columnDefinition(table, c);
        }
    }

    /** {@code name type [DEFAULT …] [GENERATED …] [CHECK (…)] …} of a table the policy encrypts. */
    private void columnDefinition(TablePolicy table, PgTokenCursor c) {
        String[] name = c.name();
        ColumnPolicy encrypted = column(table, name);
        List<PgTokens.Token> rest = c.rest();
        for (int i = 0; i < rest.size(); i++) {
            PgTokens.Token t = rest.get(i);
            if (encrypted != null && t.is("default") && !isNull(until(rest, i + 1, CONSTRAINT_STARTS))) {
                throw nonNullDefault(encrypted);
            }
            if (t.is("generated")) {
                if (encrypted != null) {
                    throw generated(encrypted);
                }
                ColumnPolicy over = mentioned(table, rest.subList(i + 1, rest.size()));
                if (over != null) {
                    throw Rejection.unsupported(over, "a generated column over an encrypted column is refused: it would "
                            + "compute on ciphertext. Compute the value in the application instead");
                }
            }
            if (t.is("check")) {
                checkConstraint(table, rest.subList(i + 1, rest.size()));
            }
        }
    }

    private static final Set<String> CONSTRAINT_STARTS = Set.of("not", "null", "check", "unique", "primary", "references",
            "generated", "constraint", "collate", "deferrable", "initially");

    private void createIndex(PgTokenCursor c) {
        c.accept("concurrently");
        if (!c.peekIs("on")) {
            c.accept("if", "not", "exists");
            c.name();
        }
        if (!c.accept("on")) {
            return;
        }
        c.accept("only");
        TablePolicy table = table(c.name());
        if (table == null) {
            return;
        }
        if (c.accept("using")) {
            c.next();
        }
        for (List<PgTokens.Token> element : c.group()) {
            boolean plainColumn = !element.isEmpty() && element.get(0).isName()
                    && (element.size() == 1 || !element.get(1).isSymbol("(") && !element.get(1).isSymbol("."));
            if (!plainColumn) {
                ColumnPolicy over = mentioned(table, element);
                if (over != null) {
                    throw Rejection.unsupported(over, "an index expression over an encrypted column is refused: it would "
                            + "compute on ciphertext. Index the column itself (equality lookups on deterministic columns use it)");
                }
            }
        }
        List<PgTokens.Token> rest = c.rest();
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).is("where")) {
                ColumnPolicy over = mentioned(table, rest.subList(i + 1, rest.size()));
                if (over != null) {
                    throw Rejection.unsupported(over, "an index predicate over an encrypted column is refused: it would "
                            + "compute on ciphertext, and its constants would be stored in plaintext in the catalog");
                }
            }
        }
    }

    /** Whether every element of a column list is a {@code LIKE} clause. */
    private static boolean allLike(List<List<PgTokens.Token>> elements) {
        for (List<PgTokens.Token> e : elements) {
            if (e.isEmpty() || !e.get(0).is("like")) {
                return false;
            }
        }
        return true;
    }

    private boolean createTable(PgTokenCursor c) {
        c.accept("if", "not", "exists");
        TablePolicy table = table(c.name());
        if (!c.peekIsSymbol("(")) {
            return false;
        }
        List<List<PgTokens.Token>> elements = c.group();
        if (c.done() && allLike(elements)) {
            return true;
        }
        if (table == null) {
            return false;
        }
        for (List<PgTokens.Token> element : elements) {
            if (element.isEmpty()) {
                continue;
            }
            PgTokens.Token first = element.get(0);
            if (first.kind() == PgTokens.Kind.WORD && TABLE_CONSTRAINTS.contains(first.key())) {
                for (int i = 0; i < element.size(); i++) {
                    if (element.get(i).is("check")) {
                        checkConstraint(table, element.subList(i + 1, element.size()));
                    }
                }
            } else {
                columnDefinition(table, new PgTokenCursor(element));
            }
        }
        return false;
    }

    private void checkConstraint(TablePolicy table, List<PgTokens.Token> expression) {
        ColumnPolicy over = mentioned(table, expression);
        if (over != null && !nullTestsOnly(expression)) {
            throw Rejection.unsupported(over, "a CHECK constraint over an encrypted column is refused: it would compute "
                    + "on ciphertext, and its constants would be stored in plaintext in the catalog. Validate in the application");
        }
    }

    /**
     * Whether a CHECK constraint ({@code (expression) [NOT VALID] [NO INHERIT]}) only tests columns
     * for NULL, combined with AND, OR, NOT and parentheses: it computes nothing on a ciphertext and
     * holds no constant, as the guard of a searchable column does ({@code col IS NULL OR
     * (col_veil_prefix IS NOT NULL AND …)}).
     */
    static boolean nullTestsOnly(List<PgTokens.Token> check) {
        if (check.isEmpty() || !check.get(0).isSymbol("(")) {
            return false;
        }
        int depth = 0;
        int i = 0;
        while (true) {
            if (i >= check.size()) {
                return false;
            }
            PgTokens.Token t = check.get(i);
            if (t.isSymbol("(")) {
                depth++;
                i++;
            } else if (t.isSymbol(")")) {
                depth--;
                i++;
                if (depth == 0) {
                    break;
                }
            } else if (t.is("and") || t.is("or") || t.is("not")) {
                i++;
            } else if (t.isName()) {
                // a column, perhaps qualified, then IS [NOT] NULL
                i++;
                while (i + 1 < check.size() && check.get(i).isSymbol(".") && check.get(i + 1).isName()) {
                    i += 2;
                }
                if (i < check.size() && check.get(i).is("is")) {
                    i++;
                } else {
                    return false;
                }
                if (i < check.size() && check.get(i).is("not")) {
                    i++;
                }
                if (i < check.size() && check.get(i).is("null")) {
                    i++;
                } else {
                    return false;
                }
            } else {
                return false;
            }
        }
        for (; i < check.size(); i++) {
            PgTokens.Token t = check.get(i);
            if (!(t.is("not") || t.is("valid") || t.is("no") || t.is("inherit"))) {
                return false;
            }
        }
        return true;
    }

    private static Rejection nonNullDefault(ColumnPolicy column) {
        return Rejection.unsupported(column, "a non-NULL default on an encrypted column is refused: the server would store "
                + "and insert it in plaintext. Bind the value from the application (Veil encrypts it), or DROP DEFAULT");
    }

    private static Rejection generated(ColumnPolicy column) {
        return Rejection.unsupported(column, "an encrypted column cannot be generated or an identity: the server would "
                + "store the values it makes in plaintext. Make the values in the application, or keep the column out of the policy");
    }

    /** Whether an expression is only {@code NULL}, perhaps cast ({@code NULL::text}, {@code CAST(NULL AS text)}). */
    private static boolean isNull(List<PgTokens.Token> expression) {
        List<PgTokens.Token> e = expression;
        while (e.size() >= 2 && e.get(0).isSymbol("(") && e.get(e.size() - 1).isSymbol(")")) {
            e = e.subList(1, e.size() - 1);
        }
        if (e.isEmpty()) {
            return false;
        }
        if (e.get(0).is("cast") && e.size() >= 3 && e.get(1).isSymbol("(") && e.get(2).is("null") && e.size() > 3 && e.get(3).is("as")) {
            return true;
        }
        if (!e.get(0).is("null")) {
            return false;
        }
        return e.size() == 1 || e.get(1).isSymbol("::");
    }

    /** The tokens from {@code from} up to the first top-level one whose word is in {@code stops}. */
    private static List<PgTokens.Token> until(List<PgTokens.Token> tokens, int from, Set<String> stops) {
        int depth = 0;
        int i = from;
        for (; i < tokens.size(); i++) {
            PgTokens.Token t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && t.kind() == PgTokens.Kind.WORD && stops.contains(t.key())
                    && !(i == from && t.is("null"))) {
                break;
            }
        }
        return tokens.subList(Math.min(from, tokens.size()), i);
    }

    /** The first encrypted column of {@code table} the tokens name, or {@code null}. */
    private static ColumnPolicy mentioned(TablePolicy table, List<PgTokens.Token> tokens) {
        for (PgTokens.Token t : tokens) {
            if (t.isName()) {
                ColumnPolicy c = table.column(PgTokenCursor.written(t)).orElse(null);
                if (c != null) {
                    return c;
                }
            }
        }
        return null;
    }

    private static ColumnPolicy column(TablePolicy table, String[] name) {
        return table == null || name == null || name.length == 0 ? null : table.column(name[name.length - 1]).orElse(null);
    }
}
