package dev.veil.it.agent;

import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A JVM's first {@code jdbc:veil:} connection and statements (the policy read, the key opened, the
 * catalog checked, DDL, an encrypted batch, update and query) link almost no lambda or method
 * reference of Veil's own code: each spins a hidden class at its first use (about 0.25 ms of CPU and
 * some C1 compilations apiece), which every program that starts pays. The two left are the statement
 * wrappers' calls ({@code VeilStatement}) and the policy reader's choice of enum names.
 */
class StartupLambdasTest {
    @TempDir
    Path dir;

    @Test
    void theStartUpPathSpinsOnlyTheKnownLambdas() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            Path policy = PlainJdbcApp.writePolicy(dir, db.name());
            String veilUrl = "jdbc:veil:" + db.url().substring("jdbc:".length()) + (db.url().contains("?") ? "&" : "?") + "veil.policy=" + policy;
            ForkedJvm.Result r = ForkedJvm.run(null, "-Xlog:class+load", "-cp",
                    ForkedJvm.classPath(ForkedJvm.agentJar()) + File.pathSeparator + PlainJdbcApp.classPath(), PlainJdbcApp.class.getName(), veilUrl)
                    .assertSucceeded();
            TreeSet<String> spinning = new TreeSet<>();
            for (String line : r.output().split("\n")) {
                int at = line.indexOf("[class,load] ");
                int lambda = line.indexOf("$$Lambda$");
                if (at >= 0 && lambda > at) {
                    String owner = line.substring(at + "[class,load] ".length(), lambda);
                    if (owner.startsWith("dev.veil.") && !owner.startsWith("dev.veil.shaded.")) {
                        spinning.add(owner);
                    }
                }
            }
            assertEquals(List.of("dev.veil.jdbc.VeilStatement", "dev.veil.policy.PolicyLoader"), List.copyOf(spinning));
        }
    }
}
