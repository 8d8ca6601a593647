package dev.veil.it.starterapp;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code customers} (Flyway creates it; the policy encrypts email and ssn). */
@Entity
@Table(name = "customers")
public class Customer {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Integer id;
    private String name;
    private String email;
    private String ssn;
    private String tier;

    protected Customer() {
    }

    public Customer(String name, String email, String ssn, String tier) {
        this.name = name;
        this.email = email;
        this.ssn = ssn;
        this.tier = tier;
    }

    public Integer getId() {
        return id;
    }

    public void setEmail(String email) {
        this.email = email;
    }

    public void setSsn(String ssn) {
        this.ssn = ssn;
    }

    @Override
    public String toString() {
        return id + "|" + name + "|" + email + "|" + ssn + "|" + tier;
    }
}
