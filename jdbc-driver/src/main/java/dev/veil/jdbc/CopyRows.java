package dev.veil.jdbc;

import dev.veil.sql.CopyCommand;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the fields of COPY rows in PostgreSQL's text and CSV formats, with a command's
 * delimiter, NULL string, quote and escape. A field is kept as written ("raw") unless Veil must
 * change it, so columns Veil does not touch reach the server byte for byte.
 */
final class CopyRows {
    private final boolean csv;
    private final char delimiter;
    private final String nullString;
    private final char quote;
    private final char escape;

    CopyRows(CopyCommand command) {
        this.csv = command.format() == CopyCommand.Format.CSV;
        this.delimiter = command.delimiter();
        this.nullString = command.nullString();
        this.quote = command.quote();
        this.escape = command.escape();
    }

    /**
     * The end of the row starting at {@code from} in {@code text}: the offset just after its line
     * end, or -1 when the text holds no complete row yet. In CSV, line ends inside quotes are data.
     */
    int rowEnd(CharSequence text, int from) {
        boolean quoted = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (csv) {
                if (quoted) {
                    if (c == escape && escape != quote && i + 1 < text.length() && (text.charAt(i + 1) == quote || text.charAt(i + 1) == escape)) {
                        i++;
                    } else if (c == quote) {
                        quoted = false;
                    }
                } else if (c == quote) {
                    quoted = true;
                } else if (c == '\n') {
                    return i + 1;
                }
            } else if (c == '\\') {
                i++;
            } else if (c == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Whether a row (without its line end) is the end-of-data marker {@code \.}. */
    static boolean isEndMarker(String row) {
        return row.equals("\\.");
    }

    /** The raw fields of a row without its line end ({@code \n} or {@code \r\n}). */
    List<String> split(String row) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < row.length(); i++) {
            char c = row.charAt(i);
            if (csv) {
                if (quoted) {
                    if (c == escape && escape != quote && i + 1 < row.length() && (row.charAt(i + 1) == quote || row.charAt(i + 1) == escape)) {
                        i++;
                    } else if (c == quote) {
                        if (escape == quote && i + 1 < row.length() && row.charAt(i + 1) == quote) {
                            i++;
                        } else {
                            quoted = false;
                        }
                    }
                    continue;
                }
                if (c == quote) {
                    quoted = true;
                    continue;
                }
            } else if (c == '\\') {
                i++;
                continue;
            }
            if (c == delimiter) {
                fields.add(row.substring(start, i));
                start = i + 1;
            }
        }
        fields.add(row.substring(start));
        return fields;
    }

    /** Whether a raw field stands for NULL (in CSV only an unquoted match does). */
    boolean isNull(String raw) {
        return raw.equals(nullString);
    }

    /** The value a raw, non-NULL field holds. */
    String decode(String raw) {
        return csv ? unquote(raw) : unescape(raw);
    }

    /** A value written as a raw field that reads back as exactly that value (never as NULL). */
    String encode(String value) {
        return csv ? quoteIfNeeded(value) : escapeText(value);
    }

    private String unquote(String raw) {
        if (raw.indexOf(quote) < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        boolean quoted = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quoted) {
                if (c == escape && i + 1 < raw.length() && (raw.charAt(i + 1) == quote || raw.charAt(i + 1) == escape)
                        && (escape != quote || raw.charAt(i + 1) == quote)) {
                    out.append(raw.charAt(++i));
                } else if (c == quote) {
                    quoted = false;
                } else {
                    out.append(c);
                }
            } else if (c == quote) {
                quoted = true;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private String quoteIfNeeded(String value) {
        boolean needs = value.isEmpty() || value.equals(nullString);
        for (int i = 0; i < value.length() && !needs; i++) {
            char c = value.charAt(i);
            needs = c == delimiter || c == quote || c == escape || c == '\n' || c == '\r';
        }
        if (!needs) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append(quote);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == quote || c == escape) {
                out.append(escape);
            }
            out.append(c);
        }
        return out.append(quote).toString();
    }

    private static String unescape(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\' || i + 1 == raw.length()) {
                out.append(c);
                continue;
            }
            char n = raw.charAt(++i);
            switch (n) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000B');
                case 'x' -> {
                    int end = i + 1;
                    while (end < raw.length() && end < i + 3 && Character.digit(raw.charAt(end), 16) >= 0) {
                        end++;
                    }
                    if (end == i + 1) {
                        out.append('x');
                    } else {
                        out.append((char) Integer.parseInt(raw.substring(i + 1, end), 16));
                        i = end - 1;
                    }
                }
                default -> {
                    if (n >= '0' && n <= '7') {
                        int end = i;
                        while (end < raw.length() && end < i + 3 && raw.charAt(end) >= '0' && raw.charAt(end) <= '7') {
                            end++;
                        }
                        out.append((char) Integer.parseInt(raw.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        out.append(n);
                    }
                }
            }
        }
        return out.toString();
    }

    private String escapeText(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // as PostgreSQL's own COPY TO writes them
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\u000B' -> "\\v";
                default -> c == delimiter ? "\\" + c : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }

    /** A row of raw fields, without a line end. */
    String join(List<String> fields) {
        return String.join(String.valueOf(delimiter), fields);
    }

    /** The raw field that stands for NULL. */
    String nullField() {
        return nullString;
    }
}
