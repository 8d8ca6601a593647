package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.policy.Policy;
import dev.veil.sql.NameResolver;
import dev.veil.sql.ProtectedRelations;
import dev.veil.sql.SessionEffect;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What table names mean on one connection: its database's catalog snapshot and its search path,
 * followed as statements run through Veil. The path is read lazily ({@code current_schemas(true)}
 * on PostgreSQL, {@code DATABASE()} on MariaDB) before the next plan after anything that may
 * change it: {@code SET search_path}/{@code SET SCHEMA}/{@code SET ROLE}, {@code RESET},
 * {@code DISCARD}, {@code USE}, {@code set_config}, DDL, {@link Connection#setSchema},
 * {@link Connection#setCatalog}, and the end of a transaction in which any of those ran (where
 * {@code SET LOCAL}, or a rolled-back {@code SET}, reverts). Used by one thread at a time, as its
 * connection is.
 */
final class ConnectionNames {
    private final Connection raw;
    private final Catalogs catalogs;
    private final Policy policy;
    private Catalogs.Database database;
    private boolean noCatalog;
    private NameResolver resolver;
    private List<String> path;
    private boolean pathChanged = true;
    /** A command that may change the path ran since the last transaction end. */
    private boolean revertible;

    ConnectionNames(Connection raw, Catalogs catalogs, Policy policy) {
        this.raw = raw;
        this.catalogs = catalogs;
        this.policy = policy;
    }

    /**
     * The resolver for the next plan; {@code null} when the database's catalog is of a kind Veil
     * does not read (names then mean what the policy says of them as written).
     *
     * @throws VeilException {@code VE006} when the path or the catalog cannot be read
     */
    NameResolver resolver() throws VeilException {
        if (noCatalog) {
            return null;
        }
        try {
            Catalogs.Database db = database;
            if (db == null) {
                db = catalogs.database(raw, String.valueOf(raw.getMetaData().getURL()));
                if (db == null) {
                    noCatalog = true;
                    return null;
                }
                database = db;
            }
            ProtectedRelations snapshot = db.snapshot(raw);
            NameResolver r = resolver;
            if (r != null && !pathChanged && r.relations() == snapshot) {
                return r;
            }
            if (pathChanged || path == null) {
                path = db.reader.path(raw);
                pathChanged = false;
            }
            r = new NameResolver(policy, snapshot, path, db.reader.folding(), catalogs.context(db, path));
            resolver = r;
            return r;
        } catch (VeilException e) {
            throw e;
        } catch (SQLException e) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "cannot read the connection's search path (" + e.getSQLState()
                    + "), which decides what table names mean; statements on encrypted tables are refused until it can be read", e);
        }
    }

    /**
     * The context the names of a statement about to run mean in, for the check that the path did
     * not change since it was prepared; -1 when no catalog is read. The same number as
     * {@link #resolver()}'s context (which depends on the database and path only), without the
     * clock read and catalog refresh that call makes while nothing that may change the path ran:
     * a statement already planned is not planned again at run time, so a fresher snapshot would
     * not change what it does.
     *
     * @throws VeilException {@code VE006} when the path must be read again and cannot be
     */
    int runContext() throws VeilException {
        NameResolver r = resolver;
        if (r == null || pathChanged) {
            r = resolver();
        }
        return r == null ? -1 : r.context();
    }

    /** Whether this connection's database's catalog snapshot is to be read again before the next plan. */
    boolean catalogDue() {
        Catalogs.Database db = database;
        return db != null && db.due();
    }

    /** The column lists of this connection's database, or {@code null} before the first plan or when no catalog is read. */
    SchemaCache columns() {
        Catalogs.Database db = database;
        return db == null ? null : db.columns;
    }

    /** The context of the resolver last handed out, or -1. */
    int lastContext() {
        NameResolver r = resolver;
        return r == null ? -1 : r.context();
    }

    /** A statement with this effect is about to run. */
    void running(SessionEffect effect) {
        if (effect == SessionEffect.NAMES) {
            pathChanged = true;
            revertible = true;
        } else if (effect == SessionEffect.DDL) {
            ddl();
        } else if (effect == SessionEffect.TRANSACTION_END) {
            transactionEnded();
        }
    }

    /** A transaction ended (or rolled back to a savepoint) through the JDBC API or SQL. */
    void transactionEnded() {
        if (revertible) {
            pathChanged = true;
            revertible = false;
        }
    }

    /** The current schema or database was set through the JDBC API. */
    void pathSet() {
        pathChanged = true;
        revertible = true;
    }

    /** DDL is about to run through Veil: every snapshot of the runtime is read again before the next plan. */
    void ddl() {
        catalogs.invalidateAll();
        pathChanged = true;
        revertible = true;
    }
}
