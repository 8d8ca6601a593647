-- Payment data (PostgreSQL). Card data lives in the "payment" key ring, whose data keys are
-- wrapped by a master key of its own (payment-master); amounts stay plain so that reports can
-- sum and sort them (SUM, ORDER BY and ranges are refused on encrypted columns).
CREATE TABLE payment_methods (
  id            BIGSERIAL PRIMARY KEY,
  customer_id   BIGINT NOT NULL,
  billing_email BYTEA,      -- deterministic, default ring
  holder_name   BYTEA,      -- randomized, default ring
  card_number   BYTEA,      -- randomized, ring payment
  card_expiry   BYTEA       -- randomized, ring payment, logical type date
);
CREATE TABLE payments (
  id                BIGSERIAL PRIMARY KEY,
  payment_method_id BIGINT NOT NULL REFERENCES payment_methods(id),
  amount            NUMERIC(12,2) NOT NULL,
  paid_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  reference         BYTEA   -- randomized, ring payment (the processor's reference)
);
