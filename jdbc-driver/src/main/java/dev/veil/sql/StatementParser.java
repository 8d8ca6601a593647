package dev.veil.sql;

import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.UnsupportedStatement;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Parses SQL with JSqlParser on the calling thread. {@code CCJSqlParserUtil.parse} hands every parse
 * to an executor thread to enforce a timeout, which costs several times the parse itself
 * (DESIGN §9); we parse each distinct text once, so we call the generated parser directly.
 */
final class StatementParser {

    /**
     * JSqlParser backtracks exponentially on some broken input (unbalanced parentheses took minutes
     * with complex parsing); a watchdog sets the parser's own {@code interrupted} flag after this
     * long, plus {@link #MILLIS_PER_100_KB} for long texts such as big multi-row INSERTs.
     */
    static final long TIMEOUT_MILLIS = 2_000;
    static final long MILLIS_PER_100_KB = 1_000;

    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private StatementParser() {
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        // classes rather than lambdas here and in parse: each lambda spins a class at first use (a JVM's first statements)
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, new java.util.concurrent.ThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "veil-sql-parse-watchdog");
                t.setDaemon(true);
                return t;
            }
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /**
     * The statements of a text and how many JDBC parameters JSqlParser numbered in it.
     *
     * @param statements the statements, in order
     * @param parameters how many {@code ?} the parser read as parameters (numbered 1..n in text order)
     */
    record Parsed(List<Statement> statements, int parameters) {
    }

    /**
     * The statements of a text (one, or a {@code ;}-separated script).
     *
     * @throws Unparseable when the text cannot be parsed; its message holds no SQL text
     */
    static Parsed parse(String sql) throws Unparseable {
        try {
            return parse(sql, false);
        } catch (Unparseable first) {
            if (first.timedOut) {
                throw first;
            }
            // JSqlParser's own entry point retries with complex parsing the same way
            return parse(sql, true);
        }
    }

    private static Parsed parse(String sql, boolean complex) throws Unparseable {
        CountingParser parser = new CountingParser(sql);
        parser.withAllowComplexParsing(complex);
        long timeout = timeout(sql);
        ScheduledFuture<?> watch = WATCHDOG.schedule(new Runnable() {
            @Override
            public void run() {
                parser.interrupted = true;
            }
        }, timeout, TimeUnit.MILLISECONDS);
        try {
            Statements statements = parser.Statements();
            if (parser.interrupted) {
                throw new Unparseable("parsing took longer than " + timeout + " ms", true);
            }
            for (Statement s : statements) {
                if (s instanceof UnsupportedStatement) {
                    throw new Unparseable("statement not understood");
                }
            }
            return new Parsed(statements, parser.parametersNumbered());
        } catch (ParseException e) {
            throw new Unparseable(parser.interrupted ? "parsing took longer than " + timeout + " ms" : where(e.currentToken),
                    parser.interrupted);
        } catch (RuntimeException | StackOverflowError e) {
            // TokenMgrException and the parser's own failures
            throw new Unparseable(e.getClass().getSimpleName());
        } finally {
            watch.cancel(false);
        }
    }

    static long timeout(String sql) {
        return TIMEOUT_MILLIS + sql.length() / 100_000L * MILLIS_PER_100_KB;
    }

    private static String where(Token current) {
        Token at = current == null ? null : current.next != null ? current.next : current;
        return at == null ? "syntax error" : "syntax error at line " + at.beginLine + ", column " + at.beginColumn;
    }

    /** Exposes the parser's own count of the JDBC parameters it numbered. */
    private static final class CountingParser extends CCJSqlParser {
        CountingParser(String sql) {
            super(new StringProvider(sql));
        }

        int parametersNumbered() {
            return jdbcParameterIndex;
        }
    }

    /** A text JSqlParser cannot parse. The message says where, never what. */
    static final class Unparseable extends Exception {
        final boolean timedOut;

        Unparseable(String message) {
            this(message, false);
        }

        Unparseable(String message, boolean timedOut) {
            super(message, null, false, false);
            this.timedOut = timedOut;
        }
    }
}
