package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Block;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.ParenthesedStatement;
import net.sf.jsqlparser.statement.ReturningClause;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.view.AlterView;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import net.sf.jsqlparser.statement.upsert.Upsert;
import net.sf.jsqlparser.statement.upsert.UpsertType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Analyses one parsed statement: SELECT, INSERT (VALUES, SELECT, SET, ON CONFLICT, ON DUPLICATE KEY
 * UPDATE, RETURNING), MariaDB/MySQL REPLACE, UPDATE (with MariaDB/MySQL multi-table targets),
 * DELETE. DDL and other statements carry no values for encrypted columns and are left alone.
 */
final class StatementAnalyzer {
    private final Analysis analysis;
    private final FastPathFilter tables;

    StatementAnalyzer(Analysis analysis, FastPathFilter tables) {
        this.analysis = analysis;
        this.tables = tables;
    }

    /** Analyses a top-level statement and records the result set it produces, if any. */
    void analyze(Statement statement) {
        if (statement instanceof Select s) {
            analysis.filterableSelect = s instanceof PlainSelect p && SearchFilterability.rowPreserving(p) ? p : null;
            analysis.topSelect = s instanceof PlainSelect p ? p : null;
            QueryResult result = analysis.queries.analyze(s, null);
            List<ColumnPolicy> columns = result.resultColumns();
            if (analysis.filterableSelect != null) {
                columns = analysis.bindings.filterableResult(columns, hiddenAt(analysis.filterableSelect, result));
            }
            analysis.filterableSelect = null;
            analysis.topSelect = null;
            if (s instanceof PlainSelect p && p.getIntoTables() != null && !p.getIntoTables().isEmpty()) {
                refuseCopy(result, "SELECT … INTO " + p.getIntoTables().get(0).getFullyQualifiedName());
            }
            analysis.bindings.resultSet(columns);
        } else if (statement instanceof Insert || statement instanceof Update || statement instanceof Delete) {
            QueryResult returning = dml(statement, null);
            if (returning != null) {
                analysis.bindings.resultSet(returning.resultColumns());
            }
        } else if (statement instanceof Upsert u && (u.getUpsertType() == UpsertType.REPLACE || u.getUpsertType() == UpsertType.REPLACE_SET)) {
            insert(replaceAsInsert(u), null);
        } else if (statement instanceof ExplainStatement e && e.getStatement() != null) {
            // EXPLAIN ANALYZE runs the statement: its values must be encrypted; its output is plain
            analysis.queries.analyze(e.getStatement(), null);
        } else if (statement instanceof Block b && b.getStatements() != null) {
            for (Statement inner : b.getStatements()) {
                analyze(inner);
            }
        } else if (statement instanceof AlterView v && v.getSelect() != null) {
            analysis.queries.analyze(v.getSelect(), null);
        } else if (statement instanceof CreateView v && v.getSelect() != null) {
            // the view's literals would be stored in the catalog: they must be encrypted too
            QueryResult result = analysis.queries.analyze(v.getSelect(), null);
            if (v.isMaterialized()) {
                refuseCopy(result, "CREATE MATERIALIZED VIEW " + v.getView().getFullyQualifiedName());
            }
        } else if (statement instanceof CreateTable t && t.getSelect() != null) {
            refuseCopy(analysis.queries.analyze(t.getSelect(), null), "CREATE TABLE " + t.getTable().getFullyQualifiedName() + " AS");
        } else if ((statement instanceof Merge || statement instanceof Upsert) && tables.mayMention(statement.toString())) {
            throw Rejection.unsupported(statement.getClass().getSimpleName().toUpperCase(Locale.ROOT)
                    + " is not supported on tables with encrypted columns");
        }
    }

    /**
     * Where columns may be appended to a filterable query's select list for Veil to filter by
     * (just past its last item, in the parsed text), or -1 where they may not: a {@code *} (the
     * result's width is then the catalog's, and the searched column is in it anyway), an item
     * the parser did not place, or an {@code ORDER BY} position past the select list (the
     * database refuses it; with a column appended it would sort by that column instead).
     */
    private int hiddenAt(PlainSelect select, QueryResult result) {
        if (!result.exact()) {
            return -1;
        }
        for (var item : select.getSelectItems()) {
            if (item.getExpression() instanceof net.sf.jsqlparser.statement.select.AllColumns
                    || item.getExpression() instanceof net.sf.jsqlparser.statement.select.AllTableColumns) {
                return -1;
            }
        }
        if (select.getOrderByElements() != null) {
            for (var order : select.getOrderByElements()) {
                if (order.getExpression() instanceof net.sf.jsqlparser.expression.LongValue l) {
                    SqlLiteral literal = analysis.sql.literal(l.getStringValue(), true);
                    if (literal != null) {
                        analysis.bindings.read(Integer.parseInt(l.getStringValue()), literal.value());
                    }
                    try {
                        if (literal == null || Integer.parseInt(literal.value()) > result.columns().size()) {
                            return -1;
                        }
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        int at = SearchAnalyzer.end(select.getSelectItems().get(select.getSelectItems().size() - 1));
        return at > 0 && at <= analysis.sql.normalized().length() ? at : -1;
    }

    /**
     * Refuses a statement that stores a query's output in a new relation when that output holds an
     * encrypted column: the ciphertext is bound to its column and would sit, undecryptable, in a
     * relation the policy does not describe. {@code CREATE TABLE … (LIKE t)} copies no rows and passes.
     */
    private static void refuseCopy(QueryResult result, String what) {
        for (OutputColumn c : result.columns()) {
            if (c.origin().encrypted() != null) {
                throw Rejection.unsupported(c.origin().encrypted(), what + " would copy its ciphertext into a relation the "
                        + "policy does not describe, where it cannot be decrypted. Copy only plain columns, or create the "
                        + "table, add it to the policy and copy the rows through Veil (read, then write)");
            }
        }
        if (!result.exact()) {
            throw Rejection.unsupported(what + " copies columns Veil cannot determine from a table with encrypted columns; "
                    + "name the columns");
        }
    }

    /** A data-modifying statement inside WITH; its RETURNING list is what the CTE yields. */
    QueryResult nested(ParenthesedStatement statement, Scope outer) {
        Statement inner = statement instanceof ParenthesedInsert i ? i.getInsert()
                : statement instanceof ParenthesedUpdate u ? u.getUpdate()
                : statement instanceof ParenthesedDelete d ? d.getDelete() : statement;
        QueryResult r = dml(inner, outer);
        return r != null ? r : new QueryResult(List.of(), List.of(List.of()), -1);
    }

    private QueryResult dml(Statement statement, Scope outer) {
        if (statement instanceof Insert i) {
            return insert(i, outer);
        }
        if (statement instanceof Update u) {
            return update(u, outer);
        }
        if (statement instanceof Delete d) {
            return delete(d, outer);
        }
        throw Rejection.unsupported("unsupported statement " + statement.getClass().getSimpleName()
                + " on a table with encrypted columns");
    }

    /** MariaDB/MySQL {@code REPLACE} writes what the same {@code INSERT} would (after deleting the old row). */
    private static Insert replaceAsInsert(Upsert u) {
        Insert insert = new Insert().withTable(u.getTable()).withColumns(u.getColumns()).withSelect(u.getSelect());
        if (u.getUpdateSets() != null) {
            insert.withSetUpdateSets(u.getUpdateSets());
        }
        if (u.getDuplicateUpdateSets() != null) {
            insert.withDuplicateUpdateSets(u.getDuplicateUpdateSets());
        }
        return insert;
    }

    private QueryResult insert(Insert insert, Scope outer) {
        Scope with = analysis.queries.withItems(insert.getWithItemsList(), outer);
        Relation.BaseTable target = baseTable(insert.getTable());
        searchWrite(target, outer);
        Scope scope = new Scope(with);
        scope.add(target);
        List<String> names = new ArrayList<>();
        if (insert.getColumns() != null) {
            for (Column c : insert.getColumns()) {
                names.add(c.getColumnName());
            }
        } else if (insert.getSelect() != null) {
            names.addAll(target.liveColumns());
            if (names.isEmpty() && target.policy() != null) {
                throw Rejection.unsupported("INSERT into " + target.table()
                        + " without a column list: its columns are unknown and it has encrypted columns");
            }
        }
        if (insert.getSelect() != null) {
            QueryResult source = analysis.queries.analyze(insert.getSelect(), with);
            for (List<Origin> row : source.rows()) {
                for (int i = 0; i < row.size(); i++) {
                    Origin value = row.get(i);
                    if (i >= names.size()) {
                        if (value.encrypted() != null) {
                            throw Rejection.unsupported(value.encrypted(), "is copied into a column of "
                                    + target.table() + " that cannot be determined");
                        }
                        continue;
                    }
                    ColumnPolicy column = column(target, names.get(i));
                    if (!source.exact() && i >= source.unknownFrom() && column != null) {
                        throw Rejection.unsupported(column, "the value written to it cannot be determined because a "
                                + "* covers a table whose columns are unknown");
                    }
                    analysis.rules.write(column, target.table() + "." + names.get(i), value);
                }
            }
        }
        if (insert.getSetUpdateSets() != null) {
            updateSets(insert.getSetUpdateSets(), target, scope);
        }
        if (insert.getConflictAction() != null || insert.getDuplicateUpdateSets() != null) {
            analysis.bindings.upsert();
        }
        if (insert.getConflictAction() != null) {
            Scope conflict = new Scope(with);
            conflict.add(target);
            conflict.add(new Relation.BaseTable(target.schema(), target.table(), "excluded", target.policy(), target.view(), analysis.live));
            if (insert.getConflictAction().getUpdateSets() != null) {
                updateSets(insert.getConflictAction().getUpdateSets(), target, conflict);
            }
            analysis.expressions.analyze(insert.getConflictAction().getWhereExpression(), conflict);
        }
        if (insert.getConflictTarget() != null) {
            analysis.expressions.analyze(insert.getConflictTarget().getWhereExpression(), scope);
        }
        if (insert.getDuplicateUpdateSets() != null) {
            duplicateKeySets(insert.getDuplicateUpdateSets(), target, scope);
        }
        return returning(insert.getReturningClause(), scope);
    }

    private QueryResult update(Update update, Scope outer) {
        analysis.bindings.update();
        Scope with = analysis.queries.withItems(update.getWithItemsList(), outer);
        Relation.BaseTable target = baseTable(update.getTable());
        searchWrite(target, outer);
        Scope scope = new Scope(with);
        scope.add(target);
        analysis.queries.joins(update.getStartJoins(), scope);
        analysis.queries.addFromItem(update.getFromItem(), scope);
        analysis.queries.joins(update.getJoins(), scope);
        if (update.getStartJoins() != null && !update.getStartJoins().isEmpty()) {
            multiTableSets(update, target, scope);
        } else {
            updateSets(update.getUpdateSets(), target, scope);
        }
        analysis.condition(update.getWhere(), scope, false);
        analysis.ordering.orderBy(update.getOrderByElements(), scope, null);
        return returning(update.getReturningClause(), scope);
    }

    /** A write into a table with searchable columns: its companion columns are maintained by the plan, at top level only. */
    private void searchWrite(Relation.BaseTable target, Scope outer) {
        if (target.policy() == null) {
            return;
        }
        boolean searchable = false;
        for (dev.veil.policy.ColumnPolicy c : target.policy().columns().values()) {
            searchable |= c.isSearchable();
        }
        if (!searchable) {
            return;
        }
        if (outer != null) {
            throw Rejection.unsupported("a data-modifying WITH that writes " + target.table() + ", which has searchable columns, "
                    + "cannot maintain their search index; write it as a plain INSERT or UPDATE");
        }
        analysis.bindings.searchWrite(target.policy(), target.view());
    }

    private QueryResult delete(Delete delete, Scope outer) {
        Scope with = analysis.queries.withItems(delete.getWithItemsList(), outer);
        Scope scope = new Scope(with);
        scope.add(baseTable(delete.getTable()));
        if (delete.getUsingList() != null) {
            for (Table t : delete.getUsingList()) {
                analysis.queries.addFromItem(t, scope);
            }
        }
        analysis.queries.joins(delete.getJoins(), scope);
        analysis.condition(delete.getWhere(), scope, false);
        analysis.ordering.orderBy(delete.getOrderByElements(), scope, null);
        return returning(delete.getReturningClause(), scope);
    }

    /**
     * MariaDB/MySQL {@code ON DUPLICATE KEY UPDATE a = VALUES(a)}: {@code VALUES(b)} is the value the
     * INSERT would have written to column b, so copying it within one column is a copy.
     */
    private void duplicateKeySets(List<UpdateSet> sets, Relation.BaseTable target, Scope scope) {
        List<UpdateSet> rest = new ArrayList<>();
        for (UpdateSet set : sets) {
            if (set.getColumns().size() == 1 && set.getValues().size() == 1 && set.getValues().get(0) instanceof Function f
                    && f.getName() != null && (f.getName().equalsIgnoreCase("values") || f.getName().equalsIgnoreCase("value"))
                    && f.getParameters() != null && f.getParameters().size() == 1 && f.getParameters().get(0) instanceof Column source
                    && source.getTable() == null) {
                String name = set.getColumns().get(0).getColumnName();
                ColumnPolicy column = column(target, name);
                ColumnPolicy from = column(target, source.getColumnName());
                analysis.rules.write(column, target.table() + "." + name, from == null ? Origin.PLAIN : new Origin.Encrypted(from));
            } else {
                rest.add(set);
            }
        }
        updateSets(rest, target, scope);
    }

    /**
     * MariaDB/MySQL {@code UPDATE a JOIN b ... SET b.x = ?} (or {@code UPDATE a, b SET ...}): each SET
     * column is written in the table it names, so it is encrypted for that table's column. A column
     * whose table cannot be told is refused when any of the updated tables has an encrypted column
     * of that name.
     */
    private void multiTableSets(Update update, Relation.BaseTable target, Scope scope) {
        List<Relation.BaseTable> tables = new ArrayList<>();
        tables.add(target);
        for (Join join : update.getStartJoins()) {
            FromItem item = join.getFromItem();
            if (item instanceof Table t) {
                String alias = t.getAlias() == null ? null : Scope.key(t.getAlias().getName());
                Relation r = scope.relation(alias != null ? new Table(t.getAlias().getName()) : t);
                tables.add(r instanceof Relation.BaseTable b ? b : baseTable(t));
            }
        }
        for (UpdateSet set : update.getUpdateSets()) {
            List<Column> columns = set.getColumns();
            Relation.BaseTable owner = null;
            for (Column c : columns) {
                Relation.BaseTable t = owner(c, tables, scope);
                if (owner != null && t != owner) {
                    owner = null;
                    if (columns.stream().anyMatch(x -> encryptedAnywhere(x.getColumnName(), tables))) {
                        throw Rejection.unsupported("a SET of several columns of different tables in a multi-table UPDATE is not "
                                + "supported on encrypted columns; write one column per assignment");
                    }
                    break;
                }
                owner = t;
            }
            // no owner: no updated table has these columns encrypted; the target stands for "plain"
            updateSets(List.of(set), owner == null ? target : owner, scope);
        }
    }

    /** The updated table a SET column belongs to; {@code null} only when none of them can have it encrypted. */
    private Relation.BaseTable owner(Column c, List<Relation.BaseTable> tables, Scope scope) {
        String name = c.getColumnName();
        if (c.getTable() != null && c.getTable().getName() != null) {
            Relation r = scope.relation(c.getTable());
            if (r instanceof Relation.BaseTable b) {
                return b;
            }
            if (encryptedAnywhere(name, tables) || r != null) {
                throw Rejection.unsupported("cannot tell which table the SET column " + c.getFullyQualifiedName()
                        + " of this multi-table UPDATE writes; name a table of the statement or its alias");
            }
            return null;
        }
        Relation.BaseTable found = null;
        boolean unknown = false;
        for (Relation.BaseTable t : tables) {
            if (t.column(Scope.key(name), true) != null) {
                if (found != null) {
                    throw Rejection.unsupported("the SET column " + name + " of this multi-table UPDATE is in more than one "
                            + "of its tables; qualify it with the table or alias");
                }
                found = t;
            } else if (!t.columnsKnown()) {
                unknown = true;
            }
        }
        if (unknown && encryptedAnywhere(name, tables)) {
            throw Rejection.unsupported("cannot tell which table the SET column " + name + " of this multi-table UPDATE writes, "
                    + "because the columns of one of its tables are unknown; qualify it with the table or alias");
        }
        return found;
    }

    private static boolean encryptedAnywhere(String name, List<Relation.BaseTable> tables) {
        for (Relation.BaseTable t : tables) {
            if (column(t, name) != null) {
                return true;
            }
        }
        return false;
    }

    /** {@code SET a = x, (b, c) = (y, z), (d, e) = (SELECT ...)}. */
    private void updateSets(List<UpdateSet> sets, Relation.BaseTable target, Scope scope) {
        for (UpdateSet set : sets) {
            List<Column> columns = set.getColumns();
            List<?> values = set.getValues();
            List<Origin> origins = new ArrayList<>();
            if (values.size() == columns.size()) {
                for (Object v : values) {
                    origins.add(analysis.expressions.analyze((Expression) v, scope));
                }
            } else if (values.size() == 1 && values.get(0) instanceof Select s) {
                analysis.queries.analyze(s, scope).columns().forEach(c -> origins.add(c.origin()));
            } else {
                for (Object v : values) {
                    analysis.expressions.analyze((Expression) v, scope);
                }
            }
            for (int i = 0; i < columns.size(); i++) {
                String name = columns.get(i).getColumnName();
                ColumnPolicy column = column(target, name);
                if (i >= origins.size()) {
                    if (column != null) {
                        throw Rejection.unsupported(column, "the value written to it cannot be determined");
                    }
                    continue;
                }
                analysis.rules.write(column, target.table() + "." + name, origins.get(i));
            }
        }
    }

    private QueryResult returning(ReturningClause returning, Scope scope) {
        if (returning == null) {
            return null;
        }
        return analysis.queries.selectItems(returning, scope);
    }

    private Relation.BaseTable baseTable(Table t) {
        String alias = t.getAlias() == null ? null : Scope.key(t.getAlias().getName());
        return analysis.table(t, alias);
    }

    private static ColumnPolicy column(Relation.BaseTable table, String name) {
        return table.policy() == null ? null : table.policy().columns().get(Scope.key(name));
    }
}
