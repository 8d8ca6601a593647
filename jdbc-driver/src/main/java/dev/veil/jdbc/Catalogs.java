package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.Policy;
import dev.veil.sql.ProtectedRelations;
import dev.veil.sql.SqlAnalyzer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The catalog snapshots of one runtime, one per database its connections reach, and the interned
 * resolution contexts (database and search path) that plans are cached under. Thread-safe.
 */
final class Catalogs {
    private static final Logger LOG = LoggerFactory.getLogger(Catalogs.class);

    private final Policy policy;
    private final SqlAnalyzer analyzer;
    private final long refreshNanos;
    private final Map<String, Database> byUrl = new ConcurrentHashMap<>();
    private final Map<String, Integer> contexts = new ConcurrentHashMap<>();
    private final AtomicInteger nextDatabase = new AtomicInteger();
    private final AtomicInteger nextContext = new AtomicInteger();

    Catalogs(Policy policy, SqlAnalyzer analyzer) {
        this.policy = policy;
        this.analyzer = analyzer;
        this.refreshNanos = policy.schemaRefreshAfterNanos();
    }

    /** The catalog of the database a connection reaches ({@code url}: its JDBC URL), or {@code null} when Veil cannot read that kind of catalog. */
    Database database(Connection raw, String url) throws SQLException {
        Database d = byUrl.get(url);
        if (d == null) {
            CatalogReader reader = CatalogReader.of(raw);
            if (reader == null) {
                return null;
            }
            // a class rather than a lambda, which spins a class at first use (a JVM's first connection)
            d = byUrl.computeIfAbsent(url, new java.util.function.Function<String, Database>() {
                @Override
                public Database apply(String u) {
                    return new Database(nextDatabase.incrementAndGet(), reader);
                }
            });
        }
        return d;
    }

    /**
     * {@link CatalogCheck#names(Policy, Connection)} for {@link PolicyFit}'s check after DDL; on
     * PostgreSQL read with the snapshot of {@code raw}'s database, which is kept as the snapshot (its
     * age counts from now): the check and that snapshot take one statement fewer than apart. For a
     * check made right before a plan on {@code raw}, which reads the snapshot (stale after DDL) anyway.
     *
     * @throws SQLException when the catalog cannot be read
     */
    CatalogCheck.Report check(Connection raw) throws SQLException {
        if (SqlDialect.of(raw) == SqlDialect.POSTGRESQL) {
            Database d = database(raw, String.valueOf(raw.getMetaData().getURL()));
            if (d != null && d.reader instanceof CatalogReader.Postgres pg) {
                return d.readChecked(raw, pg);
            }
        }
        return CatalogCheck.names(policy, raw);
    }

    /** Drops every snapshot's freshness: DDL is about to run through Veil. */
    void invalidateAll() {
        for (Database d : byUrl.values()) {
            d.invalidate();
        }
    }

    /** A small number standing for a database and a search path: equal numbers resolve every name alike. */
    int context(Database db, List<String> path) {
        return contexts.computeIfAbsent(db.id + "\u0000" + String.join("\u0000", path), newContext);
    }

    /** A new context number (a class rather than a lambda, which spins a class at first use). */
    private final java.util.function.Function<String, Integer> newContext = new java.util.function.Function<>() {
        @Override
        public Integer apply(String key) {
            return nextContext.incrementAndGet();
        }
    };

    /** One database's snapshot and column lists. */
    final class Database {
        final int id;
        final CatalogReader reader;
        final SchemaCache columns;
        private volatile ProtectedRelations snapshot;
        private volatile long readAt;
        private volatile boolean stale = true;

        Database(int id, CatalogReader reader) {
            this.id = id;
            this.reader = reader;
            this.columns = new SchemaCache(policy.schemaRefreshAfter().orElse(null));
        }

        /**
         * The snapshot, read again through {@code raw} when DDL ran through Veil or it is older than
         * {@code schema.refresh-after}.
         *
         * @throws VeilException {@code VE006} when the catalog cannot be read
         */
        ProtectedRelations snapshot(Connection raw) throws VeilException {
            ProtectedRelations s = snapshot;
            if (s != null && !stale && System.nanoTime() - readAt < refreshNanos) {
                return s;
            }
            synchronized (this) {
                s = snapshot;
                if (s != null && !stale && System.nanoTime() - readAt < refreshNanos) {
                    return s;
                }
                long started = System.nanoTime();
                ProtectedRelations fresh;
                try {
                    fresh = reader.read(raw, policy);
                } catch (SQLException e) {
                    throw new VeilException(VeilState.UNSUPPORTED_SQL, "cannot read the database catalog to find the relations "
                            + "that carry encrypted columns (" + e.getSQLState() + "); statements on encrypted tables are refused until it can be read", e);
                }
                return keep(fresh, started);
            }
        }

        /** The snapshot and the policy check's columns, read now through {@code raw} in one statement fewer than apart; the snapshot is kept. */
        synchronized CatalogCheck.Report readChecked(Connection raw, CatalogReader.Postgres pg) throws SQLException {
            long started = System.nanoTime();
            CatalogReader.Postgres.Checked c = pg.readChecked(raw, policy);
            keep(c.relations(), started);
            return CatalogCheck.names(policy, c.pgColumns());
        }

        /** Makes {@code fresh}, read from {@code started} on, the snapshot. Caller holds this lock. */
        private ProtectedRelations keep(ProtectedRelations fresh, long started) {
            ProtectedRelations s = snapshot;
            boolean changed = s != null && !fresh.sameAs(s);
            if (s == null || changed) {
                LOG.debug("catalog read: {}", fresh);
            }
            if (changed) {
                columns.clear();
            }
            snapshot = fresh;
            readAt = started;
            stale = false;
            analyzer.observe(fresh, changed);
            return fresh;
        }

        /** Whether the snapshot is to be read again before the next plan (see {@link #snapshot}). */
        boolean due() {
            return snapshot == null || stale || System.nanoTime() - readAt >= refreshNanos;
        }

        void invalidate() {
            stale = true;
            columns.clear();
        }
    }
}
