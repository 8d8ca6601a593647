package dev.veil.jdbc;

import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Identifier;
import dev.veil.policy.TableName;
import dev.veil.search.CompanionColumns;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether the database guarantees that every value of a searchable column has its search tokens:
 * the guard constraint ({@link CompanionColumns#guardName}) present, validated and exactly as
 * {@code veil policy check --ddl} prints it, on every relation of that name (in every schema when
 * the policy names none; other connections' temporary tables aside) and on every inheritance
 * child and partition beneath them. Without that a row written without tokens (by a process
 * running a policy without the search, by a plain client, before the backfill) is one every
 * search misses, silently; so searches are refused until it holds. PostgreSQL only.
 */
public final class SearchGuards {
    private SearchGuards() {
    }

    /**
     * The relations a search on the table may read and their guard: the tables of that name and
     * their descendants at any depth, with the constraint of the guard's name on each, if any.
     */
    static final String PG_GUARDS = "WITH RECURSIVE tree AS (SELECT c.oid FROM pg_catalog.pg_class c "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ? AND (?::text IS NULL OR n.nspname = ?) "
            + "AND c.relkind IN ('r', 'p', 'f') AND NOT pg_catalog.pg_is_other_temp_schema(n.oid) "
            + "UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid) "
            + "SELECT t.oid::regclass::text, c.relkind, k.convalidated, pg_catalog.pg_get_constraintdef(k.oid) FROM tree t "
            + "JOIN pg_catalog.pg_class c ON c.oid = t.oid "
            + "LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid AND k.contype = 'c' AND k.conname = ? ORDER BY 1";

    /**
     * What keeps {@code column}'s guard from being in force, in words fit for an error message
     * (relation and constraint names, never a value), or {@code null} when it is in force on every
     * relation a search of it may read.
     *
     * @throws SQLException when the catalog cannot be read
     */
    public static String gap(Connection raw, ColumnPolicy column) throws SQLException {
        TableName table = column.column().table();
        Identifier guard = CompanionColumns.guardName(column);
        String schema = table.schema() == null ? null : table.schema().folded();
        boolean any = false;
        try (PreparedStatement ps = raw.prepareStatement(PG_GUARDS)) {
            ps.setString(1, table.name().folded());
            ps.setString(2, schema);
            ps.setString(3, schema);
            ps.setString(4, guard.folded());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    any = true;
                    String relation = rs.getString(1);
                    String definition = rs.getString(4);
                    if ("f".equals(rs.getString(2))) {
                        return relation + " is a foreign table, where PostgreSQL does not enforce CHECK constraints, so nothing "
                                + "guarantees its rows carry search tokens";
                    }
                    if (definition == null) {
                        return relation + " has no guard " + guard + " (add it with the DDL 'veil policy check --ddl' prints), so a "
                                + "process without this policy's search, or a plain client, can store values without tokens";
                    }
                    if (!CompanionColumns.isGuard(column, definition)) {
                        return "the constraint " + guard + " on " + relation + " is not the guard 'veil policy check --ddl' prints "
                                + "(it must require every companion column wherever the value is not NULL); drop it and add that one";
                    }
                    if (!rs.getBoolean(3)) {
                        return "the guard " + guard + " on " + relation + " is NOT VALID: rows written before it may lack tokens; once "
                                + "'veil migrate' has backfilled them, run ALTER TABLE " + relation + " VALIDATE CONSTRAINT " + guard;
                    }
                }
            }
        }
        return any ? null : "no table " + table + " was found in the catalog";
    }
}
