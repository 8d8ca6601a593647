package dev.veil.it.starterapp;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * An ordinary Spring Boot web application (Spring Data JPA, HikariCP, Flyway, actuator) whose
 * only Veil parts are the veil-spring-boot-starter dependency and the {@code veil.policy}
 * property. At start it runs create, read, update and find-by-e-mail once and prints what it saw
 * on lines starting with {@code APP }, then keeps serving {@code /actuator}.
 */
@SpringBootApplication
public class StarterApp {
    public static void main(String[] args) {
        SpringApplication.run(StarterApp.class, args);
    }

    @Bean
    CommandLineRunner crud(CustomerRepository customers) {
        return args -> {
            System.out.println("APP seeded " + customers.findByEmail("grace@example.org").orElseThrow());
            Customer ada = customers.save(new Customer("Ada Lovelace", "ada@example.org", "AB 12 34 56 C", "gold"));
            System.out.println("APP created " + ada.getId());
            Customer read = customers.findById(ada.getId()).orElseThrow();
            System.out.println("APP read " + read);
            read.setEmail("ada.lovelace@example.org");
            read.setSsn("ZZ 99 99 99 Z");
            customers.save(read);
            Customer found = customers.findByEmail("ada.lovelace@example.org").orElseThrow();
            System.out.println("APP found " + found);
            System.out.println("APP missing " + customers.findByEmail("ada@example.org").isPresent());
            System.out.println("APP count " + customers.count());
            System.out.println("APP ready");
        };
    }
}
