package dev.veil.sql;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the PostgreSQL statements the parser does not model, before any parse: server-side code
 * (DO, PREPARE/EXECUTE, CREATE FUNCTION/PROCEDURE/RULE/TRIGGER) goes to {@link OpaqueCode}, COPY on a
 * protected relation is refused (the guarded {@code CopyManager} serves it), and DDL goes to
 * {@link PgDdlRules}. Thread-safe; one instance per analyzer.
 *
 * <p>An {@code EXECUTE} cannot be checked: the statement it runs was defined earlier. So an
 * {@code EXECUTE} is refused, when the policy protects any table, unless a {@code PREPARE} of that
 * name passed through Veil and was accepted (it named no protected relation, or only ones that
 * allow opaque code).
 */
final class PgStatementGuard {
    /** At most this many accepted statement names are remembered; beyond, EXECUTE of new names is refused. */
    private static final int MAX_PREPARED_NAMES = 10_000;

    private final OpaqueCode opaque;
    private final FastPathFilter protectedNames;
    private final PgDdlRules ddl;
    /** Names of {@code PREPARE}d statements that were accepted, as written ({@code s}, {@code "S"}). */
    private final Set<String> prepared = ConcurrentHashMap.newKeySet();

    PgStatementGuard(OpaqueCode opaque, FastPathFilter protectedNames, PgDdlRules ddl) {
        this.opaque = opaque;
        this.protectedNames = protectedNames;
        this.ddl = ddl;
    }

    /**
     * Checks every statement of a text.
     *
     * @param names how the connection resolves table names
     * @return whether every statement is server-side code that was accepted (or a
     *         {@code CREATE TABLE … (LIKE …)}), so the text must pass through unparsed
     * @throws Rejection VE006 when a statement is refused
     */
    boolean check(String sql, NameResolver names) {
        if (ordinary(sql)) {
            return false;
        }
        List<List<PgTokens.Token>> statements = PgTokens.statements(sql);
        boolean allOpaque = !statements.isEmpty();
        for (List<PgTokens.Token> statement : statements) {
            String text = sql.substring(statement.get(0).start(), statement.get(statement.size() - 1).end());
            allOpaque &= statement(statement, text, names);
        }
        return allOpaque;
    }

    /** Statements that start with these words are never what this guard checks. */
    private static final Set<String> ORDINARY = Set.of("select", "insert", "update", "delete", "with", "values", "table");

    /**
     * Whether a text is one ordinary DML or query statement, which this guard has nothing to say
     * about: its first word is SELECT, INSERT, UPDATE, DELETE, WITH, VALUES or TABLE, and it holds
     * no {@code ;} before its end (a {@code ;} inside a literal only costs the full check). Most texts
     * are answered here without lexing them.
     */
    static boolean ordinary(String sql) {
        int i = HarmlessCommands.skipComments(sql);
        int start = i;
        while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        if (i - start < 4 || i - start > 6 || !ORDINARY.contains(sql.substring(start, i).toLowerCase(java.util.Locale.ROOT))) {
            return false;
        }
        int semicolon = sql.indexOf(';', i);
        return semicolon < 0 || sql.substring(semicolon + 1).isBlank() && sql.indexOf(';') == semicolon;
    }

    /** Checks one statement; returns whether it is accepted server-side code. */
    private boolean statement(List<PgTokens.Token> tokens, String text, NameResolver names) {
        PgTokenCursor c = new PgTokenCursor(tokens);
        if (c.accept("do")) {
            opaque.refuseUnlessAllowed("a DO block", text);
            refuseDynamicSql("a DO block", tokens);
            return true;
        }
        if (c.accept("prepare")) {
            if (c.peekIs("transaction")) {
                return false;
            }
            String[] name = c.name();
            opaque.refuseUnlessAllowed("PREPARE", text);
            if (name != null && prepared.size() < MAX_PREPARED_NAMES) {
                prepared.add(name[0]);
            }
            return true;
        }
        if (c.accept("execute")) {
            String[] name = c.name();
            if (opaque.protectsAnything() && (name == null || !prepared.contains(name[0]))) {
                throw Rejection.unsupported("EXECUTE of a statement Veil did not see prepared is refused: Veil cannot "
                        + "tell which tables it writes or reads, and the policy encrypts some. PREPARE it through Veil "
                        + "first (it is accepted when it names no encrypted table), or bind values with a PreparedStatement");
            }
            return true;
        }
        if (c.accept("create")) {
            c.accept("or", "replace");
            c.accept("trusted");
            c.accept("procedural");
            if (c.accept("function") || c.accept("procedure")) {
                opaque.refuseUnlessAllowed("a function or procedure definition", text);
                refuseDynamicSql("a function or procedure definition", tokens);
                return true;
            }
            if (c.accept("rule")) {
                opaque.refuseUnlessAllowed("a rule", text);
                return true;
            }
            if (c.accept("trigger") || c.accept("constraint", "trigger") || c.accept("event", "trigger")) {
                opaque.refuseUnlessAllowed("a trigger", text);
                return true;
            }
        }
        if (c.accept("copy")) {
            copy(text);
            return false;
        }
        return ddl.check(tokens, names);
    }

    /**
     * Refuses code whose body runs dynamic SQL ({@code EXECUTE} of a string in PL/pgSQL): the
     * statement it runs is built at run time, so it may reach any table, named or not.
     */
    private void refuseDynamicSql(String what, List<PgTokens.Token> tokens) {
        for (PgTokens.Token t : tokens) {
            if (t.kind() == PgTokens.Kind.STRING && runsDynamicSql(t.key())) {
                opaque.refuseUnlessAllAllowed(what + " runs dynamic SQL (EXECUTE)");
            }
        }
    }

    /** Whether a routine body holds PL/pgSQL's {@code EXECUTE} (not {@code EXECUTE FUNCTION|PROCEDURE} of a trigger). */
    static boolean runsDynamicSql(String body) {
        if (!body.toLowerCase(java.util.Locale.ROOT).contains("execute")) {
            return false;
        }
        List<PgTokens.Token> inner = PgTokens.of(body);
        for (int i = 0; i < inner.size(); i++) {
            if (inner.get(i).is("execute")) {
                PgTokens.Token next = i + 1 < inner.size() ? inner.get(i + 1) : null;
                if (next == null || !(next.is("function") || next.is("procedure"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private void copy(String text) {
        if (protectedNames.mayMention(text)) {
            throw Rejection.unsupported("COPY naming the encrypted table(s) " + String.join(", ", protectedNames.mentioned(text))
                    + " is refused through a Statement: from a file or program it would load plaintext, and its query "
                    + "is not analysed. Use connection.unwrap(PGConnection.class).getCopyAPI(), which encrypts and "
                    + "decrypts COPY FROM STDIN and TO STDOUT in text and CSV formats");
        }
    }
}
