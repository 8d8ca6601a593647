package dev.veil.jobs;

import dev.veil.Veil;
import dev.veil.VeilException;
import dev.veil.crypto.ColumnCipher;
import dev.veil.keys.ConnectionFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads every encrypted value of a table and authenticates it: counts values per data key (what
 * {@code keys destroy} and {@code rekey} need to know) and names the primary keys of values that
 * fail — never the values themselves. Read-only; streams the table once.
 */
public final class Verifier {
    private final Veil veil;
    private final ConnectionFactory db;

    public Verifier(Veil veil, ConnectionFactory db) {
        this.veil = veil;
        this.db = db;
    }

    /**
     * @throws VeilException {@code VE011} when the table is not in the policy or has no primary key;
     *         {@code VE013} when the database fails (the driver's exception is the cause)
     */
    public VerifyReport verify(String table, ProgressListener listener) throws SQLException {
        try {
            return verifyTable(table, listener);
        } catch (VeilException e) {
            throw e;
        } catch (SQLException e) {
            throw TableJob.failure(JobKind.VERIFY, table, "read its rows", e);
        }
    }

    private VerifyReport verifyTable(String table, ProgressListener listener) throws SQLException {
        try (Connection c = db.open()) {
            TableShape shape = TableShape.of(c, veil, table);
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + shape.sqlName()); ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
            Map<Integer, Long> perKey = new TreeMap<>();
            List<VerifyReport.Failure> failures = new ArrayList<>();
            long rows = 0;
            long nulls = 0;
            long legacy = 0;
            long failureCount = 0;
            long started = System.nanoTime();
            c.setAutoCommit(false); // streams with a fetch size on pgjdbc
            String sql = "SELECT " + shape.keyList() + ", " + String.join(", ", shape.columns().stream().map(shape::quote).toList())
                    + " FROM " + shape.sqlName();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    int k = shape.keyColumns().size();
                    while (rs.next()) {
                        rows++;
                        for (int j = 0; j < shape.columns().size(); j++) {
                            ColumnCipher cipher = shape.ciphers().get(j);
                            Object stored = cipher.policy().storage() == dev.veil.policy.StorageFormat.TEXT
                                    ? rs.getString(k + 1 + j) : rs.getBytes(k + 1 + j);
                            if (stored == null) {
                                nulls++;
                                continue;
                            }
                            if (!ColumnCipher.isCiphertext(stored) && cipher.policy().migrating()) {
                                legacy++;
                                continue;
                            }
                            try {
                                cipher.decrypt(stored);
                                perKey.merge(ColumnCipher.keyIdOf(stored), 1L, Long::sum);
                            } catch (VeilException e) {
                                failureCount++;
                                if (failures.size() < VerifyReport.MAX_FAILURES) {
                                    failures.add(new VerifyReport.Failure(RowKey.read(rs, 1, shape.keyKinds()).toString(), shape.columns().get(j), e.state()));
                                }
                            }
                        }
                        if (rows % 1000 == 0) {
                            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                            listener.progress(new JobProgress(shape.qualifiedName(), JobKind.VERIFY, total, rows, 0, rows / seconds));
                        }
                    }
                }
            }
            c.commit();
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            listener.progress(new JobProgress(shape.qualifiedName(), JobKind.VERIFY, total, Math.max(rows, total), 0, rows / seconds));
            return new VerifyReport(shape.qualifiedName(), rows, perKey, nulls, legacy, List.copyOf(failures), failureCount);
        }
    }
}
