package dev.veil.it.agent;

import dev.veil.it.behaviour.EncryptionBehaviourSuite;
import dev.veil.it.search.SearchFixture;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import dev.veil.policy.PolicyLoader;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spring Boot 3 executable jar (Spring Data JPA over HikariCP, plain {@code jdbc:postgresql:},
 * its classes and driver in nested jars) run unmodified with {@code -javaagent}; in the same run,
 * Spring PetClinic's owner search ({@code findByLastNameStartingWith(String, Pageable)}:
 * Hibernate's paged {@code like ? escape '\'} and its count query) on an encrypted,
 * prefix-searchable {@code last_name}.
 */
class SpringBootAgentTest {
    private static final List<String> OWNERS = List.of("Davis", "Davidson", "davis", "Dávila", "Franklin", "Black", "Davies", "Da_vis",
            "Escobito", "Davis", "McTavish", "Dav");
    /** Prefixes searched ({@code -}: the empty prefix, PetClinic's "find all"). */
    private static final List<String> PREFIXES = List.of("Dav", "Da_", "-");
    @TempDir
    Path dir;

    /** PetClinic's owners, written through Veil (which writes the prefix tokens). */
    private static void seedOwners(TestDatabase db, Path policy) throws Exception {
        try (Connection raw = db.connect(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE owners (id int PRIMARY KEY, first_name text, last_name text)");
            for (String ddl : SearchFixture.ddlWithGuards(PolicyLoader.load(policy).tables().stream()
                    .filter(t -> t.name().name().text().equals("owners")).findFirst().orElseThrow())) {
                s.execute(ddl);
            }
        }
        try (Connection c = DriverManager.getConnection(ShopSchema.veilUrl(db, policy));
             PreparedStatement ps = c.prepareStatement("INSERT INTO owners (id, first_name, last_name) VALUES (?, ?, ?)")) {
            for (int i = 0; i < OWNERS.size(); i++) {
                ps.setInt(1, i + 1);
                ps.setString(2, "First" + (i + 1));
                ps.setString(3, OWNERS.get(i));
                ps.executeUpdate();
            }
        }
    }

    /** Every page of every search holds exactly the owners whose last name starts with the prefix, and the total is right. */
    private static void pagedSearchesAreExact(String out) {
        for (String prefix : PREFIXES) {
            String p = prefix.equals("-") ? "" : prefix;
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < OWNERS.size(); i++) {
                if (OWNERS.get(i).startsWith(p)) {
                    expected.add("APP owner " + (i + 1) + "|First" + (i + 1) + "|" + OWNERS.get(i));
                }
            }
            int from = out.indexOf("APP search " + prefix);
            int to = out.indexOf("APP search ", from + 1);
            assertTrue(from >= 0, out);
            List<String> lines = out.substring(from, to < 0 ? out.length() : to).lines().filter(l -> l.startsWith("APP ")).toList();
            assertEquals(expected, lines.stream().filter(l -> l.startsWith("APP owner")).toList(), out);
            assertTrue(lines.contains("APP total " + expected.size() + " page 0"), out);
        }
    }

    @Test
    void springDataJpaAppIsEncryptedWithoutChange() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            ShopSchema.create(db);
            Path policy = EncryptionBehaviourSuite.writePolicy(dir.resolve("policy.yaml"),
                    "  owners:\n    last_name: { mode: deterministic, search: [prefix] }\n"
                            + "match: { urls: ['jdbc:postgresql://*/" + db.name() + "'] }\n");
            seedOwners(db, policy);
            Path app = ForkedJvm.fileProperty("veil.it.spring-boot-app.jar");
            ForkedJvm.Result r = ForkedJvm.run("policy=" + policy, "-jar", app.toString(), "--spring.datasource.url=" + db.url(),
                    "--app.owners-search=" + String.join(",", PREFIXES)).assertSucceeded();
            String out = r.output();
            pagedSearchesAreExact(out);
            assertTrue(out.contains("|Ada Lovelace|ada@example.org|AB 12 34 56 C|gold"), out);
            assertTrue(out.contains("|Ada Lovelace|ada.lovelace@example.org|ZZ 99 99 99 Z|gold"), "updated and found by e-mail:\n" + out);
            assertTrue(out.contains("APP missing false"), out);
            assertTrue(out.contains("APP count 2"), out);
            System.out.printf("Spring Boot app with the agent: %.1f s wall, %.1f s CPU%n", r.wallSeconds(), r.cpuSeconds());
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, email, ssn, tier FROM customers ORDER BY id")) {
                int rows = 0;
                while (rs.next()) {
                    rows++;
                    assertTrue(rs.getString("email").startsWith("vl1:") && rs.getString("ssn").startsWith("vl1:"), rs.getString("email"));
                    assertTrue(rs.getString("tier").matches("gold|silver"), "unencrypted columns stay plain");
                }
                assertEquals(2, rows);
            }
        }
    }
}
