package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;
import net.sf.jsqlparser.statement.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns SQL text into a {@link StatementPlan}: which parameters and literals to encrypt for which
 * column, and which result columns to decrypt. Thread-safe; one instance per policy, shared by all
 * connections.
 *
 * <p>Text that names no table of the policy passes through without parsing. Other text is parsed
 * once and its plan (or its refusal) cached per exact text in a bounded cache.
 */
public final class SqlAnalyzer {
    private static final Logger LOG = LoggerFactory.getLogger(SqlAnalyzer.class);

    private final Policy policy;
    private final FastPathFilter filter;
    /** Values are {@link StatementPlan}s or {@link Rejection}s. */
    private final PlanCache<Object> cache;

    /**
     * @param policy the policy whose encrypted columns matter
     * @param maxCachedPlans how many distinct SQL texts to remember (at least 1)
     */
    public SqlAnalyzer(Policy policy, int maxCachedPlans) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.filter = new FastPathFilter(policy.tableNameKeys());
        this.cache = new PlanCache<>(maxCachedPlans);
    }

    /**
     * The plan for one SQL text (a statement or a {@code ;}-separated script). The same text gives
     * the same plan instance while it stays cached.
     *
     * @param sql the SQL text, with JDBC {@code ?} parameters
     * @param schema column names of live tables, asked only when a statement needs them
     * @throws VeilException {@code VE006} ({@link VeilState#UNSUPPORTED_SQL}) when the statement uses an
     *         encrypted column in a way Veil cannot serve; {@code VE007} ({@link VeilState#UNPARSEABLE_SQL})
     *         when it names an encrypted table but cannot be parsed
     */
    public StatementPlan plan(String sql, SchemaLookup schema) throws VeilException {
        Objects.requireNonNull(sql, "sql");
        if (!filter.mayMention(sql)) {
            return StatementPlan.passThrough(sql);
        }
        Object cached = cache.get(sql);
        if (cached == null) {
            try {
                cached = analyze(sql, schema);
            } catch (Rejection r) {
                cached = r;
            } catch (LiveColumns.LookupFailure f) {
                throw f.exception; // transient: not cached
            }
            cached = cache.putIfAbsent(sql, cached);
        }
        if (cached instanceof Rejection r) {
            throw r.toException();
        }
        return (StatementPlan) cached;
    }

    /** How many SQL texts are cached now (for metrics and tests). */
    public int cachedPlans() {
        return cache.size();
    }

    private StatementPlan analyze(String sql, SchemaLookup schema) {
        ScannedSql scanned = LiteralScanner.scan(sql);
        List<Statement> statements;
        try {
            if (!scanned.balanced()) {
                // JSqlParser can take minutes to give up on unbalanced parentheses
                throw new StatementParser.Unparseable("unbalanced parentheses");
            }
            statements = StatementParser.parse(scanned.normalized());
        } catch (StatementParser.Unparseable e) {
            return unparseable(sql, e.getMessage());
        }
        Analysis analysis = new Analysis(policy, filter, schema, scanned);
        for (Statement statement : statements) {
            analysis.statements().analyze(statement);
        }
        Bindings bindings = analysis.bindings;
        if (!bindings.touchesEncrypted()) {
            return StatementPlan.passThrough(sql);
        }
        return new StatementPlan(sql, true, bindings.parameters(), literalTargets(scanned, bindings), bindings.resultSets());
    }

    private StatementPlan unparseable(String sql, String where) {
        Set<String> names = filter.mentioned(sql);
        boolean allowed = true;
        for (TablePolicy t : policy.tables()) {
            if (names.contains(t.name().name().key().toLowerCase(java.util.Locale.ROOT)) && !t.allowUnparseable()) {
                allowed = false;
            }
        }
        if (allowed) {
            LOG.debug("passing through unparseable SQL on tables {} that allow it", names);
            return StatementPlan.passThrough(sql);
        }
        throw new Rejection(VeilState.UNPARSEABLE_SQL, "cannot parse a statement on encrypted table(s) "
                + String.join(", ", names) + " (" + where + "); rewrite it, or set allow-unparseable on the table");
    }

    private static List<LiteralTarget> literalTargets(ScannedSql scanned, Bindings bindings) {
        List<LiteralTarget> out = new ArrayList<>();
        for (Map.Entry<Integer, Origin.Literal> e : bindings.literals().entrySet()) {
            SqlLiteral literal = scanned.literals().get(e.getKey());
            ColumnPolicy column = bindings.literalColumn(e.getKey());
            if (!literal.prefix().isEmpty() && !literal.prefix().equals("N")) {
                throw Rejection.unsupported(column, "only plain quoted strings and numbers can be encrypted as literals");
            }
            int start = literal.start();
            String value = literal.value();
            if (e.getValue().negative()) {
                start = signBefore(scanned.original(), start);
                if (start < 0) {
                    throw Rejection.unsupported(column, "a signed literal in this form cannot be encrypted");
                }
                value = "-" + value;
            }
            out.add(new LiteralTarget(start, literal.end(), column, value));
        }
        out.sort(Comparator.comparingInt(LiteralTarget::start));
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
