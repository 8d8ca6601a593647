package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.Policy;
import dev.veil.policy.TableName;
import dev.veil.policy.TablePolicy;
import dev.veil.search.CompanionColumns;
import dev.veil.search.SearchCapability;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns SQL text into a {@link StatementPlan}: which parameters and literals to encrypt for which
 * column, and which result columns to decrypt. Thread-safe; one instance per policy, shared by all
 * connections.
 *
 * <p>Text that names no protected relation (a policy table, or a view, child or partition of one
 * that a catalog snapshot reported) passes through without parsing, and the most recent such
 * texts are remembered apart. Other text is parsed once per resolution context (the connection's
 * database and search path, see {@link NameResolver}) and its plan (or its refusal) cached per
 * exact text and context in a bounded cache.
 *
 * <p>Plans are made under one connection's lexical rules ({@link SqlSyntax}): PostgreSQL's by
 * default, MariaDB's or MySQL's (with the session's {@code sql_mode}) through
 * {@link #plan(String, SchemaLookup, SqlSyntax)}, each with caches of its own.
 */
public final class SqlAnalyzer {
    private static final Logger LOG = LoggerFactory.getLogger(SqlAnalyzer.class);
    /** Slots for recently seen texts that name no policy table; a power of two. */
    private static final int PASS_THROUGH_SLOTS = 1024;

    private final Policy policy;
    private final SqlSyntax syntax;
    /** The analyzers of other syntaxes (on the PostgreSQL one only), sharing the DDL count and counters. */
    private final ConcurrentHashMap<SqlSyntax, SqlAnalyzer> bySyntax;
    private final int maxCachedPlans;
    /** Built from {@link #protectedNames}; replaced when a catalog snapshot reports new names. */
    private volatile FastPathFilter filter;
    /** Every name that needs analysis: the policy's tables and every protected relation seen in a snapshot. */
    private final Set<String> protectedNames;
    private final NameResolver policyOnly;
    /** Finds texts that may hold PREPARE or EXECUTE, which must be checked even when they name no policy table. */
    private static final FastPathFilter PREPARED_STATEMENT_WORDS = new FastPathFilter(List.of("prepare", "execute"));
    /** Rebuilt with {@link #filter}. */
    private volatile PgStatementGuard guard;
    /** MariaDB/MySQL commands checked before parsing ({@code null} under PostgreSQL's syntax); rebuilt with {@link #filter}. */
    private volatile MySqlCommands mysql;
    /** Exact SQL text and resolution context to {@link StatementPlan} or {@link Rejection}. */
    private final PlanCache<PlanKey, Cached> plans;
    /** Placeholder form of texts with literals, and context, to {@link PlanTemplate} or {@link Rejection}. */
    private final PlanCache<PlanKey, Cached> templates;
    /**
     * Plans of recently seen texts that name no policy table (DDL excepted), by hash slot: the
     * statements an application runs most often against its plain tables cost one array read and
     * one {@code equals} instead of a name search and a new plan each time. They are kept apart from
     * {@link #plans} so that an application building many distinct plain texts (with inlined
     * literals, say) cannot evict the plans that took a parse to make. Slots are read and written
     * without locks: a plan's fields are final, so a racing reader sees a whole plan or an older one.
     */
    private final StatementPlan[] passThroughs = new StatementPlan[PASS_THROUGH_SLOTS];
    /** How long an entry made from live column lists is trusted; {@link Long#MAX_VALUE}: until DDL. */
    private final long recheckNanos;
    /** Counts DDL seen: an entry checked under an older count is checked again before use. */
    private final AtomicInteger ddlSeen;
    private final LongAdder parses;
    private final LongAdder refusals;
    private final LongAdder schemaChanges;

    /**
     * @param policy the policy whose encrypted columns matter; its {@code schema.refresh-after}
     *        says how long plans made from live column lists are trusted
     * @param maxCachedPlans how many distinct SQL texts to remember (at least 1); as many
     *        literal-free forms of texts with literals are remembered besides
     */
    public SqlAnalyzer(Policy policy, int maxCachedPlans) {
        this(policy, maxCachedPlans, SqlSyntax.POSTGRESQL, null);
    }

    private SqlAnalyzer(Policy policy, int maxCachedPlans, SqlSyntax syntax, SqlAnalyzer shared) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.syntax = syntax;
        this.maxCachedPlans = maxCachedPlans;
        this.bySyntax = shared == null ? new ConcurrentHashMap<>() : null;
        this.protectedNames = new HashSet<>(shared == null ? policy.tableNameKeys() : shared.protectedNames);
        this.filter = new FastPathFilter(Set.copyOf(protectedNames));
        this.guard = new PgStatementGuard(new OpaqueCode(policy, filter), filter, new PgDdlRules(policy));
        this.mysql = syntax.isMySqlFamily() ? new MySqlCommands(policy, filter) : null;
        this.policyOnly = NameResolver.policyOnly(policy);
        this.plans = new PlanCache<>(maxCachedPlans);
        this.templates = new PlanCache<>(maxCachedPlans);
        this.recheckNanos = policy.schemaRefreshAfterNanos();
        this.ddlSeen = shared == null ? new AtomicInteger() : shared.ddlSeen;
        this.parses = shared == null ? new LongAdder() : shared.parses;
        this.refusals = shared == null ? new LongAdder() : shared.refusals;
        this.schemaChanges = shared == null ? new LongAdder() : shared.schemaChanges;
    }

    /**
     * Loads and initialises what analysing a statement needs (JSqlParser's classes and tables, the
     * analysis classes) on the calling thread, by planning two statements on the policy's first
     * encrypted column with an analyzer of its own: nothing is cached or counted anywhere else.
     * For a background thread at start-up, so that an application's first statement does not pay
     * for loading them. Never throws.
     */
    public static void warmUp(Policy policy) {
        try {
            SqlAnalyzer analyzer = new SqlAnalyzer(policy, 4);
            for (dev.veil.policy.ColumnPolicy c : policy.columns()) {
                String table = c.column().table().toString();
                String column = c.column().column().toString();
                analyzer.plan("INSERT INTO " + table + " (" + column + ") VALUES (?)", null);
                analyzer.plan("SELECT " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL", null);
                return;
            }
        } catch (VeilException | RuntimeException | LinkageError e) {
            LOG.debug("warming up the SQL analysis failed: {}", e.toString());
        }
    }

    /**
     * The plan for one SQL text read under the given lexical rules; see {@link #plan(String, SchemaLookup)}.
     * Texts are cached per syntax: one text can mean different things under different rules.
     *
     * @param syntax the connection's rules; {@code null} for PostgreSQL's
     */
    public StatementPlan plan(String sql, SchemaLookup schema, SqlSyntax syntax) throws VeilException {
        return forSyntax(syntax).plan(sql, schema);
    }

    /**
     * The analyzer that reads texts by {@code syntax} (this one for its own rules or {@code null}),
     * sharing this one's policy and cache size; a caller that plans many texts under the same rules
     * may keep it rather than look it up per text.
     */
    public SqlAnalyzer forSyntax(SqlSyntax syntax) {
        if (syntax == null || syntax.equals(this.syntax) || bySyntax == null) {
            return this;
        }
        SqlAnalyzer other = bySyntax.get(syntax);
        if (other == null) {
            other = bySyntax.computeIfAbsent(syntax, s -> new SqlAnalyzer(policy, maxCachedPlans, s, this));
        }
        return other;
    }

    /** Whether a SQL text may be DDL that changes tables ({@code CREATE}, {@code ALTER}, {@code DROP}, {@code RENAME}). */
    public static boolean mayChangeTables(String sql) {
        return HarmlessCommands.mayChangeTables(sql);
    }

    /**
     * The plan for one SQL text (a statement or a {@code ;}-separated script). The same text gives
     * the same plan instance while it stays cached. Texts that differ only in literal values share
     * one analysis: only the first of them is parsed.
     *
     * <p>A plan made from a table's live column list ({@code SELECT *}, {@code INSERT} without a
     * column list, unqualified columns of a join) is checked against the database again once the
     * policy's {@code schema.refresh-after} has passed, and before its next use after any DDL this
     * analyzer plans; when a list changed, every plan is made again.
     *
     * @param sql the SQL text, with JDBC {@code ?} parameters
     * @param schema column names of live tables, asked only when a statement needs them, and the
     *        connection's {@link NameResolver}; {@code null}: names mean what the policy says of them as written
     * @throws VeilException {@code VE006} ({@link VeilState#UNSUPPORTED_SQL}) when the statement uses an
     *         encrypted column in a way Veil cannot serve; {@code VE007} ({@link VeilState#UNPARSEABLE_SQL})
     *         when it names an encrypted table but cannot be parsed
     */
    public StatementPlan plan(String sql, SchemaLookup schema) throws VeilException {
        Objects.requireNonNull(sql, "sql");
        // two candidate slots per text, so two texts an application alternates between rarely evict each other
        int hash = sql.hashCode();
        int slot = hash & (PASS_THROUGH_SLOTS - 1);
        int other = (hash >>> 10 ^ hash >>> 20) & (PASS_THROUGH_SLOTS - 1);
        StatementPlan known = passThroughs[slot];
        if (known != null && known.sql().equals(sql) && (schema == null || !schema.catalogDue())) {
            return known;
        }
        known = passThroughs[other];
        if (known != null && known.sql().equals(sql) && (schema == null || !schema.catalogDue())) {
            return known;
        }
        boolean ddl = HarmlessCommands.mayChangeTables(sql);
        if (ddl) {
            ddlSeen.incrementAndGet();
            if (schema != null) {
                schema.forget();
            }
        }
        NameResolver names;
        try {
            names = schema == null ? null : schema.resolver();
        } catch (VeilException e) {
            if (!filter.mayMention(sql)) {
                // ROLLBACK in an aborted transaction, say: it names nothing protected and must run
                return StatementPlan.passThrough(sql).withEffect(SessionEffect.of(sql));
            }
            throw e;
        }
        if (names == null) {
            names = policyOnly;
        }
        // the cache next: an app preparing the same statement on every call must not pay the name
        // search either; SQL that names no encrypted table is remembered above, never in the cache
        PlanKey key = new PlanKey(sql, names.context());
        Cached cached = plans.get(key);
        if (cached != null && !stillCurrent(cached, schema)) {
            cached = null;
        }
        if (cached == null) {
            if (!filter.mayMention(sql) && !(syntax.isMySqlFamily() && MySqlCommands.OPAQUE.mayMention(sql))) {
                if (!syntax.isMySqlFamily() && PREPARED_STATEMENT_WORDS.mayMention(sql)) {
                    guardOrThrow(sql, names); // an EXECUTE is refused unless its PREPARE was accepted
                }
                StatementPlan plain = StatementPlan.passThrough(sql).withEffect(SessionEffect.of(sql));
                if (!ddl) {
                    // DDL is never remembered: every DDL text must reach the schema cache's forget()
                    passThroughs[passThroughs[slot] == null || passThroughs[other] != null ? slot : other] = plain;
                }
                return plain;
            }
            cached = analyse(sql, schema, names, key);
        }
        if (cached.value instanceof Rejection r) {
            refusals.increment();
            throw r.toException();
        }
        return (StatementPlan) cached.value;
    }

    /**
     * Runs {@link PgStatementGuard} on a text read by PostgreSQL's rules (MySQL-family texts have
     * {@link MySqlCommands}); returns whether it is accepted server-side code only.
     */
    private boolean guardOrThrow(String sql, NameResolver names) throws VeilException {
        try {
            return guard.check(sql, names);
        } catch (Rejection r) {
            refusals.increment();
            throw r.toException();
        }
    }

    /**
     * Plans a text not in the cache (or no longer current) and caches the plan or the refusal.
     * Refusals by {@link PgStatementGuard} are not cached: whether an EXECUTE is accepted depends on
     * the PREPAREs seen so far.
     */
    private Cached analyse(String sql, SchemaLookup schema, NameResolver names, PlanKey key) throws VeilException {
        if (!syntax.isMySqlFamily() && guardOrThrow(sql, names)) {
            // server-side code the policy accepts: nothing in it can be encrypted, and the parser does not model it
            return plans.putIfAbsent(key, new Cached(StatementPlan.passThrough(sql).withEffect(SessionEffect.of(sql)), List.of(), System.nanoTime(), ddlSeen.get()));
        }
        int ddl = ddlSeen.get();
        long started = System.nanoTime();
        LiveColumns live = new LiveColumns(schema);
        Object outcome;
        try {
            outcome = compute(sql, live, names).with(SessionEffect.of(sql), names.context());
        } catch (Rejection r) {
            outcome = r;
        } catch (LiveColumns.LookupFailure f) {
            throw f.exception; // transient: not cached
        } catch (RuntimeException e) {
            // a shape the analysis does not expect: refuse rather than guess. The SQL text may hold
            // plaintext literals, so it is not logged.
            LOG.warn("SQL analysis failed with {}; refusing the statement", e.toString());
            outcome = new Rejection(VeilState.UNSUPPORTED_SQL, "Veil could not analyse this statement ("
                    + e.getClass().getSimpleName() + "); it touches an encrypted table, so it is refused");
        }
        return plans.putIfAbsent(key, new Cached(outcome, live.seen(), started, ddl));
    }

    /**
     * Whether an entry may be used: it was made from no live column list, or it was checked
     * recently and since the last DDL, or the lists it was made from are still what the database
     * says. A changed list drops every cached plan. When the database cannot be asked, the entry
     * stays and is checked at its next use (the statement itself will meet the same trouble).
     */
    private boolean stillCurrent(Cached entry, SchemaLookup schema) {
        if (entry.lookups.isEmpty() || schema == null) {
            return true;
        }
        long now = System.nanoTime();
        int ddl = ddlSeen.get();
        if (entry.ddlSeen == ddl && now - entry.checkedAt < recheckNanos) {
            return true;
        }
        for (LiveColumns.TableColumns t : entry.lookups) {
            List<String> columns;
            try {
                columns = schema.columns(t.schema(), t.table());
            } catch (SQLException e) {
                LOG.debug("cannot re-read the columns of table {} ({}); the plan stays until its next use", t.table(), e.getSQLState());
                return true;
            }
            if (!t.columns().equals(columns == null ? List.of() : columns)) {
                LOG.info("the columns of table {} changed; statements are analysed again", t.table());
                schemaChanges.increment();
                plans.clear();
                templates.clear();
                return false;
            }
        }
        entry.checkedAt = now;
        entry.ddlSeen = ddl;
        return true;
    }

    /** How many SQL texts are cached now (for metrics and tests). */
    public int cachedPlans() {
        int n = plans.size();
        if (bySyntax != null) {
            for (SqlAnalyzer other : bySyntax.values()) {
                n += other.plans.size();
            }
        }
        return n;
    }

    /** How many statements were refused (VE006, VE007) so far, cached refusals included. */
    public long refusedStatements() {
        return refusals.sum();
    }

    /** How many SQL texts were parsed so far (for metrics and tests). */
    public long parsedTexts() {
        return parses.sum();
    }

    /** How many times a table's columns were found changed, dropping the cached plans (for metrics and tests). */
    public long schemaChanges() {
        return schemaChanges.sum();
    }

    /**
     * A catalog snapshot was read. Its relation names join the names that need analysis (names are
     * never dropped: a name too many costs a parse, one too few would leak); when it says something
     * new, every cached plan is made again.
     *
     * @param changed whether it differs from the previous snapshot of the same database
     */
    public void observe(ProtectedRelations snapshot, boolean changed) {
        synchronized (protectedNames) {
            if (!protectedNames.containsAll(snapshot.nameKeys())) {
                protectedNames.addAll(snapshot.nameKeys());
                FastPathFilter f = new FastPathFilter(Set.copyOf(protectedNames));
                guard = new PgStatementGuard(new OpaqueCode(policy, f), f, new PgDdlRules(policy));
                mysql = syntax.isMySqlFamily() ? new MySqlCommands(policy, f) : null;
                filter = f;
                java.util.Arrays.fill(passThroughs, null);
                changed = true;
            }
        }
        if (changed) {
            plans.clear();
            templates.clear();
        }
        if (bySyntax != null) {
            for (SqlAnalyzer other : bySyntax.values()) {
                other.observe(snapshot, changed);
            }
        }
    }

    /** Whether a text names a protected relation as a word (a quick test: it may also be a false yes). */
    public boolean mayMentionProtected(String sql) {
        return filter.mayMention(sql);
    }

    private StatementPlan compute(String sql, LiveColumns schema, NameResolver names) {
        ScannedSql scanned = syntax.scan(sql);
        if (syntax.isMySqlFamily()) {
            mysql.check(scanned, names.relations());
        } else if (scanned.ambiguity() != null) {
            throw Rejection.unsupported("this statement names encrypted table(s) " + String.join(", ", filter.mentioned(sql))
                    + " and has " + scanned.ambiguity() + ", which Veil does not read on " + syntax.family()
                    + "; rewrite it without that");
        }
        if (scanned.literals().isEmpty()) {
            return template(scanned, schema, names).instantiate(scanned);
        }
        PlanKey key = new PlanKey(scanned.normalized(), names.context());
        Cached cached = templates.get(key);
        if (cached != null && !stillCurrent(cached, schema.lookup())) {
            cached = null;
        }
        if (cached != null) {
            if (cached.value instanceof Rejection r) {
                schema.include(cached.lookups);
                throw r;
            }
            if (cached.value instanceof PlanTemplate t && t.fits(scanned)) {
                schema.include(cached.lookups);
                return t.instantiate(scanned);
            }
        }
        int ddl = ddlSeen.get();
        long started = System.nanoTime();
        PlanTemplate fresh;
        try {
            fresh = template(scanned, schema, names);
        } catch (Rejection r) {
            if (cached == null) {
                templates.putIfAbsent(key, new Cached(r, schema.seen(), started, ddl));
            }
            throw r;
        }
        if (cached == null) {
            templates.putIfAbsent(key, new Cached(fresh, schema.seen(), started, ddl));
        }
        return fresh.instantiate(scanned);
    }

    private PlanTemplate template(ScannedSql scanned, LiveColumns schema, NameResolver names) {
        StatementParser.Parsed parsed;
        try {
            if (!scanned.balanced()) {
                // JSqlParser can take minutes to give up on unbalanced parentheses
                throw new StatementParser.Unparseable("unbalanced parentheses");
            }
            parses.increment();
            parsed = StatementParser.parse(scanned.normalized());
        } catch (StatementParser.Unparseable e) {
            unparseable(scanned.normalized(), e.getMessage(), names);
            return PlanTemplate.passThrough();
        }
        if (parsed.statements().size() > 1) {
            boolean changesNames = false;
            boolean data = false;
            for (Statement statement : parsed.statements()) {
                SessionEffect e = SessionEffect.ofCommand(statement.toString());
                changesNames |= e == SessionEffect.NAMES || e == SessionEffect.DDL;
                data |= statement instanceof Select || statement instanceof Insert || statement instanceof Update
                        || statement instanceof Delete || statement instanceof Merge || statement instanceof Upsert;
            }
            if (changesNames && data) {
                throw Rejection.unsupported("a script that names an encrypted table and also changes how names resolve "
                        + "(SET search_path, SET SCHEMA, SET ROLE, RESET, USE, set_config, DDL) cannot be analysed: "
                        + "its later statements would be read with the names as they were before; run the commands one by one");
            }
        }
        // a class rather than a lambda, which spins a class at first use (a JVM's first plan)
        Analysis analysis = new Analysis(policy, filter, schema, scanned, names,
                new java.util.function.Function<ProtectedRelations.ProtectedRelation, ViewColumns>() {
                    @Override
                    public ViewColumns apply(ProtectedRelations.ProtectedRelation v) {
                        return view(v, names, schema);
                    }
                });
        for (Statement statement : parsed.statements()) {
            analysis.statements().analyze(statement);
        }
        if (!analysis.bindings.parameters().isEmpty()) {
            checkParameterNumbering(scanned, parsed);
        }
        if (!analysis.bindings.sort().isEmpty() && syntax.family() != SqlSyntax.Family.POSTGRESQL) {
            // Veil sorts by PostgreSQL's rules (code points, NULLs last ascending); MariaDB, MySQL and H2 put NULLs first
            // and compare strings by their collations, so a sorted answer there would differ from the database's
            ColumnPolicy key = analysis.bindings.sort().stream().map(SortKey::encrypted).filter(c -> c != null).findFirst().orElseThrow();
            throw Rejection.unsupported(key, "ORDER BY is not supported on encrypted columns on " + syntax.family()
                    + ": Veil sorts decrypted rows only by PostgreSQL's ordering rules; sort in the application");
        }
        return new PlanTemplate(analysis.bindings);
    }

    /**
     * JSqlParser numbers {@code ?} in the order it meets them, as JDBC does; should it read a
     * {@code ?} as something else (PostgreSQL's {@code ?} and {@code ?|} JSON operators), every later
     * parameter would be encrypted for the wrong column. So it must have numbered every marker.
     */
    private static void checkParameterNumbering(ScannedSql scanned, StatementParser.Parsed parsed) {
        if (parsed.parameters() != scanned.parameterMarkers()) {
            throw Rejection.unsupported("cannot number the parameters of this statement reliably (" + scanned.parameterMarkers()
                    + " markers in the text, " + parsed.parameters() + " read as parameters); avoid ? operators "
                    + "in statements on encrypted columns");
        }
    }

    /**
     * Throws unless the text is a harmless command (DDL, LOCK, VACUUM...) or every encrypted table it
     * names allows unparseable SQL. {@code sql} is the placeholder form.
     */
    private void unparseable(String sql, String where, NameResolver resolver) {
        if (HarmlessCommands.isHarmless(sql)) {
            return;
        }
        Set<String> names = filter.mentioned(sql);
        boolean allowed = true;
        for (TablePolicy t : policy.tables()) {
            if (names.contains(t.name().name().key().toLowerCase(Locale.ROOT)) && !t.allowUnparseable()) {
                allowed = false;
            }
        }
        for (ProtectedRelations.ProtectedRelation r : resolver.relations().relations()) {
            if (names.contains(r.name().toLowerCase(Locale.ROOT)) && (r.policy() == null || !r.policy().allowUnparseable())) {
                allowed = false; // a view, or a child of a table that does not allow it
            }
        }
        if (allowed) {
            LOG.debug("passing through unparseable SQL on tables {} that allow it", names);
            return;
        }
        throw new Rejection(VeilState.UNPARSEABLE_SQL, "cannot parse a statement on encrypted table(s) "
                + String.join(", ", names) + " (" + where + "); rewrite it, or set allow-unparseable on the table");
    }

    /**
     * The policy of the columns a protected view exposes, found by analysing its definition as a
     * derived table: each view column that carries an encrypted column's values unchanged maps to
     * that column (so reads decrypt, equality on deterministic columns works, and writes through
     * an auto-updatable view encrypt). A view that uses an encrypted column any other way is
     * refused. Made once per catalog snapshot.
     *
     * @return the view's columns, or {@code null} when it exposes no encrypted column
     */
    private ViewColumns view(ProtectedRelations.ProtectedRelation view, NameResolver names, LiveColumns live) {
        Object mapped = names.relations().viewMapping(view, v -> mapView(v, names.along(v.renderedPath()), live));
        if (mapped instanceof Rejection r) {
            throw r;
        }
        return ((Optional<?>) mapped).map(ViewColumns.class::cast).orElse(null);
    }

    private Object mapView(ProtectedRelations.ProtectedRelation view, NameResolver names, LiveColumns live) {
        String what = "view " + view.schema() + "." + view.name();
        try {
            String text = view.definition() == null ? "" : view.definition().strip();
            while (text.endsWith(";")) {
                text = text.substring(0, text.length() - 1).strip();
            }
            ScannedSql scanned = syntax.scan(text);
            StatementParser.Parsed parsed = StatementParser.parse(scanned.normalized());
            if (parsed.statements().size() != 1 || !(parsed.statements().get(0) instanceof Select select)) {
                return cannotMap(what, "its definition is not one query");
            }
            Analysis analysis = new Analysis(policy, filter, live, scanned, names, v -> view(v, names, live));
            QueryResult result = analysis.queries.analyze(select, null);
            List<OutputColumn> out = result.columns();
            if (!result.exact() || !view.columns().isEmpty() && out.size() != view.columns().size()) {
                return cannotMap(what, "its columns cannot be matched to its query");
            }
            Map<String, ColumnPolicy> columns = new LinkedHashMap<>();
            Map<String, Map<SearchCapability, Identifier>> indexes = new HashMap<>();
            Map<String, CompanionColumns.Companion> companions = new HashMap<>();
            Map<String, String> copies = new HashMap<>();
            for (int i = 0; i < out.size(); i++) {
                Origin o = out.get(i).origin();
                String name = viewColumn(view, out, i);
                if (o instanceof Origin.Encrypted e) {
                    if (name == null) {
                        return cannotMap(what, "an encrypted column has no name in it");
                    }
                    String key = Identifier.parse(ProtectedRelations.quoted(name)).key();
                    columns.put(key, e.column());
                    String copiedBy = view.kind() == ProtectedRelations.Kind.MATERIALIZED_VIEW ? "materialized view " + view.schema() + "."
                            + view.name() : e.copiedBy();
                    if (copiedBy != null) {
                        copies.put(key, copiedBy);
                    }
                    Map<SearchCapability, Identifier> own = new EnumMap<>(SearchCapability.class);
                    result.companions(e).forEach((capability, at) -> own.put(capability, new Identifier(viewColumn(view, out, at), true)));
                    indexes.put(key, own);
                } else if (o instanceof Origin.Companion k && name != null && result.pairs(k)) {
                    companions.put(Identifier.parse(ProtectedRelations.quoted(name)).key(),
                            new CompanionColumns.Companion(k.owner(), k.capability(), new Identifier(name, true)));
                }
            }
            if (columns.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ViewColumns(new TablePolicy(new TableName(new Identifier(view.schema(), true),
                    new Identifier(view.name(), true)), columns, false), indexes, companions, copies));
        } catch (Rejection r) {
            return cannotMap(what, r.getMessage());
        } catch (StatementParser.Unparseable e) {
            return cannotMap(what, "its definition cannot be parsed");
        }
    }

    /** The name of a view's column {@code i}: as the catalog lists it, else as its query names it. */
    private static String viewColumn(ProtectedRelations.ProtectedRelation view, List<OutputColumn> out, int i) {
        return view.columns().isEmpty() ? out.get(i).name() : view.columns().get(i);
    }

    private static Rejection cannotMap(String what, String reason) {
        return new Rejection(VeilState.UNSUPPORTED_SQL, what + " reads encrypted columns, but Veil cannot map its columns to "
                + "them (" + reason + "); query the underlying table, or define the view so each encrypted column is selected as is");
    }

    /** A SQL text (or its placeholder form) and the resolution context it was analysed under. */
    private record PlanKey(String text, int context) {
        // written out: looked up for every statement prepared, and the generated record methods do not always inline

        @Override
        public boolean equals(Object o) {
            return o instanceof PlanKey k && context == k.context && text.equals(k.text);
        }

        @Override
        public int hashCode() {
            return text.hashCode() * 31 + context;
        }
    }

    /**
     * A cached plan, template or refusal, with the live column lists it was made from and when
     * those were last found current.
     */
    private static final class Cached {
        final Object value;
        final List<LiveColumns.TableColumns> lookups;
        volatile long checkedAt;
        volatile int ddlSeen;

        Cached(Object value, List<LiveColumns.TableColumns> lookups, long checkedAt, int ddlSeen) {
            this.value = value;
            this.lookups = lookups;
            this.checkedAt = checkedAt;
            this.ddlSeen = ddlSeen;
        }
    }
}
