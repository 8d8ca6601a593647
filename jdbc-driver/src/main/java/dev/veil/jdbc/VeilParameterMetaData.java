package dev.veil.jdbc;

import dev.veil.policy.LogicalType;
import dev.veil.sql.ParameterTarget;
import dev.veil.sql.SearchPredicate;
import dev.veil.sql.StatementPlan;

import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The parameters of the application's SQL, not of the statement Veil sends: a lookup on a
 * deterministic column is sent with one marker per key version, a value written into a searchable
 * column binds its companion columns' tokens after it, and a search predicate is sent as guarded
 * arms with their own markers. Parameter {@code i} is described by the real statement's parameter
 * it is sent as ({@link StatementPlan#serverIndex}), except where the real statement's answer would
 * describe ciphertext or tokens: a parameter bound for an encrypted column reports the column's
 * logical type (what the application binds), and a search operand reports its pattern
 * ({@code VARCHAR}) or bound (the column's type). Nothing it returns depends on a bound value.
 */
final class VeilParameterMetaData extends DelegatingParameterMetaData {
    private final StatementPlan plan;

    private VeilParameterMetaData(ParameterMetaData raw, StatementPlan plan) {
        super(raw);
        this.plan = plan;
    }

    /**
     * The metadata the application sees for a statement planned as {@code plan}: the real
     * statement's own when the plan binds every parameter as written.
     */
    static ParameterMetaData of(ParameterMetaData raw, StatementPlan plan) {
        if (raw == null || !plan.remapsParameters() && plan.parameters().isEmpty() && plan.searches().isEmpty()) {
            return raw;
        }
        return new VeilParameterMetaData(raw, plan);
    }

    @Override
    public int getParameterCount() throws SQLException {
        return plan.applicationParameters(delegate.getParameterCount());
    }

    /**
     * The number in the SQL sent of the application's parameter {@code index}. An index out of
     * the application's range maps to one out of the real statement's range, so the real driver
     * reports it in its own words.
     */
    private int sent(int index) {
        return plan.serverIndex(index);
    }

    /** The search predicate whose operand parameter {@code index} is, or {@code null}. */
    private SearchPredicate search(int index) {
        if (!plan.searchOperand(index)) {
            return null;
        }
        for (SearchPredicate p : plan.searches()) {
            for (SearchPredicate.Operand o : p.operands()) {
                if (o.parameter() == index) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The type of the value the application binds to parameter {@code index} when Veil takes it, else {@code null}. */
    private LogicalType logical(int index) {
        ParameterTarget t = plan.parameter(index);
        if (t != null) {
            return t.column().type();
        }
        SearchPredicate p = search(index);
        if (p == null) {
            return null;
        }
        // a pattern is a string whatever the column holds; a range bound is a value of the column
        return p.kind() == SearchPredicate.Kind.RANGE ? p.column().type() : LogicalType.STRING;
    }

    /** Whether parameter {@code index} binds an array whose elements are each encrypted ({@code col = ANY(?)}). */
    private boolean array(int index) {
        ParameterTarget t = plan.parameter(index);
        return t != null && t.array();
    }

    @Override
    public int getParameterType(int index) throws SQLException {
        LogicalType t = logical(index);
        if (t == null) {
            return delegate.getParameterType(sent(index));
        }
        return array(index) ? Types.ARRAY : JdbcTypes.sqlType(t);
    }

    @Override
    public String getParameterTypeName(int index) throws SQLException {
        LogicalType t = logical(index);
        return t == null ? delegate.getParameterTypeName(sent(index)) : t.policyName();
    }

    @Override
    public String getParameterClassName(int index) throws SQLException {
        LogicalType t = logical(index);
        if (t == null) {
            return delegate.getParameterClassName(sent(index));
        }
        return array(index) ? java.sql.Array.class.getName() : JdbcTypes.className(t);
    }

    @Override
    public int getPrecision(int index) throws SQLException {
        // the real statement's precision is that of the ciphertext's storage
        return logical(index) == null ? delegate.getPrecision(sent(index)) : 0;
    }

    @Override
    public int getScale(int index) throws SQLException {
        return logical(index) == null ? delegate.getScale(sent(index)) : 0;
    }

    @Override
    public boolean isSigned(int index) throws SQLException {
        LogicalType t = logical(index);
        return t == null ? delegate.isSigned(sent(index)) : JdbcTypes.signed(t);
    }

    @Override
    public int isNullable(int index) throws SQLException {
        // a search operand is sent as markers of tokens and flags, none of which is the operand
        return search(index) != null ? parameterNullableUnknown : delegate.isNullable(sent(index));
    }

    @Override
    public int getParameterMode(int index) throws SQLException {
        return search(index) != null ? parameterModeIn : delegate.getParameterMode(sent(index));
    }

    @Override
    public String toString() {
        // the plan's shape only: no SQL text, no value
        return "VeilParameterMetaData[" + plan + "]";
    }
}
