package dev.veil.sql;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class ScratchProbeTest {
    @Test
    void probe() throws Exception {
        SqlAnalyzer a = new SqlAnalyzer(ShopFixture.policy(), 1000);
        SchemaLookup look = ShopFixture.schema(new java.util.concurrent.atomic.AtomicInteger());
        List<String> out = new ArrayList<>();
        for (String sql : Files.readAllLines(Path.of("/tmp/veil-sql-corpus.txt"))) {
            String r;
            try {
                StatementPlan p = a.plan(sql, look);
                r = "params=" + ShopFixture.parameters(p) + " lits=" + ShopFixture.literals(p) + " res="
                        + (p.resultSets().isEmpty() ? "-" : ShopFixture.results(p, 0));
            } catch (dev.veil.VeilException e) {
                r = e.getSQLState() + " " + e.getMessage();
            } catch (Throwable t) {
                r = "CRASH " + t;
            }
            out.add(sql.substring(0, Math.min(70, sql.length())) + "\n    => " + r);
        }
        Files.write(Path.of("/tmp/veil-sql-probe.out"), out);
    }
}
