/**
 * The tenant store's schema (DESIGN.md, "Tenancy and scale"): one SQLite database per tenant,
 * in its Durable Object, so no row carries a tenant id. Numbered migrations, applied in order by
 * migrate.ts when the store first wakes after a deploy; a migration once shipped never changes.
 * Unlike the D1 schema, there are no guard triggers and no stored seat counters: a change reads,
 * decides and writes inside one transaction of a single-threaded object (R22).
 */
export interface StoreMigration {
  version: number;
  name: string;
  sql: string;
}

export const storeMigrations: readonly StoreMigration[] = [
  {
    version: 1,
    name: "tenant",
    sql: `
CREATE TABLE users (
  id                  TEXT PRIMARY KEY,
  user_principal_name TEXT NOT NULL COLLATE NOCASE,
  display_name        TEXT NOT NULL,
  mail                TEXT COLLATE NOCASE,
  account_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (account_enabled IN (0, 1)),
  deleted_at          TEXT,
  created_at          TEXT NOT NULL,
  entra_object_id     TEXT COLLATE NOCASE,
  external_id         TEXT COLLATE NOCASE,
  department          TEXT,
  given_name          TEXT,
  family_name         TEXT,
  name_formatted      TEXT
);
CREATE UNIQUE INDEX users_by_upn ON users(user_principal_name);
CREATE UNIQUE INDEX users_by_entra_object_id ON users(entra_object_id) WHERE entra_object_id IS NOT NULL;
CREATE INDEX users_by_external_id ON users(external_id) WHERE external_id IS NOT NULL;
CREATE INDEX users_by_mail ON users(mail);
CREATE INDEX users_by_name ON users(display_name COLLATE NOCASE);

CREATE TABLE groups (
  id           TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  mail         TEXT COLLATE NOCASE,
  external_id  TEXT,
  created_at   TEXT NOT NULL
);
CREATE INDEX groups_by_name ON groups(display_name COLLATE NOCASE);
CREATE INDEX groups_by_external_id ON groups(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES groups(id),
  user_id  TEXT NOT NULL REFERENCES users(id),
  added_at TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members(user_id, group_id);

-- Roles stored for local accounts (the demo's), and those of each Entra user's last sign-in:
-- both protect an account (API.md, "Roles last seen"); neither grants an Entra caller anything.
CREATE TABLE admin_roles (
  user_id TEXT NOT NULL REFERENCES users(id),
  role    TEXT NOT NULL CHECK (role IN ('GlobalAdmin', 'LicenseAdmin', 'UserAdmin', 'BillingAdmin', 'GlobalReader')),
  source  TEXT NOT NULL CHECK (source IN ('stored', 'lastSeen')),
  PRIMARY KEY (user_id, source, role)
) WITHOUT ROWID;
CREATE INDEX admin_roles_by_role ON admin_roles(role, user_id);

-- The tenant's subscriptions as the licensing rules need them; the catalog (apps, vendors) is
-- the control plane's. The control plane's index of them is fed by the outbox (R23).
CREATE TABLE subscriptions (
  id         TEXT PRIMARY KEY,
  app_id     TEXT NOT NULL,
  plan       TEXT NOT NULL,
  purchased  INTEGER NOT NULL CHECK (purchased >= 0),
  status     TEXT NOT NULL CHECK (status IN ('active', 'warning', 'suspended', 'lockedOut', 'expired')),
  renews_at  TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE assignments (
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  principal_type  TEXT NOT NULL CHECK (principal_type IN ('user', 'group')),
  principal_id    TEXT NOT NULL,
  assigned_at     TEXT NOT NULL,
  assigned_by     TEXT NOT NULL,
  PRIMARY KEY (subscription_id, principal_type, principal_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_principal ON assignments(principal_id, principal_type);

CREATE TABLE licenses (
  seq             INTEGER PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  user_id         TEXT NOT NULL REFERENCES users(id),
  state           TEXT NOT NULL CHECK (state IN ('active', 'waiting')),
  since           TEXT NOT NULL
);
CREATE UNIQUE INDEX licenses_by_subscription_user ON licenses(subscription_id, user_id);
CREATE INDEX licenses_by_state ON licenses(subscription_id, state, seq);
CREATE INDEX licenses_by_user ON licenses(user_id);

CREATE TABLE installs (
  id              TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  requested_by    TEXT NOT NULL,
  requested_at    TEXT NOT NULL,
  completed_at    TEXT
);
CREATE INDEX installs_by_subscription ON installs(subscription_id, completed_at);

CREATE TABLE usage_checks (
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  user_id         TEXT NOT NULL REFERENCES users(id),
  last_asked_at   TEXT NOT NULL,
  PRIMARY KEY (subscription_id, user_id)
) WITHOUT ROWID;

CREATE TABLE audit_events (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
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
CREATE INDEX audit_by_subscription ON audit_events(subscription_id, seq);
-- The audit trail is append-only (R12); only the retention purge, naming its cut-off in
-- audit_purge for the length of its own transaction, removes events older than that.
CREATE TABLE audit_purge (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  before TEXT NOT NULL
);
CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_purge WHERE OLD.at < audit_purge.before)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only; only the retention purge removes old ones'); END;

CREATE TABLE idempotency_records (
  scope       TEXT NOT NULL,
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('inFlight', 'done')),
  status      INTEGER,
  response    TEXT,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency_records(created_at);

CREATE TABLE session_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_tokens_by_expiry ON session_tokens(expires_at);

CREATE TABLE provisioning_tokens (
  id           TEXT PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  last_used_at TEXT
);

-- The tenant's own search index: a substring search reads this tenant's names only.
CREATE VIRTUAL TABLE users_search USING fts5(
  display_name, user_principal_name, mail,
  content = 'users', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_search (rowid, display_name, user_principal_name, mail)
  VALUES (NEW.rowid, NEW.display_name, NEW.user_principal_name, NEW.mail);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_search (users_search, rowid, display_name, user_principal_name, mail)
  VALUES ('delete', OLD.rowid, OLD.display_name, OLD.user_principal_name, OLD.mail);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF display_name, user_principal_name, mail ON users BEGIN
  INSERT INTO users_search (users_search, rowid, display_name, user_principal_name, mail)
  VALUES ('delete', OLD.rowid, OLD.display_name, OLD.user_principal_name, OLD.mail);
  INSERT INTO users_search (rowid, display_name, user_principal_name, mail)
  VALUES (NEW.rowid, NEW.display_name, NEW.user_principal_name, NEW.mail);
END;
CREATE VIRTUAL TABLE groups_search USING fts5(
  display_name, mail,
  content = 'groups', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER groups_search_insert AFTER INSERT ON groups BEGIN
  INSERT INTO groups_search (rowid, display_name, mail) VALUES (NEW.rowid, NEW.display_name, NEW.mail);
END;
CREATE TRIGGER groups_search_delete AFTER DELETE ON groups BEGIN
  INSERT INTO groups_search (groups_search, rowid, display_name, mail) VALUES ('delete', OLD.rowid, OLD.display_name, OLD.mail);
END;
CREATE TRIGGER groups_search_update AFTER UPDATE OF display_name, mail ON groups BEGIN
  INSERT INTO groups_search (groups_search, rowid, display_name, mail) VALUES ('delete', OLD.rowid, OLD.display_name, OLD.mail);
  INSERT INTO groups_search (rowid, display_name, mail) VALUES (NEW.rowid, NEW.display_name, NEW.mail);
END;

-- What others must learn of a committed change (R23): written in the change's own transaction,
-- delivered by the store's alarm in order, at least once; receivers deduplicate by id, and the
-- control plane by seq (AUTOINCREMENT: never reused, so it only grows).
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  topic           TEXT NOT NULL,
  payload         TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT
);
`,
  },
  {
    version: 2,
    name: "webhook events",
    sql: `
-- Who got or lost a seat in the change being made (rule R23: a vendor's webhook learns it): the
-- triggers below note every seat given or taken, whatever the path, and the change turns the notes
-- into outbox events before it commits (events.ts), leaving this table empty again.
CREATE TABLE license_changes (
  seq             INTEGER PRIMARY KEY,
  subscription_id TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('granted', 'revoked')),
  cause           TEXT NOT NULL
);
-- Why seats move in the statement being run: set by the change before it moves them.
CREATE TABLE change_cause (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  via    TEXT NOT NULL CHECK (via IN ('direct', 'group', 'waitingList')),
  reason TEXT NOT NULL CHECK (reason IN ('unassigned', 'removedFromGroup', 'userDeleted', 'groupDeleted'))
);
INSERT INTO change_cause (id, via, reason) VALUES (1, 'direct', 'unassigned');
CREATE TRIGGER licenses_granted AFTER INSERT ON licenses WHEN NEW.state = 'active' BEGIN
  INSERT INTO license_changes (subscription_id, user_id, kind, cause)
  SELECT NEW.subscription_id, NEW.user_id, 'granted', via FROM change_cause;
END;
CREATE TRIGGER licenses_granted_from_waiting AFTER UPDATE OF state ON licenses
WHEN OLD.state = 'waiting' AND NEW.state = 'active' BEGIN
  INSERT INTO license_changes (subscription_id, user_id, kind, cause)
  SELECT NEW.subscription_id, NEW.user_id, 'granted', via FROM change_cause;
END;
CREATE TRIGGER licenses_revoked AFTER DELETE ON licenses WHEN OLD.state = 'active' BEGIN
  INSERT INTO license_changes (subscription_id, user_id, kind, cause)
  SELECT OLD.subscription_id, OLD.user_id, 'revoked', reason FROM change_cause;
END;

-- While deliveries of this tenant's events are pending, the store looks at them now and then
-- (webhooks/sender.ts, wakeOverdue): one whose queue message was lost is woken again.
CREATE TABLE webhook_watch (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  next_check_at INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    name: "webhook bodies",
    sql: `
-- Each webhook event's body names users, so it stays in its tenant's store: the control plane
-- holds only what routes and orders a delivery (DESIGN.md: nothing per user there). Written in the
-- change's transaction with the event's outbox entry (outbox.body); when the outbox is handed
-- over, the body of each event a webhook wants moves here, until its delivery is done
-- (webhook-bodies.ts); the others go with their entry. The sender asks the store for it.
ALTER TABLE outbox ADD COLUMN body TEXT;
CREATE TABLE webhook_bodies (
  id         TEXT PRIMARY KEY,
  body       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- Events written before this version carry their body in the entry's payload: moved to its column.
UPDATE outbox SET body = json_extract(payload, '$.event'),
                  payload = json_remove(json_set(payload, '$.type', json_extract(payload, '$.event.type')), '$.event')
 WHERE topic = 'webhook' AND json_type(payload, '$.event') = 'object';
`,
  },
];
