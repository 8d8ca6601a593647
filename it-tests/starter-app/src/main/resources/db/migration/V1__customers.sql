CREATE TABLE customers (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email BYTEA,
    ssn BYTEA,
    tier TEXT
);
