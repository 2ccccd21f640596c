-- A webhook event's body names users, so it now stays in its tenant's store until its delivery is
-- done (store schema v3); a delivery here keeps only what routes and orders it. The body becomes
-- optional: deliveries recorded before this keep theirs, and are sent with it, and it is cleared
-- once they are delivered. SQLite cannot drop a NOT NULL, so the table is rebuilt as it was.
CREATE TABLE webhook_deliveries_next (
  id               TEXT PRIMARY KEY,
  vendor_id        TEXT NOT NULL,
  tenant_id        TEXT NOT NULL,
  subscription_id  TEXT NOT NULL,
  store_seq        INTEGER NOT NULL,
  type             TEXT NOT NULL,
  body             TEXT,                    -- only of deliveries recorded before this migration
  status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  first_attempt_at TEXT,
  last_attempt_at  TEXT,
  last_status      INTEGER,
  next_attempt_at  TEXT NOT NULL,
  lease_until      TEXT
);
INSERT INTO webhook_deliveries_next
  (id, vendor_id, tenant_id, subscription_id, store_seq, type, body, status, attempts, created_at, first_attempt_at,
   last_attempt_at, last_status, next_attempt_at, lease_until)
SELECT id, vendor_id, tenant_id, subscription_id, store_seq, type, CASE WHEN status = 'delivered' THEN NULL ELSE body END, status,
       attempts, created_at, first_attempt_at, last_attempt_at, last_status, next_attempt_at, lease_until
  FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_next RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_by_vendor ON webhook_deliveries(vendor_id, created_at, id);
CREATE INDEX webhook_deliveries_by_vendor_status ON webhook_deliveries(vendor_id, status, created_at, id);
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries(subscription_id, vendor_id, status, store_seq);
CREATE INDEX webhook_deliveries_by_tenant ON webhook_deliveries(tenant_id, status, next_attempt_at);
