package dev.veil.it.springapp;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code owners}, shaped like Spring PetClinic's: {@code last_name} is encrypted and searchable by prefix. */
@Entity
@Table(name = "owners")
public class Owner {
    @Id
    private Integer id;
    @Column(name = "first_name")
    private String firstName;
    @Column(name = "last_name")
    private String lastName;

    protected Owner() {
    }

    @Override
    public String toString() {
        return id + "|" + firstName + "|" + lastName;
    }
}
