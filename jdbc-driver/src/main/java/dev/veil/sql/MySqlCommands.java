package dev.veil.sql;

import dev.veil.policy.Policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * MariaDB and MySQL commands that move values past Veil without naming a column in a way the
 * analysis can follow, checked on the scanned text before it is parsed.
 *
 * <ul>
 *   <li>{@code PREPARE name FROM ...} and {@code EXECUTE IMMEDIATE ...}: the statement is text the
 *       server parses later. It passes only when it is one string literal that names no encrypted
 *       table (so a later {@code EXECUTE name} runs a statement Veil has read); from a variable or
 *       an expression it cannot be read and is refused.</li>
 *   <li>{@code LOAD DATA|XML ... INFILE} and {@code SELECT ... INTO OUTFILE|DUMPFILE}: rows move
 *       between the server and files without Veil; refused on encrypted tables.</li>
 *   <li>{@code sql_mode} changed in the same text as a statement on an encrypted table: the rest
 *       of the text would be read under rules Veil does not know yet; refused.</li>
 *   <li>MySQL 8's row alias {@code INSERT … AS new ON DUPLICATE KEY UPDATE}: refused on encrypted tables.</li>
 *   <li>Text the scanner found ambiguous (see {@link MySqlScanner}): refused on encrypted tables.</li>
 *   <li>DDL that would change what an encrypted column is, and server-side code: {@link MySqlDdlRules}.</li>
 * </ul>
 *
 * <p>Server-side code that names an encrypted table ({@code PREPARE} text, a bulk load) is refused
 * through {@link OpaqueCode}, so a table's {@code allow-opaque: true} lets it pass as on PostgreSQL.
 */
final class MySqlCommands {
    /** Words that make a text worth checking even when it names no encrypted table. */
    static final FastPathFilter OPAQUE = new FastPathFilter(List.of("prepare", "execute"));
    private static final FastPathFilter FILES = new FastPathFilter(List.of("infile", "outfile", "dumpfile"));
    private static final FastPathFilter MODE = new FastPathFilter(List.of("sql_mode"));

    private final FastPathFilter tables;
    private final OpaqueCode opaque;
    private final MySqlDdlRules ddl;

    /** @param tables the policy's table names */
    MySqlCommands(Policy policy, FastPathFilter tables) {
        this.tables = tables;
        this.opaque = new OpaqueCode(policy, tables);
        this.ddl = new MySqlDdlRules(policy, opaque);
    }

    /**
     * Throws a {@link Rejection} when the text must be refused.
     *
     * @param scanned the text as {@link MySqlScanner} read it
     * @param relations the catalog snapshot, for the stored routines the text may call
     */
    void check(ScannedSql scanned, ProtectedRelations relations) {
        Set<String> named = tables.mentioned(scanned.original());
        boolean serverSide = OPAQUE.mayMention(scanned.normalized());
        if (scanned.ambiguity() != null && (!named.isEmpty() || serverSide)) {
            throw Rejection.unsupported("this statement names encrypted table(s) " + names(named, serverSide)
                    + " and cannot be read with certainty under MariaDB/MySQL rules: it has " + scanned.ambiguity()
                    + "; rewrite it without that");
        }
        List<String> tokens = tokens(scanned.normalized());
        if (!named.isEmpty() && FILES.mayMention(scanned.normalized())) {
            if (!tokens.isEmpty() && tokens.get(0).equalsIgnoreCase("load")) {
                opaque.refuseUnlessAllowed("a bulk load from a file (LOAD DATA/XML INFILE)", scanned.original());
            } else {
                throw Rejection.unsupported("SELECT ... INTO OUTFILE/DUMPFILE writes rows of encrypted table(s) "
                        + String.join(", ", named) + " to a file without Veil; it is refused. Read such rows through Veil");
            }
        }
        if (!named.isEmpty() && MODE.mayMention(scanned.normalized())) {
            throw Rejection.unsupported("this text changes sql_mode and also names encrypted table(s) " + String.join(", ", named)
                    + ", whose statements would be read under the old rules; run SET sql_mode as a statement of its own");
        }
        if (serverSide) {
            serverSideStatements(scanned, tokens);
        }
        if (!named.isEmpty()) {
            rowAlias(tokens, named);
            ddl.check(tokens, scanned.original());
            if (relations.hasRoutines()) {
                routineCalls(tokens, relations);
            }
        }
    }

    /**
     * Every call of a stored routine that reaches a protected relation: {@code CALL [db.]name} with
     * or without arguments, or {@code name(} anywhere (a function call; the server allows no space
     * there only for built-ins, so a space does not make it a column).
     */
    private void routineCalls(List<String> tokens, ProtectedRelations relations) {
        for (int t = 0; t < tokens.size(); t++) {
            String token = tokens.get(t);
            String name = token.length() > 1 && token.charAt(0) == '`' ? token.substring(1, token.length() - 1).replace("``", "`") : token;
            StoredRoutines.Reach reach = relations.routine(name.toLowerCase(java.util.Locale.ROOT));
            if (reach == null) {
                continue;
            }
            boolean called = t + 1 < tokens.size() && tokens.get(t + 1).equals("(")
                    || t > 0 && tokens.get(t - 1).equalsIgnoreCase("call")
                    || t > 2 && tokens.get(t - 1).equals(".") && tokens.get(t - 3).equalsIgnoreCase("call");
            if (called) {
                opaque.refuseCallUnlessAllowed(name, reach, relations);
            }
        }
    }

    /**
     * MySQL 8's row alias, {@code INSERT … VALUES (…) AS new [(a, b)] ON DUPLICATE KEY UPDATE
     * col = new.col} (or {@code INSERT … SET … AS new}): JSqlParser cannot read it, and a reader
     * that guessed would have to trace {@code new.col} back to its value. Refused with a name for
     * the shape; {@code VALUES(col)} says the same and is supported.
     */
    private static void rowAlias(List<String> tokens, Set<String> named) {
        int depth = 0;
        boolean insert = false;
        boolean rows = false;
        for (String token : tokens) {
            if (token.equals("(")) {
                depth++;
            } else if (token.equals(")")) {
                depth--;
            } else if (token.equals(";")) {
                insert = false;
                rows = false;
            } else if (depth == 0) {
                if (!insert) {
                    insert = token.equalsIgnoreCase("insert");
                } else if (token.equalsIgnoreCase("select")) {
                    insert = false; // INSERT … SELECT has no row alias; its AS belong to the query
                } else if (token.equalsIgnoreCase("values") || token.equalsIgnoreCase("value") || token.equalsIgnoreCase("set")) {
                    rows = true;
                } else if (rows && token.equalsIgnoreCase("as")) {
                    throw Rejection.unsupported("MySQL 8's row alias (INSERT ... VALUES (...) AS alias ON DUPLICATE KEY UPDATE "
                            + "col = alias.col) is not supported on encrypted table(s) " + String.join(", ", named)
                            + ": Veil cannot parse it; write ON DUPLICATE KEY UPDATE col = VALUES(col) instead");
                }
            }
        }
    }

    private static String names(Set<String> named, boolean opaque) {
        return named.isEmpty() && opaque ? "(through PREPARE/EXECUTE)" : String.join(", ", named);
    }

    /** Every {@code PREPARE name FROM x} and {@code EXECUTE IMMEDIATE x}: x must be a literal naming no encrypted table. */
    private void serverSideStatements(ScannedSql scanned, List<String> tokens) {
        for (int t = 0; t < tokens.size(); t++) {
            String token = tokens.get(t);
            int source;
            String command;
            String before = t == 0 ? "" : tokens.get(t - 1);
            if (token.equalsIgnoreCase("prepare") && !before.equalsIgnoreCase("deallocate") && !before.equalsIgnoreCase("drop")) {
                command = "PREPARE";
                source = t + 2 < tokens.size() && tokens.get(t + 2).equalsIgnoreCase("from") ? t + 3 : -1;
            } else if (token.equalsIgnoreCase("execute") && t + 1 < tokens.size() && tokens.get(t + 1).equalsIgnoreCase("immediate")) {
                command = "EXECUTE IMMEDIATE";
                source = t + 2;
            } else {
                continue;
            }
            SqlLiteral text = source < 0 || source >= tokens.size() ? null : placeholder(scanned, tokens.get(source));
            boolean alone = source + 1 >= tokens.size() || tokens.get(source + 1).equals(";");
            if ((text == null || !alone) && opaque.protectsAnything()) {
                throw Rejection.unsupported(command + " of a statement given as a variable or an expression: Veil cannot read "
                        + "the statement the server will run, and the policy has encrypted tables, so it is refused; "
                        + "write the statement as one string literal, or use a JDBC PreparedStatement");
            }
            if (text == null) {
                continue;
            }
            if (OPAQUE.mayMention(text.value()) && opaque.protectsAnything()) {
                throw Rejection.unsupported(command + " of a statement that itself prepares or executes one is refused: "
                        + "Veil cannot see what it runs, and the policy has encrypted tables");
            }
            opaque.refuseUnlessAllowed(command, text.value());
        }
    }

    private static SqlLiteral placeholder(ScannedSql scanned, String token) {
        if (token.length() < 3 || token.charAt(0) != '\'' || token.charAt(token.length() - 1) != '\'') {
            return null;
        }
        return scanned.literal(token.substring(1, token.length() - 1), false);
    }

    /**
     * The tokens of a placeholder text: words, placeholders ({@code '3'}), quoted names, and single
     * other characters; whitespace dropped.
     */
    static List<String> tokens(String normalized) {
        List<String> out = new ArrayList<>();
        int n = normalized.length();
        int i = 0;
        while (i < n) {
            char c = normalized.charAt(i);
            int end;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            } else if (c == '\'' || c == '"' || c == '`') {
                end = normalized.indexOf(c, i + 1);
                while (end >= 0 && end + 1 < n && normalized.charAt(end + 1) == c) {
                    end = normalized.indexOf(c, end + 2);
                }
                end = end < 0 ? n : end + 1;
            } else if (FastPathFilter.isWordChar(c)) {
                end = i + 1;
                while (end < n && FastPathFilter.isWordChar(normalized.charAt(end))) {
                    end++;
                }
            } else {
                end = i + 1;
            }
            out.add(normalized.substring(i, end));
            i = end;
        }
        return out;
    }
}
