-- Personal data (PostgreSQL). Every encrypted column is new, so it is BYTEA and its policy says
-- storage: binary. Columns Veil encrypts cannot be sorted, searched by range or pattern, or
-- aggregated in SQL; keep those needs (created_at, country) in plain columns.
CREATE TABLE people (
  id          BIGSERIAL PRIMARY KEY,
  email       BYTEA,        -- deterministic: WHERE email = ? keeps working
  full_name   BYTEA,        -- randomized
  phone       BYTEA,        -- deterministic: look-ups by phone number
  national_id BYTEA,        -- randomized, its own key ring
  birth_date  BYTEA,        -- randomized, logical type date
  address     BYTEA,        -- randomized
  country     CHAR(2),      -- plain: few distinct values would gain little from deterministic encryption
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
