package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.sql.StatementPlan;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The per-statement state shared by {@link VeilStatement} and {@link VeilPreparedStatement}: the
 * plan of what ran last, which of its results the application is reading, and how to wrap them.
 */
final class ResultWrapping {
    private final VeilConnection connection;
    private final Statement owner;
    private StatementPlan plan;
    private int resultIndex;
    private boolean generatedKeysRequested;
    /** The checks of the text planned last (plain Statement). */
    private VersionChecks checks;
    /** The rows to drop from the first result of the statement that ran last, or {@code null}. */
    private RowFilter filter;
    /** Whether a text batched since the last run may change the connection's lexical rules. */
    private boolean rulesChangeInBatch;

    ResultWrapping(VeilConnection connection, Statement owner, StatementPlan plan) {
        this.connection = connection;
        this.owner = owner;
        this.plan = plan;
    }

    VeilConnection connection() {
        return connection;
    }

    /**
     * A new statement text is about to run or be batched (plain Statement): plan it and return the
     * SQL to send; {@link #checked} or {@link #batched} must follow.
     */
    String run(String sql) throws SQLException {
        plan = connection.plan(sql);
        resultIndex = 0;
        SearchRun search = SearchRun.of(connection, plan);
        String send = connection.sqlToSend(plan, search);
        filter = search == null ? null : search.filter();
        checks = VersionChecks.of(connection, plan, false);
        checks.beforeRun(true);
        return send;
    }

    /** Runs the text planned last, with the checks its writes need during a key rotation (see {@link VersionChecks#run}). */
    <T> T checked(VersionChecks.Execution<T> execution) throws SQLException {
        return checks.run(execution, true);
    }

    /**
     * The text planned last is added to a batch (see {@link VersionChecks#batchedText}). After a
     * batched text that may change the connection's lexical rules ({@code SET sql_mode}), a text
     * that names a protected relation is refused: it was read under the rules before the batch ran.
     *
     * @throws VeilException {@code VE006} for such a text
     */
    void batched() throws SQLException {
        if (rulesChangeInBatch && connection.runtime().veil().analyzer().mayMentionProtected(plan.sql())) {
            throw new VeilException(VeilState.UNSUPPORTED_SQL, "an earlier text of this batch may change the connection's SQL "
                    + "mode or character set, so the server may read this one by other rules than Veil did; run the batch first");
        }
        checks.batchedText();
        rulesChangeInBatch |= connection.rereadAfter(plan);
    }

    /** The batch ran or was cleared; after one that may have changed the rules, they are read again before the next statement. */
    void batchEnded() {
        if (rulesChangeInBatch) {
            rulesChangeInBatch = false;
            connection.rulesMayChange();
        }
    }

    /** The prepared statement runs again: its results start at the first. */
    void rerun() {
        resultIndex = 0;
    }

    /** The prepared statement runs again with these rows to drop from its first result ({@code null}: none). */
    void rerun(RowFilter rows) {
        resultIndex = 0;
        filter = rows;
    }

    void requestGeneratedKeys(boolean requested) {
        generatedKeysRequested = requested;
    }

    void nextResult() {
        resultIndex++;
    }

    ResultSet wrap(ResultSet raw) {
        return raw == null ? null : new VeilResultSet(connection, owner, raw, plan == null ? null : connection.resultCiphers(plan, resultIndex),
                resultIndex == 0 ? filter : null, resultIndex == 0 && plan != null && !plan.sort().isEmpty() ? new RowOrder(plan.sort()) : null,
                resultIndex == 0 ? visibleColumns() : VeilResultSet.ALL_COLUMNS);
    }

    ResultSetMetaData wrapMetaData(ResultSetMetaData raw) {
        return raw == null ? null : new VeilResultSetMetaData(raw, plan == null ? null : connection.resultCiphers(plan, 0), visibleColumns());
    }

    /** How many columns of the first result the application sees (Veil's hidden columns follow them). */
    private int visibleColumns() {
        return plan == null || plan.hidden() == 0 ? VeilResultSet.ALL_COLUMNS : plan.resultColumns(0).size() - plan.hidden();
    }

    /**
     * Generated keys: drivers return the inserted row's columns (pgjdbc appends {@code RETURNING *}),
     * possibly including encrypted ones, so the columns are matched by label against the columns
     * the statement writes to.
     */
    ResultSet wrapGeneratedKeys(ResultSet raw) throws SQLException {
        if (raw == null) {
            return null;
        }
        ColumnCipher[] ciphers = null;
        if (plan != null && plan.touchesEncrypted()) {
            StatementPlan returning = returningPlan();
            List<ColumnPolicy> columns = returning == null ? List.of() : returning.resultColumns(0);
            ResultSetMetaData md = raw.getMetaData();
            int n = md.getColumnCount();
            for (int i = 1; i <= n; i++) {
                String label = md.getColumnLabel(i);
                for (ColumnPolicy c : columns) {
                    if (c != null && c.column().column().matches(label)) {
                        if (ciphers == null) {
                            ciphers = new ColumnCipher[n + 1];
                        }
                        ciphers[i] = connection.runtime().veil().cipher(c);
                        break;
                    }
                }
            }
        }
        return new VeilResultSet(connection, owner, raw, ciphers);
    }

    private StatementPlan returningPlan() {
        if (!plan.resultColumns(0).isEmpty()) {
            return plan; // the statement has its own RETURNING clause
        }
        try {
            return connection.plan(plan.sql() + " RETURNING *");
        } catch (SQLException e) {
            return null; // not an INSERT/UPDATE/DELETE the analyzer can extend: keys are not encrypted columns
        }
    }

    boolean generatedKeysRequested() {
        return generatedKeysRequested;
    }
}
