package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * MariaDB/MySQL DDL that would change what an encrypted column is, refused as {@link PgDdlRules}
 * refuses PostgreSQL's: renaming or retyping it ({@code CHANGE}, {@code MODIFY},
 * {@code RENAME COLUMN}), a non-NULL default, a generated column over it, renaming its table
 * ({@code RENAME TABLE}, {@code ALTER TABLE … RENAME}), and server-side code that names its table
 * (procedures, functions, triggers, events, compound statements), which goes to {@link OpaqueCode}.
 *
 * <p>Works on the tokens of the scanned text ({@link MySqlCommands#tokens}): strings are
 * placeholders, comments are gone and executable comments are spliced in.
 */
final class MySqlDdlRules {
    private static final Set<String> ALTER_ACTION_WORDS = Set.of("add", "alter", "change", "modify", "rename", "drop");

    private final Policy policy;
    private final OpaqueCode opaque;

    MySqlDdlRules(Policy policy, OpaqueCode opaque) {
        this.policy = policy;
        this.opaque = opaque;
    }

    /**
     * Checks every statement of a token list.
     *
     * @param original the text as written, for {@link OpaqueCode} (which reads names in bodies and strings)
     */
    void check(List<String> tokens, String original) {
        int start = 0;
        for (int i = 0; i <= tokens.size(); i++) {
            if (i == tokens.size() || tokens.get(i).equals(";")) {
                if (i > start) {
                    statement(tokens.subList(start, i), original);
                }
                start = i + 1;
            }
        }
    }

    private void statement(List<String> t, String original) {
        Cursor c = new Cursor(t);
        if (c.accept("begin") && c.accept("not") && c.accept("atomic")) {
            opaque.refuseUnlessAllowed("a compound statement (BEGIN NOT ATOMIC)", original);
            return;
        }
        c = new Cursor(t);
        if (c.accept("rename") && c.accept("table")) {
            renameTables(c);
            return;
        }
        c = new Cursor(t);
        if (c.accept("create")) {
            c.accept("or");
            c.accept("replace");
            skipDefiner(c);
            c.accept("aggregate");
            String kind = c.peekWord();
            if (kind.equals("procedure") || kind.equals("function") || kind.equals("trigger") || kind.equals("event")) {
                opaque.refuseUnlessAllowed("a " + kind + " definition", original);
            }
            return;
        }
        c = new Cursor(t);
        if (c.accept("alter")) {
            c.accept("online");
            c.accept("ignore");
            if (c.accept("table")) {
                c.accept("if");
                c.accept("exists");
                TablePolicy table = table(c.name());
                if (table != null) {
                    for (List<String> action : c.restByComma()) {
                        alterAction(table, new Cursor(action));
                    }
                }
            }
        }
    }

    private static void skipDefiner(Cursor c) {
        if (c.accept("definer")) {
            c.accept("=");
            c.next();
            if (c.peekWord().equals("@")) {
                c.next();
                c.next();
            }
        }
    }

    private void renameTables(Cursor c) {
        for (List<String> pair : c.restByComma()) {
            Cursor p = new Cursor(pair);
            TablePolicy from = table(p.name());
            p.accept("to");
            TablePolicy to = table(p.name());
            if (from != null || to != null) {
                throw Rejection.unsupported("renaming a table to or from " + (from != null ? from.name() : to.name())
                        + " is refused: the policy encrypts that table, and its values are bound to its name. Keep the "
                        + "name, or add the new table to the policy and copy the rows through Veil");
            }
        }
    }

    private void alterAction(TablePolicy table, Cursor c) {
        if (c.accept("rename")) {
            if (c.accept("column")) {
                ColumnPolicy from = column(table, c.name());
                c.accept("to");
                ColumnPolicy to = column(table, c.name());
                if (from != null || to != null) {
                    throw Rejection.unsupported(from != null ? from : to, "renaming an encrypted column (or a column to an "
                            + "encrypted one's name) is refused: its values are bound to its name. Add a column with the new "
                            + "name to the policy, copy the values through Veil, then drop the old column");
                }
                return;
            }
            if (c.accept("index") || c.accept("key")) {
                return;
            }
            throw Rejection.unsupported("renaming table " + table.name() + " is refused: it has encrypted columns, Veil "
                    + "would not encrypt writes under the new name, and its values are bound to the old one. Keep the "
                    + "name, or add the new table to the policy and copy the rows through Veil");
        }
        if (c.accept("change")) {
            c.accept("column");
            skipIfExists(c);
            ColumnPolicy from = column(table, c.name());
            ColumnPolicy to = column(table, c.name());
            if (from != null || to != null) {
                throw Rejection.unsupported(from != null ? from : to, "CHANGE of an encrypted column is refused: it renames "
                        + "or retypes a column that holds envelopes. Change the column's storage in the policy and move the "
                        + "values through Veil (a new column, then veil migrate) instead");
            }
            return;
        }
        if (c.accept("modify")) {
            c.accept("column");
            skipIfExists(c);
            ColumnPolicy column = column(table, c.name());
            if (column != null) {
                throw Rejection.unsupported(column, "MODIFY of an encrypted column is refused: it retypes a column that holds "
                        + "envelopes. Change the column's storage in the policy and move the values through Veil instead");
            }
            return;
        }
        if (c.accept("alter")) {
            c.accept("column");
            skipIfExists(c);
            ColumnPolicy column = column(table, c.name());
            if (column != null && c.accept("set") && c.accept("default") && !isNull(c.rest())) {
                throw nonNullDefault(column);
            }
            return;
        }
        if (c.accept("add")) {
            c.accept("column");
            skipIfExists(c);
            if (c.peekWord().equals("(")) {
                // ADD (a type, b type): each definition on its own
                for (List<String> definition : c.group()) {
                    columnDefinition(table, new Cursor(definition));
                }
                return;
            }
            columnDefinition(table, c);
        }
    }

    /** {@code name type [DEFAULT x] [AS (expr)] [GENERATED ALWAYS AS (expr)] …}. */
    private void columnDefinition(TablePolicy table, Cursor c) {
        String[] name = c.name();
        ColumnPolicy encrypted = column(table, name);
        List<String> rest = c.rest();
        for (int i = 0; i < rest.size(); i++) {
            String w = rest.get(i).toLowerCase(Locale.ROOT);
            if (encrypted != null && w.equals("default") && !(i + 1 < rest.size() && rest.get(i + 1).equalsIgnoreCase("null"))) {
                throw nonNullDefault(encrypted);
            }
            if (w.equals("as") || w.equals("generated") || w.equals("auto_increment")) {
                if (encrypted != null) {
                    throw Rejection.unsupported(encrypted, "an encrypted column cannot be generated or AUTO_INCREMENT: the "
                            + "server would store the values it makes in plaintext. Make the values in the application");
                }
                ColumnPolicy over = mentioned(table, rest.subList(i + 1, rest.size()));
                if (over != null) {
                    throw Rejection.unsupported(over, "a generated column over an encrypted column is refused: it would "
                            + "compute on ciphertext. Compute the value in the application instead");
                }
            }
        }
    }

    private static boolean isNull(List<String> expression) {
        List<String> e = expression;
        while (e.size() >= 2 && e.get(0).equals("(") && e.get(e.size() - 1).equals(")")) {
            e = e.subList(1, e.size() - 1);
        }
        return e.size() == 1 && e.get(0).equalsIgnoreCase("null");
    }

    private static void skipIfExists(Cursor c) {
        if (c.accept("if")) {
            c.accept("not");
            c.accept("exists");
        }
    }

    private static Rejection nonNullDefault(ColumnPolicy column) {
        return Rejection.unsupported(column, "a non-NULL default on an encrypted column is refused: the server would store "
                + "and insert it in plaintext. Bind the value from the application (Veil encrypts it), or DROP DEFAULT");
    }

    private TablePolicy table(String[] parts) {
        if (parts == null || parts.length == 0) {
            return null;
        }
        return policy.table(parts.length >= 2 ? parts[parts.length - 2] : null, parts[parts.length - 1]).orElse(null);
    }

    private static ColumnPolicy column(TablePolicy table, String[] name) {
        return table == null || name == null || name.length == 0 ? null : table.column(name[name.length - 1]).orElse(null);
    }

    private static ColumnPolicy mentioned(TablePolicy table, List<String> tokens) {
        for (String t : tokens) {
            if (isName(t)) {
                ColumnPolicy c = table.column(Identifier.parse(t).text()).orElse(null);
                if (c != null) {
                    return c;
                }
            }
        }
        return null;
    }

    static boolean isName(String token) {
        char c = token.charAt(0);
        return c == '`' || c == '"' || FastPathFilter.isWordChar(c);
    }

    /** A cursor over the tokens of one statement; words are matched without regard to case. */
    private static final class Cursor {
        private final List<String> tokens;
        private int at;

        Cursor(List<String> tokens) {
            this.tokens = tokens;
        }

        String peekWord() {
            return at < tokens.size() ? tokens.get(at).toLowerCase(Locale.ROOT) : "";
        }

        boolean accept(String word) {
            if (at < tokens.size() && tokens.get(at).equalsIgnoreCase(word)) {
                at++;
                return true;
            }
            return false;
        }

        String next() {
            return at < tokens.size() ? tokens.get(at++) : "";
        }

        /** A possibly qualified name ({@code db.t}, {@code `db`.`t`}), or {@code null}. */
        String[] name() {
            if (at >= tokens.size() || !isName(tokens.get(at))) {
                return null;
            }
            List<String> parts = new ArrayList<>();
            parts.add(tokens.get(at++));
            while (at + 1 < tokens.size() && tokens.get(at).equals(".") && isName(tokens.get(at + 1))) {
                parts.add(tokens.get(at + 1));
                at += 2;
            }
            return parts.toArray(new String[0]);
        }

        List<String> rest() {
            List<String> out = new ArrayList<>(tokens.subList(at, tokens.size()));
            at = tokens.size();
            return out;
        }

        /** The rest, split at top-level commas. */
        List<List<String>> restByComma() {
            List<List<String>> out = new ArrayList<>();
            List<String> current = new ArrayList<>();
            int depth = 0;
            for (; at < tokens.size(); at++) {
                String t = tokens.get(at);
                depth += t.equals("(") ? 1 : t.equals(")") ? -1 : 0;
                if (depth == 0 && t.equals(",")) {
                    out.add(current);
                    current = new ArrayList<>();
                } else {
                    current.add(t);
                }
            }
            out.add(current);
            return out;
        }

        /** The comma-separated elements of the parenthesised group at the cursor. */
        List<List<String>> group() {
            List<List<String>> out = new ArrayList<>();
            if (!accept("(")) {
                return out;
            }
            List<String> current = new ArrayList<>();
            int depth = 1;
            for (; at < tokens.size(); at++) {
                String t = tokens.get(at);
                depth += t.equals("(") ? 1 : t.equals(")") ? -1 : 0;
                if (depth == 0) {
                    at++;
                    break;
                }
                if (depth == 1 && t.equals(",")) {
                    out.add(current);
                    current = new ArrayList<>();
                } else {
                    current.add(t);
                }
            }
            out.add(current);
            return out;
        }
    }
}
