-- AppSeats schema: the directory, the catalog, subscriptions and the licensing state.
-- Every tenant-owned row carries tenant_id so that every query can be scoped by it (R11).

CREATE TABLE tenants (
  id           TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  created_at   TEXT NOT NULL
);

CREATE TABLE tenant_domains (
  domain    TEXT PRIMARY KEY COLLATE NOCASE,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  position  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tenant_domains_by_tenant ON tenant_domains(tenant_id, position);

CREATE TABLE users (
  id                  TEXT PRIMARY KEY,
  tenant_id           TEXT NOT NULL REFERENCES tenants(id),
  user_principal_name TEXT NOT NULL COLLATE NOCASE,
  display_name        TEXT NOT NULL,
  mail                TEXT COLLATE NOCASE,
  account_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (account_enabled IN (0, 1)),
  -- Deleted users stay as rows so the audit trail can still name them; they hold nothing (R15).
  deleted_at          TEXT,
  created_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX users_by_upn ON users(tenant_id, user_principal_name);
CREATE INDEX users_by_mail ON users(tenant_id, mail);
CREATE INDEX users_by_name ON users(tenant_id, display_name COLLATE NOCASE);

CREATE TABLE groups (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  display_name TEXT NOT NULL,
  mail         TEXT COLLATE NOCASE,
  created_at   TEXT NOT NULL
);
CREATE INDEX groups_by_name ON groups(tenant_id, display_name COLLATE NOCASE);

-- Flat groups: members are users; nested groups are not expanded.
CREATE TABLE group_members (
  group_id  TEXT NOT NULL REFERENCES groups(id),
  user_id   TEXT NOT NULL REFERENCES users(id),
  tenant_id TEXT NOT NULL,
  added_at  TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members(user_id, group_id);

CREATE TABLE admin_roles (
  user_id   TEXT NOT NULL REFERENCES users(id),
  role      TEXT NOT NULL CHECK (role IN ('GlobalAdmin', 'LicenseAdmin', 'UserAdmin', 'BillingAdmin', 'GlobalReader')),
  tenant_id TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

-- The catalog is shared by every tenant.
CREATE TABLE vendors (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  contact_url   TEXT,
  contact_email TEXT
);

CREATE TABLE apps (
  id          TEXT PRIMARY KEY,
  vendor_id   TEXT NOT NULL REFERENCES vendors(id),
  name        TEXT NOT NULL,
  publisher   TEXT NOT NULL,
  icon_url    TEXT,
  install_url TEXT NOT NULL
);
CREATE INDEX apps_by_vendor ON apps(vendor_id);

CREATE TABLE subscriptions (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  app_id     TEXT NOT NULL REFERENCES apps(id),
  plan       TEXT NOT NULL,
  purchased  INTEGER NOT NULL CHECK (purchased >= 0),
  status     TEXT NOT NULL CHECK (status IN ('active', 'warning', 'suspended', 'lockedOut', 'expired')),
  renews_at  TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX subscriptions_by_tenant ON subscriptions(tenant_id, app_id);
CREATE INDEX subscriptions_by_app ON subscriptions(app_id);

-- An admin's intent: this principal should hold a license of this subscription.
CREATE TABLE assignments (
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  principal_type  TEXT NOT NULL CHECK (principal_type IN ('user', 'group')),
  principal_id    TEXT NOT NULL,
  tenant_id       TEXT NOT NULL,
  assigned_at     TEXT NOT NULL,
  assigned_by     TEXT NOT NULL,
  PRIMARY KEY (subscription_id, principal_type, principal_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_principal ON assignments(principal_id, principal_type);

-- The effective result, one row per subscription and user (R1). seq orders the waiting queue
-- (first come, first served); its rowid order is the order rows were inserted in.
CREATE TABLE licenses (
  seq             INTEGER PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  user_id         TEXT NOT NULL REFERENCES users(id),
  tenant_id       TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('active', 'waiting')),
  since           TEXT NOT NULL,
  -- The change that last wrote this row, so a batch can count and audit what it did in SQL.
  event_id        TEXT
);
CREATE UNIQUE INDEX licenses_by_subscription_user ON licenses(subscription_id, user_id);
CREATE INDEX licenses_by_state ON licenses(subscription_id, state, seq);
CREATE INDEX licenses_by_user ON licenses(user_id);
CREATE INDEX licenses_by_event ON licenses(event_id);

CREATE TABLE installs (
  id              TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  tenant_id       TEXT NOT NULL,
  requested_by    TEXT NOT NULL,
  requested_at    TEXT NOT NULL,
  completed_at    TEXT
);
CREATE INDEX installs_by_subscription ON installs(subscription_id, completed_at);

CREATE TABLE audit_events (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  tenant_id       TEXT NOT NULL,
  at              TEXT NOT NULL,
  actor_type      TEXT NOT NULL CHECK (actor_type IN ('user', 'vendor', 'system')),
  actor_id        TEXT NOT NULL,
  actor_name      TEXT NOT NULL,
  action          TEXT NOT NULL,
  subscription_id TEXT,
  principals      TEXT, -- JSON array of { type, id }
  summary         TEXT NOT NULL,
  request_id      TEXT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_events(tenant_id, seq);
CREATE INDEX audit_by_subscription ON audit_events(tenant_id, subscription_id, seq);

CREATE TABLE idempotency_records (
  scope        TEXT NOT NULL, -- who called: a tenant user or a vendor
  key          TEXT NOT NULL,
  fingerprint  TEXT NOT NULL, -- method, path and body hash
  state        TEXT NOT NULL CHECK (state IN ('inFlight', 'done')),
  status       INTEGER,
  response     TEXT,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency_records(created_at);

-- Opaque credentials, stored only as SHA-256 hashes.
CREATE TABLE session_tokens (
  token_hash TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_tokens_by_expiry ON session_tokens(expires_at);

CREATE TABLE vendor_keys (
  key_hash   TEXT PRIMARY KEY,
  vendor_id  TEXT NOT NULL REFERENCES vendors(id),
  created_at TEXT NOT NULL
) WITHOUT ROWID;

-- A guard for batches: D1 has no interactive transactions, so a rule that must hold before a
-- change is checked by a statement inside the same batch. Inserting a row whose ok is not 1
-- aborts the whole batch with an error naming the code; nothing is ever stored.
CREATE VIEW batch_guard (code, ok) AS SELECT NULL, NULL WHERE 0;
CREATE TRIGGER batch_guard_not_usable INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code = 'SubscriptionNotUsable'
BEGIN SELECT RAISE(ABORT, 'guard:SubscriptionNotUsable'); END;
CREATE TRIGGER batch_guard_not_enough INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code = 'NotEnoughLicenses'
BEGIN SELECT RAISE(ABORT, 'guard:NotEnoughLicenses'); END;
CREATE TRIGGER batch_guard_inherited INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code = 'InheritedLicense'
BEGIN SELECT RAISE(ABORT, 'guard:InheritedLicense'); END;
CREATE TRIGGER batch_guard_other INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code NOT IN ('SubscriptionNotUsable', 'NotEnoughLicenses', 'InheritedLicense')
BEGIN SELECT RAISE(ABORT, 'guard:Conflict'); END;
