-- a literal bound for encrypted columns: Veil encrypts it on its way through Flyway
INSERT INTO customers (name, email, ssn, tier) VALUES ('Grace Hopper', 'grace@example.org', 'GH 19 06 09 H', 'platinum');
