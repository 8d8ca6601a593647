package dev.veil.it.springapp;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * An ordinary Spring Boot 3 application (Spring Data JPA, HikariCP, plain
 * {@code jdbc:postgresql:}) that knows nothing of Veil. It runs create, read, update and
 * find-by-e-mail once, prints what it saw on lines starting with {@code APP }, and exits.
 */
@SpringBootApplication
public class CustomersApp {
    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(CustomersApp.class, args)));
    }

    @Bean
    CommandLineRunner crud(CustomerRepository customers) {
        return args -> {
            Customer ada = customers.save(new Customer("Ada Lovelace", "ada@example.org", "AB 12 34 56 C", "gold"));
            System.out.println("APP created " + ada.getId());
            Customer read = customers.findById(ada.getId()).orElseThrow();
            System.out.println("APP read " + read);
            read.setEmail("ada.lovelace@example.org");
            read.setSsn("ZZ 99 99 99 Z");
            customers.save(read);
            customers.save(new Customer("Alan Turing", "alan@example.org", "CD 78 90 12 E", "silver"));
            Customer found = customers.findByEmail("ada.lovelace@example.org").orElseThrow();
            System.out.println("APP found " + found);
            System.out.println("APP missing " + customers.findByEmail("ada@example.org").isPresent());
            System.out.println("APP count " + customers.count());
        };
    }
}
