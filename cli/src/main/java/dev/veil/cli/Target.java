package dev.veil.cli;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.keys.ConnectionFactory;
import dev.veil.keys.KeyAdmin;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Options every command shares: the policy, and the application's database (where the key table
 * lives unless the policy names another).
 */
public final class Target {
    @Option(names = "--policy", paramLabel = "FILE", description = "the policy (default: system property veil.policy, then $VEIL_POLICY)")
    Path policy;

    @Option(names = "--url", paramLabel = "JDBC-URL", description = "the application's database, plain JDBC URL (default: $VEIL_URL)")
    String url;

    @Option(names = "--user", description = "database user (default: $VEIL_USER, or the URL's)")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "environment variable holding the database password "
            + "(default: VEIL_DB_PASSWORD when set)")
    String passwordEnv;

    Path policyPath() throws VeilException {
        Path p = policy;
        if (p == null) {
            String s = System.getProperty("veil.policy");
            if (s == null || s.isBlank()) {
                s = System.getenv("VEIL_POLICY");
            }
            if (s == null || s.isBlank()) {
                throw new VeilException(VeilState.CONFIGURATION_INVALID, "no policy: pass --policy FILE or set VEIL_POLICY");
            }
            p = Path.of(s);
        }
        return p;
    }

    Policy loadPolicy() throws VeilException {
        return PolicyLoader.load(policyPath());
    }

    boolean hasDatabase() {
        return url != null || System.getenv("VEIL_URL") != null;
    }

    ConnectionFactory database() throws VeilException {
        String u = url != null ? url : System.getenv("VEIL_URL");
        if (u == null || u.isBlank()) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "no database: pass --url jdbc:postgresql://… or set VEIL_URL");
        }
        if (u.startsWith("jdbc:veil:")) {
            u = "jdbc:" + u.substring("jdbc:veil:".length());
        }
        String jdbcUrl = u;
        String usr = user != null ? user : System.getenv("VEIL_USER");
        String var = passwordEnv != null ? passwordEnv : "VEIL_DB_PASSWORD";
        String password = System.getenv(var);
        if (passwordEnv != null && password == null) {
            throw new VeilException(VeilState.CONFIGURATION_INVALID, "environment variable " + passwordEnv + " is not set");
        }
        return () -> usr == null ? DriverManager.getConnection(jdbcUrl) : DriverManager.getConnection(jdbcUrl, usr, password);
    }

    /** An open engine over the policy and database, with its key administration. */
    Session open() throws VeilException {
        Policy p = loadPolicy();
        ConnectionFactory db = database();
        Veil veil = Veil.open(p, db);
        return new Session(p, veil, new KeyAdmin(p, veil.keys(), db), db);
    }

    /** An engine and what the commands need of it; closing it zeroizes keys. */
    record Session(Policy policy, Veil veil, KeyAdmin admin, ConnectionFactory database) implements AutoCloseable {
        Connection connect() throws VeilException {
            try {
                return database.open();
            } catch (java.sql.SQLException e) {
                throw new VeilException(VeilState.KEY_STORE_FAILURE, "cannot connect to the database (" + dev.veil.DatabaseFailure.describe(e) + ")", e);
            }
        }

        @Override
        public void close() {
            veil.close();
        }
    }
}
