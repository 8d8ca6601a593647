package dev.veil.sql;

/**
 * What of H2's lexical rules Veil reads: the text is scanned by {@link LiteralScanner} (PostgreSQL's
 * rules), which agree with H2's Regular mode on {@code '…'} strings with doubled quotes,
 * {@code "…"} names and {@code --} comments. Where the two differ, or H2 has rules of its own, the
 * text is reported ambiguous (see {@link ScannedSql#ambiguity()}), so a statement on an encrypted
 * table with it is refused: {@code //} and block comments, {@code $$} strings, back-quoted and
 * bracketed names, and any compatibility mode other than Regular.
 */
final class H2Lexicon {
    private H2Lexicon() {
    }

    static ScannedSql check(ScannedSql scanned, boolean otherMode) {
        String why = otherMode ? "an H2 compatibility mode other than Regular" : ambiguity(scanned.original());
        return why == null ? scanned : new ScannedSql(scanned.original(), scanned.normalized(), scanned.literals(), scanned.balanced(),
                scanned.markerOffsets(), why);
    }

    /** The first H2 element outside strings and quoted names that Veil does not read, or {@code null}. */
    static String ambiguity(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : 0;
            if (c == '\'' || c == '"') {
                i = LiteralScanner.skipQuoted(sql, i, c);
            } else if (c == '-' && next == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && (next == '*' || next == '/')) {
                return "an H2 comment other than --";
            } else if (c == '$' && next == '$') {
                return "an H2 $$ string";
            } else if (c == '`' || c == '[') {
                return "a name quoted with " + c + " (H2 reads it only in some compatibility modes)";
            } else {
                i++;
            }
        }
        return null;
    }
}
