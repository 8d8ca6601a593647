package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.metrics.VeilMetrics;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.TablePolicy;
import dev.veil.sql.SqlAnalyzer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether a runtime's policy fits each database its connections reach, held against the catalog
 * ({@link CatalogCheck}) when a connection first reaches a database and again after DDL run
 * through Veil.
 *
 * <ul>
 *   <li>An encrypted column missing from an existing table refuses connections ({@code VE001}
 *       naming file:line and table.column) until a check finds it.</li>
 *   <li>A policy table that does not exist is logged once at WARN and listed in the metrics
 *       ({@code MissingTables}); with {@code strict: true} it refuses connections until it exists.</li>
 *   <li>Each database is announced once at INFO: that its connections are protected, by which
 *       policy file, and how many tables and columns (at WARN when none of the policy's tables
 *       exist there); again when a check finds its missing tables changed.</li>
 * </ul>
 *
 * <p>A check that refused is not remembered: the next connection checks again, so creating the
 * table or fixing the policy helps without a restart. Missing tables are looked for again by the
 * first connection after {@code schema.refresh-after}.
 */
final class PolicyFit {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyFit.class);

    private final Policy policy;
    private final VeilMetrics metrics;
    private final Map<String, Database> databases = new ConcurrentHashMap<>();
    /** Bumped before every DDL statement run through Veil; a database checked at an older value is checked again. */
    private final AtomicInteger ddl = new AtomicInteger();

    /** How long a check that found missing tables stands before a new connection looks again ({@code schema.refresh-after}). */
    private final long missingRecheckNanos;

    /** After DDL, reads the check's columns with the catalog snapshot where it can; {@code null}: the check reads them alone. */
    private final Catalogs catalogs;

    PolicyFit(Policy policy, VeilMetrics metrics) {
        this(policy, metrics, null);
    }

    PolicyFit(Policy policy, VeilMetrics metrics, Catalogs catalogs) {
        this.policy = policy;
        this.metrics = metrics;
        this.catalogs = catalogs;
        this.missingRecheckNanos = policy.schemaRefreshAfterNanos();
    }

    /** One database (by its URL without parameters) as this runtime last saw it. */
    static final class Database {
        final String name;
        volatile int checkedAt = -1;
        /** {@link System#nanoTime()} of the last check. */
        volatile long checkedNanos;
        volatile boolean fits;
        volatile Set<String> missingTables = Set.of();
        /** Whether the protection of this database was logged (again when its missing tables change). */
        boolean announced;
        final AtomicBoolean checking = new AtomicBoolean();
        final Set<String> reported = ConcurrentHashMap.newKeySet();

        Database(String name) {
            this.name = name;
        }
    }

    /**
     * Admits a new connection: checks the catalog when this database was never checked, its last
     * check refused, or DDL ran through Veil since.
     *
     * @return the database, for {@link #afterDdl(Database, Connection, String)}
     * @throws SQLException {@code VE001} when the policy does not fit the database, or the catalog
     *         cannot be read on a first check
     */
    Database admit(Connection raw) throws SQLException {
        String name = name(raw);
        Database d = databases.get(name);
        if (d == null) {
            Database fresh = new Database(name);
            d = databases.putIfAbsent(name, fresh);
            d = d == null ? fresh : d;
        }
        int generation = ddl.get();
        if (stale(d, generation)) {
            synchronized (d) {
                if (stale(d, generation)) {
                    VeilException refused = check(d, raw, generation, false);
                    if (refused != null) {
                        throw refused;
                    }
                }
            }
        }
        return d;
    }

    /**
     * Whether a new connection must read the catalog: never read, refused last time, DDL ran
     * through Veil since, or tables were missing and {@code schema.refresh-after} has passed (a
     * migration tool may have created them through a plain connection).
     */
    private boolean stale(Database d, int generation) {
        return d.checkedAt != generation || !d.fits
                || !d.missingTables.isEmpty() && System.nanoTime() - d.checkedNanos > missingRecheckNanos;
    }

    /**
     * A statement is about to be planned on a connection to {@code d}: when DDL ran through Veil
     * since the last check, check again on this connection (which sees its own uncommitted DDL).
     * Never fails the statement: a misfit is logged at ERROR and refuses the next connections.
     */
    void afterDdl(Database d, Connection raw, String sql) {
        if (d.checkedAt == ddl.get() || SqlAnalyzer.mayChangeTables(sql) || !d.checking.compareAndSet(false, true)) {
            return; // a run of DDL statements is checked once, before the first statement after it
        }
        try {
            synchronized (d) {
                // the statement about to be planned reads the catalog snapshot first (DDL made it stale): read it here,
                // with the check's columns in its first statement
                VeilException refused = check(d, raw, ddl.get(), true);
                if (refused != null && d.reported.add("refused:" + refused.getMessage())) {
                    LOG.error("Veil: after DDL the policy no longer fits {}; new connections are refused: {}", d.name, refused.getMessage());
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Veil: the catalog of {} could not be checked after DDL: {}", d.name, e.toString());
        } finally {
            d.checking.set(false);
        }
    }

    /** DDL is about to run through Veil. */
    void ddlRan() {
        ddl.incrementAndGet();
    }

    /**
     * Checks {@code d}'s catalog; returns why connections are refused, or {@code null}. Caller holds d's lock.
     *
     * @param snapshot also read {@code raw}'s catalog snapshot now, in one statement fewer (its next plan reads it
     *        otherwise): only right before that plan, so the snapshot is exactly as fresh as that plan's own reading
     */
    private VeilException check(Database d, Connection raw, int generation, boolean snapshot) throws SQLException {
        VeilException searchRefused = searchOutsidePostgres(raw);
        if (searchRefused != null) {
            d.fits = false;
            d.checkedAt = generation;
            d.checkedNanos = System.nanoTime();
            return searchRefused;
        }
        CatalogCheck.Report report = snapshot && catalogs != null ? catalogs.check(raw) : CatalogCheck.names(policy, raw);
        VeilException refused = report.refusal(d.name);
        Set<String> missing = new TreeSet<>();
        for (TablePolicy t : report.missingTables()) {
            missing.add(t.name().toString());
            if (!policy.strict() && d.reported.add("missing:" + t.name())) {
                LOG.warn("Veil: table {} named in {} does not exist in {}; its columns are not protected there until it exists. "
                        + "Create it, or correct the name (strict: true refuses connections while a policy table is missing)",
                        t.name(), policy.mark(t), d.name);
            }
        }
        for (String was : d.missingTables) {
            if (!missing.contains(was)) {
                d.reported.remove("missing:" + was); // warned again should it disappear again
            }
        }
        boolean changed = !missing.equals(d.missingTables);
        d.missingTables = Set.copyOf(missing);
        publishMissing();
        d.fits = refused == null;
        d.checkedAt = generation;
        d.checkedNanos = System.nanoTime();
        if (refused == null && (!d.announced || changed)) {
            d.announced = true;
            int tables = policy.tables().size() - missing.size();
            int columns = 0;
            for (CatalogCheck.TableFit t : report.tables()) {
                columns += t.exists() ? t.table().columns().size() : 0;
            }
            if (policy.tables().isEmpty()) {
                LOG.info("Veil: connections to {} run under policy {}, which encrypts no columns", d.name, policy.source());
            } else if (tables == 0) {
                LOG.warn("Veil: connections to {} are not protected: none of the {} table(s) of policy {} exist there", d.name,
                        policy.tables().size(), policy.source());
            } else {
                LOG.info("Veil: connections to {} are protected by policy {} ({} table(s), {} encrypted column(s){})", d.name,
                        policy.source(), tables, columns,
                        missing.isEmpty() ? "" : "; " + missing.size() + " policy table(s) missing there: " + String.join(", ", missing));
            }
        }
        return refused;
    }

    /**
     * Search capabilities are PostgreSQL-only (companion columns are {@code bytea[]} with GIN
     * indexes): a policy with {@code search:} refuses connections to any other database.
     */
    private VeilException searchOutsidePostgres(Connection raw) throws SQLException {
        ColumnPolicy searchable = null;
        for (ColumnPolicy c : policy.columns()) {
            if (c.isSearchable() && (searchable == null || c.mark().line() < searchable.mark().line())) {
                searchable = c;
            }
        }
        if (searchable == null || SqlDialect.of(raw) == SqlDialect.POSTGRESQL) {
            return null;
        }
        return new VeilException(dev.veil.VeilState.POLICY_INVALID, searchable.mark() + ": search on " + searchable.column()
                + " is PostgreSQL-only, and " + name(raw) + " is " + raw.getMetaData().getDatabaseProductName()
                + "; remove 'search' from the policy for this database");
    }

    private void publishMissing() {
        Set<String> all = new TreeSet<>();
        for (Database db : databases.values()) {
            all.addAll(db.missingTables);
        }
        metrics.missingTables(all);
    }

    /** The policy tables missing from {@code d}, for tests. */
    List<String> missingTables(Database d) {
        return List.copyOf(d.missingTables);
    }

    /**
     * A name for the database a connection reaches, fit for logs: its JDBC URL without parameters
     * and credentials, else its catalog name.
     */
    static String name(Connection raw) {
        try {
            String url = raw.getMetaData().getURL();
            if (url != null) {
                int q = url.indexOf('?');
                String base = q < 0 ? url : url.substring(0, q);
                return base.indexOf('@') < 0 ? base : base.replaceAll("//[^/@]*@", "//");
            }
        } catch (SQLException | RuntimeException e) {
            // fall through to the catalog
        }
        try {
            return "database " + raw.getCatalog();
        } catch (SQLException | RuntimeException e) {
            return "an unnamed database";
        }
    }
}
