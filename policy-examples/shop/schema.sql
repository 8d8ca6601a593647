-- The shop schema the example policy fits (PostgreSQL). Encrypted columns are BYTEA: they hold
-- binary envelopes (storage: binary), whatever the logical type the policy declares.
CREATE TABLE customers (
  id         SERIAL PRIMARY KEY,
  name       TEXT NOT NULL,
  email      BYTEA,         -- deterministic: WHERE email = ? keeps working
  ssn        BYTEA,         -- randomized, own key ring
  phone      BYTEA,         -- deterministic, domain "phone" (joins with payments.contact_phone)
  birth_date BYTEA,         -- randomized, logical type date
  tier       TEXT
);
CREATE TABLE orders (
  id           SERIAL PRIMARY KEY,
  customer_id  INTEGER REFERENCES customers(id),
  total        NUMERIC(12,2),
  note         BYTEA,      -- randomized
  total_secret BYTEA,      -- randomized, logical type decimal
  placed_at    TIMESTAMP DEFAULT now()
);
CREATE TABLE payments (
  id            SERIAL PRIMARY KEY,
  order_id      INTEGER REFERENCES orders(id),
  card_token    BYTEA,      -- deterministic, binary storage, "payment" key ring
  contact_phone BYTEA,      -- deterministic, domain "phone"
  amount        NUMERIC(12,2)
);
