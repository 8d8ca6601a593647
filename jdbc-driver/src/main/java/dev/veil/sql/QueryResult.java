package dev.veil.sql;

import dev.veil.policy.ColumnPolicy;
import dev.veil.search.SearchCapability;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a query produces.
 *
 * @param columns the output columns (for set operations: merged over the branches)
 * @param rows the origins per branch or per VALUES row, for INSERT ... SELECT / VALUES targets
 * @param unknownFrom {@code -1} when every column is known; otherwise the position from which the
 *        width is unknown ({@code *} over a table whose columns could not be looked up)
 */
record QueryResult(List<OutputColumn> columns, List<List<Origin>> rows, int unknownFrom) {

    QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    static QueryResult of(List<OutputColumn> columns, int unknownFrom) {
        List<Origin> row = new ArrayList<>(columns.size());
        for (OutputColumn c : columns) {
            row.add(c.origin());
        }
        return new QueryResult(columns, List.of(row), unknownFrom);
    }

    boolean exact() {
        return unknownFrom < 0;
    }

    /**
     * Where this result carries the companion columns of {@code e}'s column that belong to the same
     * row as {@code e} (the same {@link Origin.Encrypted#source}): the first position per capability.
     */
    Map<SearchCapability, Integer> companions(Origin.Encrypted e) {
        Map<SearchCapability, Integer> out = new EnumMap<>(SearchCapability.class);
        if (e.source() == null) {
            return out;
        }
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).origin() instanceof Origin.Companion k && k.source() == e.source() && k.owner().equals(e.column())
                    && columns.get(i).name() != null) {
                out.putIfAbsent(k.capability(), i);
            }
        }
        return out;
    }

    /** Whether companion column {@code k} goes with an encrypted column of the same row in this result. */
    boolean pairs(Origin.Companion k) {
        if (k.source() == null) {
            return false;
        }
        for (OutputColumn c : columns) {
            if (c.origin() instanceof Origin.Encrypted e && e.source() == k.source() && e.column().equals(k.owner())) {
                return true;
            }
        }
        return false;
    }

    /** The output column named {@code key}, or {@code null}. */
    OutputColumn column(String key) {
        for (OutputColumn c : columns) {
            if (key.equals(c.name())) {
                return c;
            }
        }
        return null;
    }

    /**
     * The encrypted column behind each result position, for {@link StatementPlan#resultSets()}.
     *
     * @throws Rejection when an encrypted column sits at a position that cannot be known
     */
    List<ColumnPolicy> resultColumns() {
        List<ColumnPolicy> out = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnPolicy c = columns.get(i).origin().encrypted();
            if (c != null && !exact() && i >= unknownFrom) {
                throw Rejection.unsupported(c, "its position in the result cannot be determined because a "
                        + "preceding * covers a table whose columns are unknown");
            }
            if (exact() || i < unknownFrom) {
                out.add(c);
            }
        }
        return out;
    }
}
