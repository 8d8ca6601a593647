package dev.veil.jdbc;

import dev.veil.VeilException;
import dev.veil.VeilState;
import dev.veil.crypto.ColumnCipher;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.TablePolicy;
import dev.veil.sql.CopyCommand;
import dev.veil.sql.NameResolver;
import dev.veil.sql.StatementPlan;
import org.postgresql.copy.CopyDual;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.ByteStreamWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;

/**
 * pgjdbc's {@link CopyManager} beneath a Veil connection. {@code COPY … FROM STDIN} into a table with
 * encrypted columns encrypts their fields as the rows stream through (text and CSV formats); {@code
 * COPY … TO STDOUT} of a table or query decrypts them. What Veil cannot serve on encrypted columns is
 * refused: binary format, a file or program on the server, options that change how fields are read
 * ({@code FORCE_NULL}, {@code ENCODING}, {@code WHERE}), and the low-level {@code copyIn(String)},
 * {@code copyOut(String)} and {@code copyDual} calls. COPY of other tables runs unchanged.
 */
final class GuardedCopyManager extends CopyManager {
    private static final int BUFFER = 65536;

    private final VeilConnection connection;
    /** The COPY text the stream methods are running now, which the low-level calls they make may run. */
    private final ThreadLocal<String> running = new ThreadLocal<>();

    GuardedCopyManager(VeilConnection connection, BaseConnection raw) throws SQLException {
        super(raw);
        this.connection = connection;
    }

    /** What to do with one COPY text. */
    private record Route(String sql, CopyCommand command, ColumnCipher[] ciphers) {
        boolean transforms() {
            return ciphers != null;
        }
    }

    private Route route(String sql) throws SQLException {
        if (!connection.runtime().veil().analyzer().mayMentionProtected(sql)) {
            return new Route(sql, null, null);
        }
        CopyCommand command = CopyCommand.parse(sql);
        return command.query() != null ? queryRoute(sql, command) : tableRoute(sql, command);
    }

    private Route tableRoute(String sql, CopyCommand command) throws SQLException {
        String[] name = command.table();
        String schema = name.length >= 2 ? name[name.length - 2] : null;
        String table = name[name.length - 1];
        NameResolver.Resolved resolved = connection.schemaLookup().resolver().resolve(schema, table);
        TablePolicy policy = resolved.policy();
        if (policy == null && resolved.relation() != null) {
            throw refused(table + " is a view over encrypted columns; copy from a query over it: COPY (SELECT …) TO STDOUT");
        }
        if (policy == null) {
            return new Route(sql, null, null);
        }
        List<String> columns = command.columns() != null ? command.columns() : connection.schemaLookup().columns(schema, table);
        if (columns == null || columns.isEmpty()) {
            throw refused(policy.name() + ": its columns cannot be read from the database; name them in the COPY column list");
        }
        ColumnCipher[] ciphers = new ColumnCipher[columns.size()];
        boolean any = false;
        if (command.in()) {
            refuseSearchIndexWrites(policy, columns);
        }
        for (int i = 0; i < ciphers.length; i++) {
            ColumnPolicy c = policy.column(columns.get(i)).orElse(null);
            if (c != null) {
                ciphers[i] = connection.runtime().veil().cipher(c);
                any = true;
            }
        }
        if (!any) {
            return new Route(sql, command, null);
        }
        check(command, policy.name().toString());
        return new Route(sql, command, ciphers);
    }

    private Route queryRoute(String sql, CopyCommand command) throws SQLException {
        // COPY writes every column it reads: no column is appended to filter by (over-matching searches are refused)
        StatementPlan plan = connection.plan(command.query()).withoutHidden();
        if (!plan.touchesEncrypted()) {
            return new Route(sql, null, null);
        }
        if (!plan.parameters().isEmpty()) {
            throw refused("a COPY query cannot bind parameters; write the value as a literal (Veil encrypts it)");
        }
        check(command, "its query");
        ColumnCipher[] byIndex = connection.resultCiphers(plan, 0);
        int n = plan.resultColumns(0).size();
        ColumnCipher[] ciphers = new ColumnCipher[n];
        if (byIndex != null) {
            System.arraycopy(byIndex, 1, ciphers, 0, n);
        }
        String query = connection.sqlToSend(plan);
        int at = sql.indexOf(command.query());
        String rewritten = sql.substring(0, at) + query + sql.substring(at + command.query().length());
        return new Route(rewritten, command, ciphers);
    }

    /**
     * COPY FROM does not compute search tokens: a row copied into a searchable column would sit
     * outside its search index, and searches would silently miss it. Refused, as are companion columns.
     */
    private static void refuseSearchIndexWrites(TablePolicy policy, List<String> columns) throws VeilException {
        for (String name : columns) {
            ColumnPolicy c = policy.column(name).orElse(null);
            if (c != null && c.isSearchable()) {
                throw refused(c.column() + " is searchable: COPY FROM does not maintain its search index; insert its rows with "
                        + "a batch of INSERT … VALUES (?, …) through Veil");
            }
            if (dev.veil.search.CompanionColumns.find(policy, name).isPresent()) {
                throw refused(name + " is a search index Veil maintains itself; it cannot be copied into");
            }
        }
    }

    private static void check(CopyCommand command, String what) throws VeilException {
        if (command.endpoint() != CopyCommand.Endpoint.STDIO) {
            throw refused(what + " has encrypted columns: COPY from or to a file or program on the server bypasses Veil; "
                    + "copy FROM STDIN or TO STDOUT through this CopyManager");
        }
        if (command.format() == CopyCommand.Format.BINARY) {
            throw refused(what + " has encrypted columns: binary COPY is not served; use FORMAT text or csv");
        }
        if (!command.unsupported().isEmpty()) {
            throw refused(what + " has encrypted columns: COPY option(s) " + String.join(", ", command.unsupported())
                    + " are not served on them");
        }
    }

    private static VeilException refused(String reason) {
        return new VeilException(VeilState.UNSUPPORTED_SQL, "COPY refused: " + reason);
    }

    private Route lowLevel(String sql) throws SQLException {
        if (sql.equals(running.get())) {
            return new Route(sql, null, null);
        }
        Route r = route(sql);
        if (r.transforms()) {
            throw refused("copyIn(String), copyOut(String) and copyDual hand out raw COPY data; on tables with encrypted "
                    + "columns use copyIn(sql, Reader|InputStream) and copyOut(sql, Writer|OutputStream)");
        }
        return r;
    }

    @Override
    public CopyIn copyIn(String sql) throws SQLException {
        return super.copyIn(lowLevel(sql).sql());
    }

    @Override
    public CopyOut copyOut(String sql) throws SQLException {
        return super.copyOut(lowLevel(sql).sql());
    }

    @Override
    public CopyDual copyDual(String sql) throws SQLException {
        return super.copyDual(lowLevel(sql).sql());
    }

    @Override
    public long copyOut(String sql, Writer to) throws SQLException, IOException {
        Route r = route(sql);
        if (!r.transforms()) {
            return run(r.sql(), () -> super.copyOut(r.sql(), to));
        }
        Writer decrypting = CopyStreams.decrypting(to, new CopyRows(r.command()), r.ciphers(), r.command().header());
        long rows = run(r.sql(), () -> super.copyOut(r.sql(), decrypting));
        run(r.sql(), () -> {
            decrypting.close();
            return 0L;
        });
        return rows;
    }

    @Override
    public long copyOut(String sql, OutputStream to) throws SQLException, IOException {
        Route r = route(sql);
        if (!r.transforms()) {
            return run(r.sql(), () -> super.copyOut(r.sql(), to));
        }
        return copyOut(sql, new OutputStreamWriter(to, StandardCharsets.UTF_8));
    }

    @Override
    public long copyIn(String sql, Reader from) throws SQLException, IOException {
        return copyIn(sql, from, BUFFER);
    }

    @Override
    public long copyIn(String sql, Reader from, int bufferSize) throws SQLException, IOException {
        Route r = route(sql);
        if (!r.transforms()) {
            return run(r.sql(), () -> super.copyIn(r.sql(), from, bufferSize));
        }
        Reader encrypting = CopyStreams.encrypting(from, new CopyRows(r.command()), r.ciphers(), r.command().header());
        return run(r.sql(), () -> super.copyIn(r.sql(), encrypting, bufferSize));
    }

    @Override
    public long copyIn(String sql, InputStream from) throws SQLException, IOException {
        return copyIn(sql, from, BUFFER);
    }

    @Override
    public long copyIn(String sql, InputStream from, int bufferSize) throws SQLException, IOException {
        Route r = route(sql);
        if (!r.transforms()) {
            return run(r.sql(), () -> super.copyIn(r.sql(), from, bufferSize));
        }
        return copyIn(sql, new InputStreamReader(from, StandardCharsets.UTF_8), bufferSize);
    }

    @Override
    public long copyIn(String sql, ByteStreamWriter from) throws SQLException, IOException {
        Route r = route(sql);
        if (r.transforms()) {
            throw refused("copyIn(sql, ByteStreamWriter) writes raw COPY data; on tables with encrypted columns use "
                    + "copyIn(sql, Reader|InputStream)");
        }
        return run(r.sql(), () -> super.copyIn(r.sql(), from));
    }

    @FunctionalInterface
    private interface Copy {
        long run() throws SQLException, IOException;
    }

    /** Runs a stream COPY, letting its own low-level call through, and reports Veil's failures as themselves. */
    private long run(String sql, Copy copy) throws SQLException, IOException {
        String before = running.get();
        running.set(sql);
        try {
            return copy.run();
        } catch (CopyStreams.Failure f) {
            throw f.veil();
        } finally {
            running.set(before);
        }
    }
}
