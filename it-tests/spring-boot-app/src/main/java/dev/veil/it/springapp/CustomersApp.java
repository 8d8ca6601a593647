package dev.veil.it.springapp;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * An ordinary Spring Boot 3 application (Spring Data JPA, HikariCP, plain
 * {@code jdbc:postgresql:}) that knows nothing of Veil. It runs create, read, update and
 * find-by-e-mail once, prints what it saw on lines starting with {@code APP }, and exits. With
 * {@code --app.owners-search=<prefix>,…} ({@code -} for the empty prefix) it then runs PetClinic's
 * paged owner search for each prefix.
 */
@SpringBootApplication
public class CustomersApp {
    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(CustomersApp.class, args)));
    }

    @Bean
    CommandLineRunner crud(CustomerRepository customers, OwnerRepository owners, @Value("${app.owners-search:}") String prefix) {
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
            if (!prefix.isEmpty()) {
                for (String p : prefix.split(",")) {
                    System.out.println("APP search " + p);
                    search(owners, p.equals("-") ? "" : p);
                }
            }
        };
    }

    /** Every page of owners whose last name starts with {@code prefix}, 3 to a page, as PetClinic pages them. */
    private static void search(OwnerRepository owners, String prefix) {
        int page = 0;
        Page<Owner> p;
        do {
            p = owners.findByLastNameStartingWith(prefix, PageRequest.of(page++, 3, Sort.by("id")));
            System.out.println("APP total " + p.getTotalElements() + " page " + p.getNumber());
            p.forEach(o -> System.out.println("APP owner " + o));
        } while (p.hasNext());
    }
}
