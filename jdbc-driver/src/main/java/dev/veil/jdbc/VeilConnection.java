package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.sql.LiteralTarget;
import dev.veil.sql.NameResolver;
import dev.veil.sql.SchemaLookup;
import dev.veil.sql.SessionEffect;
import dev.veil.sql.SqlAnalyzer;
import dev.veil.sql.SqlSyntax;
import dev.veil.sql.StatementPlan;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A connection whose statements encrypt values bound for encrypted columns and decrypt them in
 * results. Every object it hands out is a Veil wrapper, so the application cannot reach the real
 * driver's statements ({@link #unwrap} hands out vendor interfaces only as guarded proxies, see
 * {@link VendorUnwrap}).
 */
public final class VeilConnection extends DelegatingConnection {
    private final Runtimes.Runtime runtime;
    private final SchemaLookup schema;
    private final ConnectionNames names;
    private final ParameterEncryptor encryptor;
    private final PolicyFit.Database database;
    private final UniqueGuard guard = new UniqueGuard(this);
    private SqlDialect dialect;
    /** The lexical rules of this connection; read again before the next plan or check once {@link #reread} is set. */
    private volatile SqlSyntax syntax;
    /** Set once a text that may change the rules ({@link SqlModes#rereadAfter}) was planned or run on this connection. */
    private volatile boolean modeMayChange;
    /** Set when such a text may have run since {@link #syntax} was read: read it once more before the next statement. */
    private volatile boolean reread;
    /**
     * Whether the driver may replace the server connection without a word ({@link SqlModes#mayReconnectSilently}):
     * then, once the rules may have changed, they are read before every statement, not once.
     */
    private final boolean silentReconnects;
    /** The analyzer for {@link #analyzerSyntax}. */
    private SqlAnalyzer analyzer;
    private SqlSyntax analyzerSyntax;
    private SqlAnalyzer analyzerRoot;

    /**
     * Wraps a connection of the real driver, after holding it to the policy's {@code transport}
     * section (once per physical connection) and the policy against its database's catalog (once
     * per database, and again after DDL run through Veil).
     *
     * @param url the URL the connection was opened with, or {@code null} when unknown
     * @param info the properties it was opened with, or {@code null} when unknown
     * @throws SQLException {@code VE011} when the link to the database does not satisfy the policy,
     *         {@code VE001} when the policy does not fit the database
     */
    static VeilConnection open(Connection raw, Runtimes.Runtime runtime, String url, java.util.Properties info) throws SQLException {
        runtime.transport().admit(raw, url, info);
        // only MariaDB's, MySQL's and H2's rules are read from the server (and read again after a silent reconnect)
        boolean silentReconnects = SqlDialect.of(raw) != SqlDialect.POSTGRESQL && SqlModes.mayReconnectSilently(url, info);
        VeilConnection c = new VeilConnection(raw, runtime, runtime.fit().admit(raw), silentReconnects);
        runtime.readKeys(raw);
        return c;
    }

    /**
     * Holds a new connection to the policy's {@code transport} section and the policy to its
     * database's catalog, as {@link #open} does first (each is remembered, so {@link #open} does
     * not repeat them): for a runtime whose master key may still be opening, which these checks do
     * not use.
     *
     * @throws SQLException {@code VE011} or {@code VE001}, as {@link #open}
     */
    static void check(Connection raw, Runtimes.Runtime runtime, String url, java.util.Properties info) throws SQLException {
        runtime.transport().admit(raw, url, info);
        runtime.fit().admit(raw);
    }

    private VeilConnection(Connection raw, Runtimes.Runtime runtime, PolicyFit.Database database, boolean silentReconnects) {
        super(raw);
        this.silentReconnects = silentReconnects;
        this.runtime = runtime;
        this.names = new ConnectionNames(raw, runtime.catalogs(), runtime.veil().policy());
        this.database = database;
        this.schema = new SchemaLookup() {
            @Override
            public List<String> columns(String schemaName, String table) throws SQLException {
                SchemaCache columns = names.columns();
                return (columns != null ? columns : runtime.schema()).columns(raw, schemaName, table);
            }

            @Override
            public void forget() {
                runtime.schema().clear();
                runtime.catalogs().invalidateAll();
                runtime.fit().ddlRan();
            }

            @Override
            public NameResolver resolver() throws VeilException {
                return names.resolver();
            }

            @Override
            public boolean catalogDue() {
                return names.catalogDue();
            }
        };
        this.encryptor = new ParameterEncryptor(raw, runtime);
    }

    Runtimes.Runtime runtime() {
        return runtime;
    }

    /** The live column lists of this connection's database. */
    SchemaLookup schemaLookup() {
        return schema;
    }

    /** The real driver's object beneath, for Veil's own guarded vendor interfaces only. */
    <T> T rawUnwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    ParameterEncryptor encryptor() {
        return encryptor;
    }

    /** The database behind this connection, as far as Veil's own SQL and reads care. */
    SqlDialect dialect() throws SQLException {
        SqlDialect d = dialect;
        if (d == null) {
            d = SqlDialect.of(delegate);
            dialect = d;
        }
        return d;
    }

    /** The plan of a SQL text (cached by the analyzer), made under this session's lexical rules. */
    StatementPlan plan(String sql) throws SQLException {
        runtime.fit().afterDdl(database, delegate, sql);
        SqlSyntax s = syntax();
        StatementPlan plan = analyzer(s).plan(sql, schema);
        if (SqlModes.rereadAfter(plan, s)) {
            if (s.isMySqlFamily()) {
                SqlModes.refuseUnreadableCharset(sql);
            }
            // the server's rules may differ once this text ran: read them once, before the next statement
            rulesMayChange();
        }
        if (plan.effect() != SessionEffect.NONE) {
            endsByText(plan);
            names.running(plan.effect());
        }
        return plan;
    }

    /** A COMMIT sent as text must not skip the unique check {@link #commit()} runs during a rotation. */
    private void endsByText(StatementPlan plan) throws SQLException {
        if (plan.effect() == SessionEffect.TRANSACTION_END && SessionEffect.commits(plan.sql())) {
            guard.beforeTextCommit();
        }
    }

    /**
     * This session's lexical rules: PostgreSQL's, or for MariaDB and MySQL the server's version and
     * the session's {@code sql_mode} as the server reports them, or for H2 its compatibility mode.
     * Other databases are read by PostgreSQL's rules.
     */
    SqlSyntax syntax() throws SQLException {
        SqlSyntax s = syntax;
        if (s == null || reread) {
            // a reconnect the driver makes alone resets a SET's rules to the server's defaults: keep reading them
            reread = silentReconnects && modeMayChange;
            try {
                SqlDialect d = dialect();
                s = d == SqlDialect.MYSQL ? SqlModes.read(delegate) : d == SqlDialect.H2 ? SqlModes.readH2(delegate) : SqlSyntax.POSTGRESQL;
            } catch (SQLException | RuntimeException e) {
                reread = syntax != null;
                throw e;
            }
            syntax = s;
        }
        return s;
    }

    /**
     * A text that may change this connection's lexical rules is about to run (see
     * {@link SqlModes#rereadAfter}), or a driver call that may reset them ran: they are read again,
     * once, before the next statement is planned or a prepared one runs.
     */
    void rulesMayChange() {
        modeMayChange = true;
        reread = true;
    }

    /** Whether the rules must be read again after the plan's text runs on this connection (see {@link SqlModes#rereadAfter}). */
    boolean rereadAfter(StatementPlan plan) {
        SqlSyntax s = syntax;
        return s == null || SqlModes.rereadAfter(plan, s);
    }

    /** The analyzer for the rules the connection has now: asked once per rules read, not per statement. */
    private SqlAnalyzer analyzer(SqlSyntax s) {
        SqlAnalyzer root = runtime.veil().analyzer();
        SqlAnalyzer a = analyzer;
        if (a == null || analyzerSyntax != s || analyzerRoot != root) {
            a = root.forSyntax(s);
            analyzer = a;
            analyzerSyntax = s;
            analyzerRoot = root;
        }
        return a;
    }

    /** The rules the last plan was made under, without asking the database ({@code null} before the first plan). */
    SqlSyntax syntaxRead() {
        return syntax;
    }

    /**
     * A prepared statement is about to run, as {@link #executing(StatementPlan)}; besides, once this
     * connection has run a text that may change its lexical rules ({@code SET sql_mode}), a statement
     * that names a protected relation and was read under other rules than the connection has now is
     * refused: the server would read its text differently.
     *
     * @param preparedUnder the rules the statement was read under
     * @param rereadAfter whether the rules must be read again after it runs ({@link #rereadAfter(String)})
     */
    void executing(StatementPlan plan, SqlSyntax preparedUnder, boolean rereadAfter) throws SQLException {
        executing(plan);
        if (modeMayChange && preparedUnder != null && differs(preparedUnder, syntax())
                && runtime.veil().analyzer().mayMentionProtected(plan.sql())) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "the connection's SQL mode changed since this statement was "
                    + "prepared, so the server would read its text by other rules than Veil did; prepare it again");
        }
        if (rereadAfter) {
            rulesMayChange();
        }
    }

    /** Rules read once and kept are the same object: compare by identity before by value. */
    private static boolean differs(SqlSyntax a, SqlSyntax b) {
        return a != b && !a.equals(b);
    }

    /**
     * A prepared statement is about to run: follows what it may do to name resolution, and refuses
     * it when its names were resolved under another search path than the connection has now.
     *
     * @throws VeilException {@code VE006} when the path changed since the statement was prepared
     */
    void executing(StatementPlan plan) throws SQLException {
        if (plan.effect() != SessionEffect.NONE) {
            endsByText(plan);
            names.running(plan.effect());
        }
        if (plan.context() > 0) {
            int now = names.runContext();
            if (now >= 0 && now != plan.context()) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "the search path (or current schema) changed since this "
                        + "statement was prepared, so its table names may now mean other tables; prepare it again");
            }
        }
    }

    @Override
    public void commit() throws SQLException {
        guard.beforeCommit();
        try {
            super.commit();
        } finally {
            guard.ended();
        }
        names.transactionEnded();
    }

    @Override
    public void rollback() throws SQLException {
        try {
            super.rollback();
        } finally {
            guard.ended();
        }
        names.transactionEnded();
    }

    @Override
    public void rollback(java.sql.Savepoint savepoint) throws SQLException {
        super.rollback(savepoint);
        names.transactionEnded();
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        boolean commits = autoCommit && !delegate.getAutoCommit();
        if (commits) {
            guard.beforeCommit();
        }
        try {
            super.setAutoCommit(autoCommit);
        } finally {
            if (commits) {
                guard.ended();
            }
        }
        names.transactionEnded();
    }

    @Override
    public void close() throws SQLException {
        try {
            if (!delegate.isClosed()) {
                guard.ended();
            }
        } catch (SQLException e) {
            // the locks end with the database session anyway
        } finally {
            super.close();
        }
    }

    /** The locks and commit check that keep unique deterministic columns unique during a rotation. */
    UniqueGuard guard() {
        return guard;
    }

    // a pool may reset the connection between requests (MariaDB's COM_RESET_CONNECTION), and with it the SQL mode

    @Override
    public void beginRequest() throws SQLException {
        rulesMayChange();
        super.beginRequest();
    }

    @Override
    public void endRequest() throws SQLException {
        rulesMayChange();
        super.endRequest();
    }

    @Override
    public void setSchema(String name) throws SQLException {
        names.pathSet();
        super.setSchema(name);
    }

    @Override
    public void setCatalog(String name) throws SQLException {
        names.pathSet();
        super.setCatalog(name);
    }

    /** The application's connection to the database, for Veil's own checks (never handed out). */
    Connection raw() {
        return delegate;
    }

    /** How a deterministic column takes part in unique indexes (cached per runtime). */
    SchemaCache.Uniqueness uniqueness(ColumnPolicy column) throws SQLException {
        return runtime.schema().unique(delegate, column);
    }

    /**
     * Refuses a search on {@code column} reading the tokens of {@code needed} unless the database
     * guarantees that every value of it has them ({@link SearchGuards}): otherwise rows without
     * tokens would be missed without any error.
     *
     * @throws VeilException {@code VE006} naming the column and what is missing
     */
    void requireSearchGuard(ColumnPolicy column, java.util.Set<dev.veil.search.SearchCapability> needed) throws SQLException {
        String gap;
        if (dialect() != SqlDialect.POSTGRESQL) {
            gap = "search on encrypted columns needs PostgreSQL";
        } else {
            SchemaCache cache = names.columns();
            try {
                gap = (cache != null ? cache : runtime.schema()).searchGuardGap(delegate, column, needed);
            } catch (SQLException e) {
                gap = "the catalog could not be read to check its guard (" + e.getSQLState() + ")";
            }
        }
        if (gap != null) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, column.column() + ": Veil answers a search only while the database "
                    + "guarantees that every stored value has its search tokens, and " + gap);
        }
    }

    /**
     * The SQL to send: the plan's text with literals bound for encrypted columns replaced by
     * ciphertext, and lookups on deterministic columns widened to every live data-key version
     * (see {@link StatementPlan}).
     */
    String sqlToSend(StatementPlan plan) throws SQLException {
        SearchRun search = SearchRun.of(this, plan);
        String sql = sqlToSend(plan, search);
        if (search != null && search.filter() != null) {
            // no result set of Veil's reads these rows (COPY ... TO): over-matched rows cannot be dropped
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "a search predicate of this statement can match rows that do not "
                    + "satisfy it, and Veil cannot drop them here; make it exact (a LIKE 'abc%' prefix within the indexed length)");
        }
        return sql;
    }

    /**
     * As {@link #sqlToSend(StatementPlan)}, with search predicates that have literal operands
     * written as conditions on their companion columns (see {@link SearchRun#inline}).
     *
     * @param search the statement's search state ({@code null} when the plan has no search predicate)
     */
    String sqlToSend(StatementPlan plan, SearchRun search) throws SQLException {
        boolean inlineSearches = search != null && plan.hasLiteralSearches();
        if (!inlineSearches && plan.literals().isEmpty()) {
            return plan.expandedSql(); // made once per plan: parameter search predicates are already expansions of it
        }
        List<StatementPlan.Expansion> expansions = plan.expansions();
        if (inlineSearches) {
            List<StatementPlan.Expansion> all = new java.util.ArrayList<>(expansions);
            for (dev.veil.sql.SearchPredicate p : plan.searches()) {
                if (p.literalOnly()) {
                    all.add(new StatementPlan.Expansion(p.start(), p.end(), search.inline(p)));
                }
            }
            all.sort(java.util.Comparator.comparingInt(StatementPlan.Expansion::start));
            expansions = all;
        }
        if (plan.literals().isEmpty() && expansions.isEmpty()) {
            return plan.sql();
        }
        SqlDialect dialect = dialect();
        String sql = plan.sql();
        StringBuilder out = new StringBuilder(sql.length() + 64 * plan.literals().size() + 16 * expansions.size());
        int pos = 0;
        int e = 0;
        for (LiteralTarget literal : plan.literals()) {
            while (e < expansions.size() && expansions.get(e).start() < literal.from()) {
                pos = expand(out, sql, pos, expansions.get(e++));
            }
            ColumnCipher cipher = runtime.veil().cipher(literal.column());
            out.append(sql, pos, literal.from());
            switch (literal.lookup()) {
                case EQUALS -> out.append(" IN (").append(lookupLiterals(dialect, cipher, literal)).append(") ");
                case NOT_EQUALS -> out.append(" NOT IN (").append(lookupLiterals(dialect, cipher, literal)).append(") ");
                case LIST_ITEM -> out.append(lookupLiterals(dialect, cipher, literal));
                default -> {
                    if (literal.lookup() == dev.veil.sql.LookupForm.FIXED && cipher.lookupVersions() > 1) {
                        throw ParameterEncryptor.fixedLookup(literal.column());
                    }
                    out.append(dialect.literal(cipher.encrypt(literal.value())));
                }
            }
            pos = literal.end();
        }
        while (e < expansions.size()) {
            pos = expand(out, sql, pos, expansions.get(e++));
        }
        return out.append(sql, pos, sql.length()).toString();
    }

    private static int expand(StringBuilder out, String sql, int pos, StatementPlan.Expansion x) {
        out.append(sql, pos, x.start()).append(x.replacement());
        return x.end();
    }

    /** A literal compared with a deterministic column, as one literal per live data-key version. */
    private static String lookupLiterals(SqlDialect dialect, ColumnCipher cipher, LiteralTarget literal) throws SQLException {
        Object[] forms = new Object[StatementPlan.LOOKUP_SLOTS];
        int n = cipher.encryptForLookup(literal.value(), forms);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ").append(dialect.literal(forms[i]));
        }
        return sb.toString();
    }

    /** The ciphers behind the columns of the {@code index}-th result of a plan; {@code null} when none. */
    ColumnCipher[] resultCiphers(StatementPlan plan, int index) {
        if (!plan.touchesEncrypted()) {
            return null;
        }
        java.util.List<ColumnPolicy> columns = plan.resultColumns(index);
        ColumnCipher[] ciphers = null;
        for (int i = 0; i < columns.size(); i++) {
            ColumnPolicy c = columns.get(i);
            if (c != null) {
                if (ciphers == null) {
                    ciphers = new ColumnCipher[columns.size() + 1];
                }
                ciphers[i + 1] = runtime.veil().cipher(c);
            }
        }
        return ciphers;
    }

    // ---- statements ----

    @Override
    protected Statement wrapStatement(Statement raw) {
        return raw == null ? null : new VeilStatement(this, raw);
    }

    @Override
    protected DatabaseMetaData wrapMetaData(DatabaseMetaData raw) {
        return raw == null ? null : new VeilDatabaseMetaData(this, raw);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        StatementPlan plan = plan(sql);
        SearchRun search = SearchRun.of(this, plan);
        String send = sqlToSend(plan, search);
        // a result Veil sorts (ORDER BY an encrypted column) is read in full, then visited in order
        PreparedStatement raw = plan.sort().isEmpty() ? delegate.prepareStatement(send)
                : delegate.prepareStatement(send, ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
        return new VeilPreparedStatement(this, raw, plan, false, search);
    }

    /** The result type to ask the database for: scrollable when Veil sorts the result itself. */
    private static int resultType(StatementPlan plan, int requested) {
        return !plan.sort().isEmpty() && requested == ResultSet.TYPE_FORWARD_ONLY ? ResultSet.TYPE_SCROLL_INSENSITIVE : requested;
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        StatementPlan plan = plan(sql);
        SearchRun search = SearchRun.of(this, plan);
        return new VeilPreparedStatement(this, delegate.prepareStatement(sqlToSend(plan, search), resultType(plan, resultSetType), resultSetConcurrency), plan,
                false, search);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int holdability)
            throws SQLException {
        StatementPlan plan = plan(sql);
        SearchRun search = SearchRun.of(this, plan);
        return new VeilPreparedStatement(this, delegate.prepareStatement(sqlToSend(plan, search), resultType(plan, resultSetType), resultSetConcurrency,
                holdability), plan, false, search);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        StatementPlan plan = plan(sql);
        SearchRun search = SearchRun.of(this, plan);
        return new VeilPreparedStatement(this, delegate.prepareStatement(sqlToSend(plan, search), autoGeneratedKeys), plan,
                autoGeneratedKeys == Statement.RETURN_GENERATED_KEYS, search);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        StatementPlan plan = plan(sql);
        SearchRun search = SearchRun.of(this, plan);
        return new VeilPreparedStatement(this, delegate.prepareStatement(sqlToSend(plan, search), columnIndexes), plan, true, search);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        StatementPlan plan = plan(sql);
        SearchRun search = SearchRun.of(this, plan);
        return new VeilPreparedStatement(this, delegate.prepareStatement(sqlToSend(plan, search), columnNames), plan, true, search);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return new VeilCallableStatement(this, delegate.prepareCall(callable(sql)));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return new VeilCallableStatement(this, delegate.prepareCall(callable(sql), resultSetType, resultSetConcurrency));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int holdability) throws SQLException {
        return new VeilCallableStatement(this, delegate.prepareCall(callable(sql), resultSetType, resultSetConcurrency, holdability));
    }

    /**
     * Calls pass through only when they name no encrypted table: a procedure's parameters cannot be
     * traced to columns. On MariaDB/MySQL the text is also planned, which refuses a call of a stored
     * routine whose body reaches an encrypted table.
     */
    private String callable(String sql) throws SQLException {
        if (syntax().isMySqlFamily()) {
            plan(sql);
        }
        String lower = sql.toLowerCase(java.util.Locale.ROOT);
        for (String table : runtime.veil().policy().tableNameKeys()) {
            if (lower.matches("(?s).*\\b" + java.util.regex.Pattern.quote(table) + "\\b.*")) {
                throw new VeilException(VeilState.UNSUPPORTED_SQL, "a CallableStatement names encrypted table " + table
                        + "; Veil cannot trace procedure parameters to columns, so calls on encrypted tables are refused");
            }
        }
        return sql;
    }

    @Override
    public String toString() {
        return "VeilConnection[" + delegate + "]";
    }
}
