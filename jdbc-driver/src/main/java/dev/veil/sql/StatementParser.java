package dev.veil.sql;

import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.UnsupportedStatement;

import java.util.List;

/**
 * Parses SQL with JSqlParser on the calling thread. {@code CCJSqlParserUtil.parse} hands every parse
 * to an executor thread to enforce a timeout, which costs several times the parse itself
 * (DESIGN §9); we parse each distinct text once, so we call the generated parser directly.
 */
final class StatementParser {

    private StatementParser() {
    }

    /**
     * The statements of a text (one, or a {@code ;}-separated script).
     *
     * @throws Unparseable when the text cannot be parsed; its message holds no SQL text
     */
    static List<Statement> parse(String sql) throws Unparseable {
        try {
            return parse(sql, false);
        } catch (Unparseable first) {
            // JSqlParser's own entry point retries with complex parsing the same way
            return parse(sql, true);
        }
    }

    private static List<Statement> parse(String sql, boolean complex) throws Unparseable {
        try {
            CCJSqlParser parser = new CCJSqlParser(new StringProvider(sql)).withAllowComplexParsing(complex);
            Statements statements = parser.Statements();
            for (Statement s : statements) {
                if (s instanceof UnsupportedStatement) {
                    throw new Unparseable("statement not understood");
                }
            }
            return statements;
        } catch (ParseException e) {
            throw new Unparseable(where(e.currentToken));
        } catch (RuntimeException | StackOverflowError e) {
            // TokenMgrException and the parser's own failures
            throw new Unparseable(e.getClass().getSimpleName());
        }
    }

    private static String where(Token current) {
        Token at = current == null ? null : current.next != null ? current.next : current;
        return at == null ? "syntax error" : "syntax error at line " + at.beginLine + ", column " + at.beginColumn;
    }

    /** A text JSqlParser cannot parse. The message says where, never what. */
    static final class Unparseable extends Exception {
        Unparseable(String message) {
            super(message, null, false, false);
        }
    }
}
