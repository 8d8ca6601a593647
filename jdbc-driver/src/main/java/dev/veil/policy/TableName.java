package dev.veil.policy;

/**
 * A table name, optionally schema-qualified. An unqualified policy table matches a table of that
 * name in any schema; a qualified one only in its schema.
 *
 * @param schema the schema, or {@code null} when not qualified
 * @param name the table name
 */
public record TableName(Identifier schema, Identifier name) {

    // equals and hashCode written out, as the record's own: part of cache keys asked for every statement

    @Override
    public boolean equals(Object o) {
        return o instanceof TableName t && java.util.Objects.equals(name, t.name) && java.util.Objects.equals(schema, t.schema);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(schema) * 31 + java.util.Objects.hashCode(name);
    }

    /** Parses {@code table}, {@code schema.table} or quoted forms such as {@code "Sales"."Order"}. */
    public static TableName parse(String raw) {
        int dot = splitPoint(raw);
        if (dot < 0) {
            return new TableName(null, Identifier.parse(raw));
        }
        return new TableName(Identifier.parse(raw.substring(0, dot)), Identifier.parse(raw.substring(dot + 1)));
    }

    /** Position of the last dot outside quotes, or -1. */
    static int splitPoint(String raw) {
        boolean inQuotes = false;
        int dot = -1;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"' || c == '`') {
                inQuotes = !inQuotes;
            } else if (c == '.' && !inQuotes) {
                dot = i;
            }
        }
        return dot;
    }

    @Override
    public String toString() {
        return schema == null ? name.toString() : schema + "." + name;
    }
}
