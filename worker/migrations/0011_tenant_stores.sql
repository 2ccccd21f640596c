-- Tenant stores (issue 23, the first step): the control plane's index of a subscription is fed
-- by its tenant store's outbox (R23), in the store's order. store_seq is the outbox position of
-- the figures the row holds: a delivery older than that, repeated or late, changes nothing.
ALTER TABLE subscriptions ADD COLUMN store_seq INTEGER NOT NULL DEFAULT 0;
