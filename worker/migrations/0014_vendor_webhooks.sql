-- Vendor webhooks (API.md, "Vendor webhooks"). One webhook per vendor. Its signing secret must be
-- read back to sign, so it is kept encrypted (AES-GCM under the worker secret
-- WEBHOOK_SECRETS_KEY), never in the clear; after a new one, the previous one signs too until
-- previous_until.
CREATE TABLE vendor_webhooks (
  vendor_id       TEXT PRIMARY KEY REFERENCES vendors(id),
  url             TEXT NOT NULL,
  events          TEXT NOT NULL,            -- JSON array of event types
  secret          TEXT NOT NULL,            -- sealed
  previous_secret TEXT,                     -- sealed
  previous_until  TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) WITHOUT ROWID;

-- Each event a vendor's webhook is sent, from a tenant store's outbox (R23). Its id is the
-- event's webhook-id; store_seq is its place in the store's commit order, which a subscription's
-- events keep: only the earliest pending one of a subscription is sent. The queue's messages
-- only wake the sender; this row is what stands.
CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  vendor_id        TEXT NOT NULL,
  tenant_id        TEXT NOT NULL,
  subscription_id  TEXT NOT NULL,
  store_seq        INTEGER NOT NULL,
  type             TEXT NOT NULL,
  body             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  first_attempt_at TEXT,
  last_attempt_at  TEXT,
  last_status      INTEGER,
  next_attempt_at  TEXT NOT NULL,
  lease_until      TEXT
);
CREATE INDEX webhook_deliveries_by_vendor ON webhook_deliveries(vendor_id, created_at, id);
CREATE INDEX webhook_deliveries_by_vendor_status ON webhook_deliveries(vendor_id, status, created_at, id);
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries(subscription_id, vendor_id, status, store_seq);
CREATE INDEX webhook_deliveries_by_tenant ON webhook_deliveries(tenant_id, status, next_attempt_at);
