package dev.veil.sql;

import dev.veil.policy.Identifier;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The relations and CTEs visible in one query block, with a link to the enclosing block so
 * correlated sub-queries resolve outer columns. Resolves column references to their {@link Origin}.
 */
final class Scope {
    private final Scope parent;
    private final List<Relation> relations = new ArrayList<>();
    private final Map<String, QueryResult> ctes = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Scope parent() {
        return parent;
    }

    List<Relation> relations() {
        return relations;
    }

    void add(Relation relation) {
        relations.add(relation);
    }

    void defineCte(String nameKey, QueryResult result) {
        ctes.put(nameKey, result);
    }

    /** The CTE of that name visible here, or {@code null}. */
    QueryResult cte(String nameKey) {
        for (Scope s = this; s != null; s = s.parent) {
            QueryResult r = s.ctes.get(nameKey);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** The relation a qualifier names, searching outwards, or {@code null}. */
    Relation relation(Table qualifier) {
        String nameKey = key(qualifier.getName());
        String schemaKey = qualifier.getSchemaName() == null ? null : key(qualifier.getSchemaName());
        for (Scope s = this; s != null; s = s.parent) {
            for (Relation r : s.relations) {
                if (r.answersTo(schemaKey, nameKey)) {
                    return r;
                }
            }
        }
        return null;
    }

    /**
     * What a column reference yields. Unknown columns are plain (the database will reject them).
     *
     * @throws Rejection when the name is no column but a relation with encrypted columns, used as a
     *         whole-row value ({@code c::text}, {@code to_jsonb(c)}): its text would carry ciphertext
     *         to functions and comparisons with plaintext
     */
    Origin resolve(Column column) {
        String nameKey = key(column.getColumnName());
        Table qualifier = column.getTable();
        if (qualifier == null || qualifier.getName() == null) {
            Relation row = wholeRow(nameKey);
            if (row != null) {
                throw wholeRowRefused(row);
            }
        }
        if (qualifier != null && qualifier.getName() != null) {
            Relation r = relation(qualifier);
            if (r == null) {
                // (c).email, a pseudo-table: resolve the name alone, which prefers encrypted columns
                return resolveUnqualified(nameKey);
            }
            Origin o = r.column(nameKey, false);
            return o == null ? Origin.PLAIN : o;
        }
        return resolveUnqualified(nameKey);
    }

    /**
     * The relation with encrypted columns that a bare name denotes as a row value, or {@code null}
     * when the name is a column (as PostgreSQL prefers) or names no such relation. Columns are
     * looked up only when a relation answers to the name, so ordinary references cost a list scan.
     */
    Relation wholeRow(String nameKey) {
        for (Scope s = this; s != null; s = s.parent) {
            for (Relation r : s.relations) {
                if (r.answersTo(null, nameKey)) {
                    if (!r.hasEncrypted()) {
                        return null;
                    }
                    for (Scope t = this; t != s.parent; t = t.parent) {
                        for (Relation other : t.relations) {
                            if (other.column(nameKey, true) != null) {
                                return null;
                            }
                        }
                    }
                    return r;
                }
            }
        }
        return null;
    }

    /** The refusal of a whole-row reference to {@code row}. */
    static Rejection wholeRowRefused(Relation row) {
        return Rejection.unsupported("a whole-row reference to " + row.describe() + " (as a value, c::text, to_jsonb(c), "
                + "row_to_json(c), ROW(c.*)) is refused: it has encrypted columns, and the row's text would carry "
                + "ciphertext into functions and comparisons with plaintext. Name the columns you need; if a column "
                + "has the same name as the table, qualify it");
    }

    private Origin resolveUnqualified(String nameKey) {
        for (Scope s = this; s != null; s = s.parent) {
            Origin hit = null;
            for (Relation r : s.relations) {
                Origin o = r.column(nameKey, false);
                if (o != null && (hit == null || o.encrypted() != null)) {
                    hit = o;
                }
            }
            if (hit != null) {
                return hit;
            }
            if (!s.hasOuterRelations() || s.hasPlainColumn(nameKey)) {
                return Origin.PLAIN;
            }
        }
        return Origin.PLAIN;
    }

    private boolean hasOuterRelations() {
        for (Scope s = parent; s != null; s = s.parent) {
            if (!s.relations.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a plain column of that name surely exists here (asks the database). */
    private boolean hasPlainColumn(String nameKey) {
        for (Relation r : relations) {
            if (r.column(nameKey, true) != null) {
                return true;
            }
        }
        return false;
    }

    static String key(String raw) {
        return Identifier.parse(raw).key();
    }
}
