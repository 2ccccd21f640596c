-- Tenant stores (issue 23): D1 becomes the control plane. Each tenant's users, groups, licenses,
-- audit and credentials live in its own store (a SQLite Durable Object); D1 keeps the tenants,
-- their domains, the catalog, vendor keys, and the indexes that route a credential or an id to
-- its tenant. The tenant tables stay until `npm run move-to-stores` has moved every tenant.

-- When the tenant's first Global Administrator signed in (R17); empty while a tenant that a
-- vendor's purchase brought in waits for them.
ALTER TABLE tenants ADD COLUMN onboarded_at TEXT;
UPDATE tenants SET onboarded_at = created_at
 WHERE created_by IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = tenants.id);

-- Which tenant a provisioning token (its SHA-256 hash) belongs to; the store decides whether it
-- is still good (expired, revoked).
CREATE TABLE provisioning_routes (
  token_hash TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO provisioning_routes (token_hash, tenant_id) SELECT token_hash, tenant_id FROM provisioning_tokens;

-- The move of each tenant into its store (scripts/move-to-stores.ts): resumable, table by table.
CREATE TABLE store_moves (
  tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id),
  table_name TEXT,
  after_key  TEXT,
  counts     TEXT,
  moved_at   TEXT
);
