package dev.veil.sql;

import dev.veil.VeilException;
import dev.veil.policy.ColumnPolicy;
import dev.veil.policy.Policy;
import dev.veil.policy.PolicyLoader;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The small shop schema the SQL tests run against: its policy and a stand-in for database metadata.
 */
final class ShopFixture {
    static final String POLICY = """
            version: 1
            keys:
              master: { provider: env }
            tables:
              customers:
                email: { mode: deterministic }
                ssn: randomized
                phone: { mode: deterministic, domain: phone }
              orders:
                note: randomized
              payments:
                card_token: { mode: deterministic }
                contact_phone: { mode: deterministic, domain: phone }
              legacy:
                columns:
                  secret: { mode: deterministic }
                allow-unparseable: true
              billing.invoices:
                iban: { mode: deterministic }
            """;

    /** Live columns by lower-case table name, as metadata would report them. */
    static final Map<String, List<String>> TABLES = Map.of(
            "customers", List.of("id", "name", "email", "ssn", "phone"),
            "orders", List.of("id", "customer_id", "total", "note"),
            "payments", List.of("id", "order_id", "card_token", "contact_phone"),
            "products", List.of("id", "title", "price"),
            "order_archive", List.of("id", "note"),
            "legacy", List.of("id", "secret"),
            "invoices", List.of("id", "iban"));

    private ShopFixture() {
    }

    static Policy policy() {
        try {
            return PolicyLoader.parse(POLICY, "shop.yaml");
        } catch (VeilException e) {
            throw new AssertionError(e);
        }
    }

    /** A lookup over {@link #TABLES} that counts its calls. */
    static SchemaLookup schema(AtomicInteger calls) {
        return (schema, table) -> {
            calls.incrementAndGet();
            return TABLES.getOrDefault(table.toLowerCase(Locale.ROOT), List.of());
        };
    }

    /** {@code table.column} of a column policy, for assertions. */
    static String name(ColumnPolicy c) {
        return c == null ? null : c.column().toString();
    }

    /** Parameters as {@code index -> table.column}, with {@code []} for array parameters. */
    static Map<Integer, String> parameters(StatementPlan plan) {
        Map<Integer, String> out = new TreeMap<>();
        plan.parameters().forEach((i, t) -> out.put(i, name(t.column()) + (t.array() ? "[]" : "")));
        return out;
    }

    /** Literal targets as {@code text-in-sql -> table.column = value}. */
    static List<String> literals(StatementPlan plan) {
        List<String> out = new ArrayList<>();
        for (LiteralTarget t : plan.literals()) {
            out.add(plan.sql().substring(t.start(), t.end()) + " -> " + name(t.column()) + " = " + t.value());
        }
        return out;
    }

    /** The columns of result {@code index} as {@code table.column} or {@code null}. */
    static List<String> results(StatementPlan plan, int index) {
        List<String> out = new ArrayList<>();
        plan.resultColumns(index).forEach(c -> out.add(name(c)));
        return out;
    }
}
