/**
 * SQL analysis: which JDBC parameters and literals go to encrypted columns, which result columns
 * come from them, and which statements must be refused.
 *
 * <p>{@link dev.veil.sql.SqlAnalyzer} is the entry point. Its pipeline: {@code FastPathFilter}
 * (no policy table named: pass through, no parsing) → {@code PlanCache} (per exact text) →
 * {@code LiteralScanner} (literals replaced by numbered placeholders, so texts that differ only in
 * literal values share one {@code PlanTemplate}) → {@code StatementParser} (JSqlParser on the
 * calling thread, with a watchdog) → {@code StatementAnalyzer}, {@code QueryAnalyzer},
 * {@code ExpressionAnalyzer}, {@code ComparisonAnalyzer}, {@code OrderingAnalyzer} over a
 * {@code Scope} of {@code Relation}s, applying {@code ValueRules}.
 */
package dev.veil.sql;
