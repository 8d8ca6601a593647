package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.VeilState;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A PostgreSQL {@code COPY} command, read with PostgreSQL's lexical rules: what it copies (a table
 * with an optional column list, or a query), which way, from or to where, and the options that decide
 * how rows are written (format, delimiter, NULL string, header, quote and escape).
 *
 * @param table the table's name parts ({@code [table]} or {@code [schema, table]}), or {@code null} for a query
 * @param columns the column list as written, or {@code null} when absent
 * @param query the query's text for {@code COPY (query) TO}, else {@code null}
 * @param in whether rows flow into the database ({@code FROM})
 * @param endpoint where rows come from or go to
 * @param format the data format
 * @param delimiter the field delimiter
 * @param nullString the text that stands for NULL
 * @param header whether the first line is a header ({@code HEADER MATCH} counts)
 * @param quote the CSV quote character
 * @param escape the CSV escape character
 * @param unsupported options Veil does not serve on encrypted columns (lower case), such as
 *        {@code force_null}, {@code encoding}, {@code where}
 */
public record CopyCommand(String[] table, List<String> columns, String query, boolean in, Endpoint endpoint,
                          Format format, char delimiter, String nullString, boolean header, char quote, char escape,
                          List<String> unsupported) {

    /** Where a COPY reads or writes rows. */
    public enum Endpoint { STDIO, FILE, PROGRAM }

    /** The COPY data formats. */
    public enum Format { TEXT, CSV, BINARY }

    private static final Set<String> SERVED_OPTIONS = Set.of("format", "delimiter", "null", "header", "quote", "escape",
            "freeze", "force_quote");

    /**
     * Reads a COPY command.
     *
     * @throws VeilException VE007 when the text is no COPY command Veil can read
     */
    public static CopyCommand parse(String sql) throws VeilException {
        List<List<PgTokens.Token>> statements = PgTokens.statements(sql);
        if (statements.size() != 1) {
            throw unreadable("one COPY command expected");
        }
        PgTokenCursor c = new PgTokenCursor(statements.get(0));
        if (!c.accept("copy")) {
            throw unreadable("not a COPY command");
        }
        String[] table = null;
        List<String> columns = null;
        String query = null;
        if (c.peekIsSymbol("(")) {
            List<List<PgTokens.Token>> group = c.group();
            List<PgTokens.Token> first = group.get(0);
            List<PgTokens.Token> last = group.get(group.size() - 1);
            if (first.isEmpty() || last.isEmpty()) {
                throw unreadable("empty query");
            }
            query = sql.substring(first.get(0).start(), last.get(last.size() - 1).end());
        } else {
            c.accept("binary"); // COPY BINARY t: the pre-7.4 form
            table = c.name();
            if (table == null) {
                throw unreadable("no table");
            }
            if (c.peekIsSymbol("(")) {
                columns = new ArrayList<>();
                for (List<PgTokens.Token> column : c.group()) {
                    if (column.size() != 1 || !column.get(0).isName()) {
                        throw unreadable("column list");
                    }
                    columns.add(PgTokenCursor.written(column.get(0)));
                }
            }
        }
        boolean in;
        if (c.accept("from")) {
            in = true;
        } else if (c.accept("to")) {
            in = false;
        } else {
            throw unreadable("FROM or TO expected");
        }
        Endpoint endpoint;
        if (c.accept("stdin") || c.accept("stdout")) {
            endpoint = Endpoint.STDIO;
        } else if (c.accept("program")) {
            c.next();
            endpoint = Endpoint.PROGRAM;
        } else if (c.peek() != null && c.peek().kind() == PgTokens.Kind.STRING) {
            c.next();
            endpoint = Endpoint.FILE;
        } else {
            throw unreadable("STDIN, STDOUT, a file or PROGRAM expected");
        }
        Options o = new Options(sql);
        if (sqlStartsBinary(statements.get(0))) {
            o.format = Format.BINARY;
        }
        c.accept("with");
        if (c.peekIsSymbol("(")) {
            for (List<PgTokens.Token> option : c.group()) {
                o.option(option);
            }
        }
        legacyOptions(c, o);
        if (!c.done()) {
            if (c.accept("where")) {
                o.unsupported.add("where");
                c.rest();
            } else {
                throw unreadable("unexpected text after the options");
            }
        }
        if (o.format != Format.CSV && (o.quote != null || o.escape != null)) {
            throw unreadable("QUOTE and ESCAPE need CSV format");
        }
        char delimiter = o.delimiter != null ? o.delimiter : o.format == Format.CSV ? ',' : '\t';
        String nullString = o.nullString != null ? o.nullString : o.format == Format.CSV ? "" : "\\N";
        char quote = o.quote != null ? o.quote : '"';
        char escape = o.escape != null ? o.escape : quote;
        return new CopyCommand(table, columns == null ? null : List.copyOf(columns), query, in, endpoint, o.format,
                delimiter, nullString, o.header, quote, escape, List.copyOf(o.unsupported));
    }

    private static boolean sqlStartsBinary(List<PgTokens.Token> tokens) {
        return tokens.size() > 1 && tokens.get(1).is("binary");
    }

    /** {@code [BINARY] [DELIMITER [AS] 'd'] [NULL [AS] 'n'] [CSV [HEADER] [QUOTE [AS] 'q'] [ESCAPE [AS] 'e'] [FORCE …]]}. */
    private static void legacyOptions(PgTokenCursor c, Options o) throws VeilException {
        String sql = o.sql;
        while (!c.done() && !c.peekIs("where")) {
            if (c.accept("binary")) {
                o.format = Format.BINARY;
            } else if (c.accept("csv")) {
                o.format = Format.CSV;
            } else if (c.accept("header")) {
                o.header = true;
            } else if (c.accept("delimiter")) {
                c.accept("as");
                o.delimiter = oneChar(c.next(), "DELIMITER", sql);
            } else if (c.accept("null")) {
                c.accept("as");
                o.nullString = string(c.next(), "NULL", sql);
            } else if (c.accept("quote")) {
                c.accept("as");
                o.quote = oneChar(c.next(), "QUOTE", sql);
            } else if (c.accept("escape")) {
                c.accept("as");
                o.escape = oneChar(c.next(), "ESCAPE", sql);
            } else if (c.accept("force")) {
                String which = c.next() == null ? "" : c.peek(-1).key();
                if (which.equals("not")) {
                    c.accept("null");
                    o.unsupported.add("force_not_null");
                } else if (which.equals("null")) {
                    o.unsupported.add("force_null");
                }
                // FORCE QUOTE only changes how output is quoted, which the CSV reader handles
                if (!c.acceptSymbol("*")) {
                    do {
                        c.name();
                    } while (c.acceptSymbol(","));
                }
            } else {
                throw unreadable("unknown option " + c.peek().key());
            }
        }
    }

    private static final class Options {
        final String sql;
        Format format = Format.TEXT;
        Character delimiter;
        String nullString;
        boolean header;
        Character quote;
        Character escape;
        final List<String> unsupported = new ArrayList<>();

        Options(String sql) {
            this.sql = sql;
        }

        void option(List<PgTokens.Token> option) throws VeilException {
            if (option.isEmpty() || !option.get(0).isName()) {
                throw unreadable("option");
            }
            String name = option.get(0).key().toLowerCase(Locale.ROOT);
            PgTokens.Token value = option.size() > 1 ? option.get(1) : null;
            switch (name) {
                case "format" -> {
                    String f = value == null ? "" : value.key().toLowerCase(Locale.ROOT);
                    format = switch (f) {
                        case "text" -> Format.TEXT;
                        case "csv" -> Format.CSV;
                        case "binary" -> Format.BINARY;
                        default -> throw unreadable("FORMAT " + f);
                    };
                }
                case "delimiter" -> delimiter = oneChar(value, "DELIMITER", sql);
                case "null" -> nullString = string(value, "NULL", sql);
                case "quote" -> quote = oneChar(value, "QUOTE", sql);
                case "escape" -> escape = oneChar(value, "ESCAPE", sql);
                case "header" -> header = value == null || !(value.is("false") || value.is("off")
                        || value.kind() == PgTokens.Kind.NUMBER && value.key().equals("0"));
                default -> {
                    if (!SERVED_OPTIONS.contains(name)) {
                        unsupported.add(name);
                    }
                }
            }
        }
    }

    private static char oneChar(PgTokens.Token t, String option, String sql) throws VeilException {
        String s = string(t, option, sql);
        if (s.length() != 1) {
            throw unreadable(option + " must be a single character");
        }
        return s.charAt(0);
    }

    /** The value of a string option; in {@code E''} strings the common escapes are decoded, others refused. */
    private static String string(PgTokens.Token t, String option, String sql) throws VeilException {
        if (t == null || t.kind() != PgTokens.Kind.STRING || sql.charAt(t.start()) == '$') {
            throw unreadable(option + " needs a string");
        }
        String body = t.key().replace("''", "'");
        if (Character.toUpperCase(sql.charAt(t.start())) != 'E' || body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char ch = body.charAt(i);
            if (ch != '\\' || i + 1 == body.length()) {
                out.append(ch);
                continue;
            }
            char next = body.charAt(++i);
            switch (next) {
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case '\\', '\'', '"', '|', ',', ';' -> out.append(next);
                default -> throw unreadable(option + " uses an escape Veil does not read; write the character itself");
            }
        }
        return out.toString();
    }

    private static VeilException unreadable(String what) {
        return new VeilException(VeilState.UNPARSEABLE_SQL, "cannot read this COPY command (" + what + "); on tables with "
                + "encrypted columns Veil serves COPY … FROM STDIN and COPY … TO STDOUT in text and CSV formats");
    }
}
