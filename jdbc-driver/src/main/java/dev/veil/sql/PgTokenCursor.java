package dev.veil.sql;

import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;

import java.util.ArrayList;
import java.util.List;

/** Reads the tokens of one PostgreSQL statement from left to right. */
final class PgTokenCursor {
    private final List<PgTokens.Token> tokens;
    private int at;

    PgTokenCursor(List<PgTokens.Token> tokens) {
        this.tokens = tokens;
    }

    boolean done() {
        return at >= tokens.size();
    }

    /** The current token, or {@code null} at the end. */
    PgTokens.Token peek() {
        return peek(0);
    }

    PgTokens.Token peek(int ahead) {
        return at + ahead < tokens.size() ? tokens.get(at + ahead) : null;
    }

    PgTokens.Token next() {
        return done() ? null : tokens.get(at++);
    }

    /** Consumes the current token if it is the keyword {@code word}. */
    boolean accept(String word) {
        PgTokens.Token t = peek();
        if (t != null && t.is(word)) {
            at++;
            return true;
        }
        return false;
    }

    /** Consumes the keywords if they all come next, in order. */
    boolean accept(String... words) {
        for (int i = 0; i < words.length; i++) {
            PgTokens.Token t = peek(i);
            if (t == null || !t.is(words[i])) {
                return false;
            }
        }
        at += words.length;
        return true;
    }

    /** Whether the current token is the keyword {@code word}, without consuming it. */
    boolean peekIs(String word) {
        PgTokens.Token t = peek();
        return t != null && t.is(word);
    }

    boolean peekIsSymbol(String symbol) {
        PgTokens.Token t = peek();
        return t != null && t.isSymbol(symbol);
    }

    boolean acceptSymbol(String symbol) {
        PgTokens.Token t = peek();
        if (t != null && t.isSymbol(symbol)) {
            at++;
            return true;
        }
        return false;
    }

    /** A possibly qualified name ({@code a}, {@code a.b}, {@code "A".b}) as written, or {@code null}. */
    String[] name() {
        PgTokens.Token first = peek();
        if (first == null || !first.isName()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        parts.add(written(next()));
        while (peek() != null && peek().isSymbol(".") && peek(1) != null && peek(1).isName()) {
            at++;
            parts.add(written(next()));
        }
        return parts.toArray(new String[0]);
    }

    /**
     * The tokens of a parenthesised group starting at the cursor (the parentheses excluded), split
     * at its top-level commas; the cursor moves past the closing parenthesis. Empty when the cursor
     * is not at {@code (}.
     */
    List<List<PgTokens.Token>> group() {
        List<List<PgTokens.Token>> out = new ArrayList<>();
        if (!acceptSymbol("(")) {
            return out;
        }
        List<PgTokens.Token> current = new ArrayList<>();
        int depth = 1;
        while (!done()) {
            PgTokens.Token t = next();
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")") && --depth == 0) {
                break;
            } else if (t.isSymbol(",") && depth == 1) {
                out.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(t);
        }
        out.add(current);
        return out;
    }

    /** The remaining tokens split at top-level commas. */
    List<List<PgTokens.Token>> restByComma() {
        List<List<PgTokens.Token>> out = new ArrayList<>();
        List<PgTokens.Token> current = new ArrayList<>();
        int depth = 0;
        while (!done()) {
            PgTokens.Token t = next();
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (t.isSymbol(",") && depth == 0) {
                out.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(t);
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** The remaining tokens. */
    List<PgTokens.Token> rest() {
        List<PgTokens.Token> out = new ArrayList<>(tokens.subList(Math.min(at, tokens.size()), tokens.size()));
        at = tokens.size();
        return out;
    }

    /** A name token as SQL would write it: quoted names keep their quotes, so policy matching sees them. */
    static String written(PgTokens.Token t) {
        return t.kind() == PgTokens.Kind.QUOTED ? '"' + t.key().replace("\"", "\"\"") + '"' : t.key();
    }

    /** The policy of a table named by {@code parts} ({@code [table]} or {@code [schema, table]}), or {@code null}. */
    static TablePolicy table(Policy policy, String[] parts) {
        if (parts == null || parts.length == 0) {
            return null;
        }
        String table = parts[parts.length - 1];
        String schema = parts.length >= 2 ? parts[parts.length - 2] : null;
        return policy.table(schema, table).orElse(null);
    }
}
