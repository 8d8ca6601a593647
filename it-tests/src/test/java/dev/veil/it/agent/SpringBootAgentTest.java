package dev.veil.it.agent;

import dev.veil.it.behaviour.EncryptionBehaviourSuite;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spring Boot 3 executable jar (Spring Data JPA over HikariCP, plain {@code jdbc:postgresql:},
 * its classes and driver in nested jars) run unmodified with {@code -javaagent}.
 */
class SpringBootAgentTest {
    @TempDir
    Path dir;

    @Test
    void springDataJpaAppIsEncryptedWithoutChange() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            ShopSchema.create(db);
            Path policy = EncryptionBehaviourSuite.writePolicy(dir.resolve("policy.yaml"),
                    "match: { urls: ['jdbc:postgresql://*/" + db.name() + "'] }\n");
            Path app = ForkedJvm.fileProperty("veil.it.spring-boot-app.jar");
            ForkedJvm.Result r = ForkedJvm.run("policy=" + policy, "-jar", app.toString(), "--spring.datasource.url=" + db.url()).assertSucceeded();
            String out = r.output();
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
