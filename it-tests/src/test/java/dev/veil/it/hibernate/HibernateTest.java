package dev.veil.it.hibernate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.veil.testkit.ShopSchema;
import dev.veil.testkit.TestDatabase;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hibernate 6 (JPA) through HikariCP and jdbc:veil: — persist, find, JPQL on a deterministic column,
 * update, delete — on PostgreSQL and on MariaDB (Hibernate picks its dialect from what Veil's
 * metadata reports).
 */
class HibernateTest {
    @TempDir
    Path dir;

    @Test
    void onPostgres() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            persistFindQueryUpdateDelete(db);
        }
    }

    @Test
    void onMariaDb() throws Exception {
        try (TestDatabase db = TestDatabase.mariadbOrNull()) {
            assumeTrue(db != null, "VEIL_IT_MARIADB_URL is not set");
            persistFindQueryUpdateDelete(db);
        }
    }

    void persistFindQueryUpdateDelete(TestDatabase db) throws Exception {
        ShopSchema.create(db);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(ShopSchema.veilUrl(db, ShopSchema.policy(dir)));
        config.setDriverClassName("dev.veil.jdbc.VeilDriver");
        config.setMaximumPoolSize(4);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Configuration hibernate = new Configuration().addAnnotatedClass(Customer.class).setProperty("hibernate.hbm2ddl.auto", "none");
            hibernate.getProperties().put("hibernate.connection.datasource", pool);
            try (SessionFactory sessions = hibernate.buildSessionFactory()) {
                exercise(db, sessions);
            }
        }
    }

    void exercise(TestDatabase db, SessionFactory sessions) throws Exception {
        Integer id = sessions.fromTransaction(s -> {
            Customer c = new Customer("Hanna", "hanna@example.com", "SSN-H1");
            s.persist(c);
            s.persist(new Customer("Ivo", "ivo@example.com", "SSN-I1"));
            return c.getId();
        });
        assertTrue(id != null && id > 0);

        Customer found = sessions.fromTransaction(s -> s.find(Customer.class, id));
        assertEquals("hanna@example.com", found.getEmail());
        assertEquals("SSN-H1", found.getSsn());

        List<Customer> byEmail = sessions.fromTransaction(s -> s.createQuery("select c from Customer c where c.email = :email", Customer.class)
                .setParameter("email", "ivo@example.com").getResultList());
        assertEquals(1, byEmail.size());
        assertEquals("Ivo", byEmail.get(0).getName());
        assertEquals("SSN-I1", byEmail.get(0).getSsn());

        sessions.inTransaction(s -> {
            Customer c = s.find(Customer.class, id);
            c.setEmail("hanna.new@example.com");
            c.setSsn("SSN-H2");
        });
        assertEquals("SSN-H2", sessions.fromTransaction(s -> s.createQuery("select c from Customer c where c.email = :e", Customer.class)
                .setParameter("e", "hanna.new@example.com").getSingleResult().getSsn()));

        try (Connection raw = db.connect(); ResultSet rs = raw.createStatement().executeQuery("SELECT email, ssn FROM customers")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                assertTrue(rs.getString(1).startsWith("vl1:") && rs.getString(2).startsWith("vl1:"));
                assertFalse(rs.getString(1).contains("example.com"));
            }
            assertEquals(2, rows);
        }

        sessions.inTransaction(s -> s.remove(s.find(Customer.class, id)));
        assertNull(sessions.fromTransaction(s -> s.find(Customer.class, id)));
        long left = sessions.fromTransaction(s -> s.createQuery("select count(c) from Customer c", Long.class).getSingleResult());
        assertEquals(1L, left);
    }
}
