-- The shop schema the example policy fits (PostgreSQL). Encrypted columns are TEXT: they hold
-- text envelopes (vl1:...), whatever the logical type the policy declares; card_token is BYTEA
-- because its policy says storage: binary.
CREATE TABLE customers (
  id         SERIAL PRIMARY KEY,
  name       TEXT NOT NULL,
  email      TEXT,          -- deterministic: WHERE email = ? keeps working
  ssn        TEXT,          -- randomized, own key ring
  phone      TEXT,          -- deterministic, domain "phone" (joins with payments.contact_phone)
  birth_date TEXT,          -- randomized, logical type date
  tier       TEXT
);
CREATE TABLE orders (
  id           SERIAL PRIMARY KEY,
  customer_id  INTEGER REFERENCES customers(id),
  total        NUMERIC(12,2),
  note         TEXT,        -- randomized
  total_secret TEXT,        -- randomized, logical type decimal
  placed_at    TIMESTAMP DEFAULT now()
);
CREATE TABLE payments (
  id            SERIAL PRIMARY KEY,
  order_id      INTEGER REFERENCES orders(id),
  card_token    BYTEA,      -- deterministic, binary storage, "payment" key ring
  contact_phone TEXT,       -- deterministic, domain "phone"
  amount        NUMERIC(12,2)
);
