package dev.veil.it.agent;

import dev.veil.it.behaviour.EncryptionBehaviourSuite;
import dev.veil.it.search.SearchFixture;
import dev.veil.policy.PolicyLoader;
import dev.veil.search.CompanionColumns;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring PetClinic's owner search ({@code findByLastNameStartingWith(String, Pageable)}: Hibernate's
 * paged {@code like ? escape '\'} and its count query) on an encrypted, prefix-searchable
 * {@code last_name}, in a Spring Boot app run unmodified with {@code -javaagent}.
 */
class SpringDataSearchAgentTest {
    @TempDir
    Path dir;

    @Test
    void pagedPrefixSearchOnAnEncryptedColumnIsExact() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            ShopSchema.create(db);
            Path policy = EncryptionBehaviourSuite.writePolicy(dir.resolve("policy.yaml"),
                    "  owners:\n    last_name: { mode: deterministic, search: [prefix] }\n"
                            + "match: { urls: ['jdbc:postgresql://*/" + db.name() + "'] }\n");
            List<String> names = List.of("Davis", "Davidson", "davis", "Dávila", "Franklin", "Black", "Davies", "Da_vis", "Escobito",
                    "Davis", "McTavish", "Dav");
            try (Connection raw = db.connect(); Statement s = raw.createStatement()) {
                s.execute("CREATE TABLE owners (id int PRIMARY KEY, first_name text, last_name text)");
                for (String ddl : CompanionColumns.ddl(PolicyLoader.load(policy).tables().stream()
                        .filter(t -> t.name().name().text().equals("owners")).findFirst().orElseThrow())) {
                    s.execute(ddl);
                }
            }
            try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
                 PreparedStatement ps = c.prepareStatement("INSERT INTO owners (id, first_name, last_name) VALUES (?, ?, ?)")) {
                for (int i = 0; i < names.size(); i++) {
                    ps.setInt(1, i + 1);
                    ps.setString(2, "First" + (i + 1));
                    ps.setString(3, names.get(i));
                    ps.executeUpdate();
                }
            }
            SearchFixture.backfill(db, policy, "owners");
            Path app = ForkedJvm.fileProperty("veil.it.spring-boot-app.jar");
            List<String> prefixes = List.of("Dav", "Da_", "-");
            ForkedJvm.Result r = ForkedJvm.run("policy=" + policy, "-jar", app.toString(), "--spring.datasource.url=" + db.url(),
                    "--app.owners-search=" + String.join(",", prefixes)).assertSucceeded();
            String out = r.output();
            for (String prefix : prefixes) {
                String p = prefix.equals("-") ? "" : prefix;
                int from = out.indexOf("APP search " + prefix);
                int to = out.indexOf("APP search ", from + 1);
                String part = out.substring(from, to < 0 ? out.length() : to);
                List<String> expected = new java.util.ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i).startsWith(p)) {
                        expected.add("APP owner " + (i + 1) + "|First" + (i + 1) + "|" + names.get(i));
                    }
                }
                List<String> lines = part.lines().filter(l -> l.startsWith("APP ")).collect(Collectors.toList());
                assertEquals(expected, lines.stream().filter(l -> l.startsWith("APP owner")).toList(), out);
                assertTrue(lines.contains("APP total " + expected.size() + " page 0"), out);
            }
        }
    }
}
