-- Directory sync by SCIM 2.0 (R18, R19): provisioning tokens, what a directory sends of users and
-- groups beyond what AppSeats had (external id, department), and the provisioning service as an
-- actor of the audit trail.

ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN department TEXT;
CREATE INDEX users_by_external_id ON users(tenant_id, external_id) WHERE external_id IS NOT NULL;

ALTER TABLE groups ADD COLUMN external_id TEXT;
CREATE INDEX groups_by_external_id ON groups(tenant_id, external_id) WHERE external_id IS NOT NULL;

-- A tenant's provisioning tokens (R20): shown once, stored as SHA-256 hashes, revoked by deletion.
CREATE TABLE provisioning_tokens (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  last_used_at TEXT
);
CREATE INDEX provisioning_tokens_by_tenant ON provisioning_tokens(tenant_id, created_at);

-- The audit trail admits the provisioning service as an actor: SQLite changes a CHECK only by
-- rebuilding the table, with the same columns, rows and indexes.
CREATE TABLE audit_events_rebuilt (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  tenant_id       TEXT NOT NULL,
  at              TEXT NOT NULL,
  actor_type      TEXT NOT NULL CHECK (actor_type IN ('user', 'vendor', 'system', 'provisioning')),
  actor_id        TEXT NOT NULL,
  actor_name      TEXT NOT NULL,
  action          TEXT NOT NULL,
  subscription_id TEXT,
  principals      TEXT,
  summary         TEXT NOT NULL,
  request_id      TEXT NOT NULL
);
INSERT INTO audit_events_rebuilt SELECT seq, id, tenant_id, at, actor_type, actor_id, actor_name, action, subscription_id, principals, summary, request_id FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_rebuilt RENAME TO audit_events;
CREATE INDEX audit_by_tenant ON audit_events(tenant_id, seq);
CREATE INDEX audit_by_subscription ON audit_events(tenant_id, subscription_id, seq);
