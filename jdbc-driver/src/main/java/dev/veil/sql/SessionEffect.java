package dev.veil.sql;

import java.util.Locale;

/**
 * What a statement may do to the way names resolve on its connection, read from its text once
 * per distinct text (the plan keeps it), so that following {@code search_path} costs the hot path
 * one field read.
 */
public enum SessionEffect {
    /** Leaves name resolution alone. */
    NONE,
    /**
     * May change the search path, the current schema or database, the role ({@code $user}), or
     * which relations exist: {@code SET search_path}/{@code SET SCHEMA}/{@code SET ROLE},
     * {@code RESET}, {@code DISCARD}, {@code USE}, {@code set_config(...)}, a script.
     */
    NAMES,
    /** DDL ({@code CREATE}, {@code ALTER}, {@code DROP}, {@code RENAME}, {@code IMPORT}): may also change which relations are protected. */
    DDL,
    /** Ends a transaction or rolls back to a savepoint: {@code SET LOCAL}, and a rolled-back {@code SET}, revert. */
    TRANSACTION_END;

    /** The effect of a SQL text (a statement or a script). */
    public static SessionEffect of(String sql) {
        SessionEffect first = ofCommand(sql);
        return first == NONE && isScript(sql) ? NAMES : first;
    }

    /** The effect of the first command of a text. */
    static SessionEffect ofCommand(String sql) {
        int i = HarmlessCommands.skipComments(sql);
        int start = i;
        while (i < sql.length() && FastPathFilter.isWordChar(sql.charAt(i))) {
            i++;
        }
        String first = sql.substring(start, i).toLowerCase(Locale.ROOT);
        switch (first) {
            case "set" -> {
                String lower = sql.toLowerCase(Locale.ROOT);
                return lower.contains("search_path") || lower.contains("schema") || lower.contains("role")
                        || lower.contains("authorization") || lower.contains(";") ? NAMES : NONE;
            }
            case "reset", "discard", "use" -> {
                return NAMES;
            }
            case "create", "drop", "alter", "rename", "import" -> {
                return DDL;
            }
            case "commit", "rollback", "end", "abort" -> {
                return TRANSACTION_END;
            }
            case "prepare" -> {
                return sql.substring(i).strip().toLowerCase(Locale.ROOT).startsWith("transaction") ? TRANSACTION_END : functions(sql);
            }
            default -> {
                return functions(sql);
            }
        }
    }

    /**
     * Whether a text ending a transaction commits it ({@code COMMIT}, {@code END},
     * {@code PREPARE TRANSACTION}) rather than rolling it back.
     */
    public static boolean commits(String sql) {
        int i = HarmlessCommands.skipComments(sql);
        int start = i;
        while (i < sql.length() && FastPathFilter.isWordChar(sql.charAt(i))) {
            i++;
        }
        String first = sql.substring(start, i).toLowerCase(Locale.ROOT);
        return first.equals("commit") || first.equals("end") || first.equals("prepare");
    }

    /** {@code set_config('search_path', ...)} anywhere. */
    private static SessionEffect functions(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        return lower.contains("set_config") || lower.contains("search_path") ? NAMES : NONE;
    }

    /** Whether a {@code ;} outside quotes is followed by more than blanks. Dollar quotes are not modelled: a {@code ;} in one counts. */
    static boolean isScript(String sql) {
        char quote = 0;
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == ';' && !sql.substring(i + 1).isBlank()) {
                return true;
            }
        }
        return false;
    }
}
