-- What the security review asked of the schema (issue 16): accounts an admin may not change,
-- an audit trail that cannot be rewritten, vendor keys that are named and revocable, apps with a
-- contact of their own, and the tenants a purchase brings in.

-- A change to an account may check in its own batch that it leaves the tenant a Global
-- Administrator and does not touch the caller's own account: the guard code ProtectedAccount.
CREATE TRIGGER batch_guard_protected_account INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1 AND NEW.code = 'ProtectedAccount'
BEGIN SELECT RAISE(ABORT, 'guard:ProtectedAccount'); END;

DROP TRIGGER batch_guard_other;
CREATE TRIGGER batch_guard_other INSTEAD OF INSERT ON batch_guard
WHEN NEW.ok IS NOT 1
  AND NEW.code NOT IN ('SubscriptionNotUsable', 'NotEnoughLicenses', 'InheritedLicense', 'NotFound', 'CallerChanged', 'ProtectedAccount')
BEGIN SELECT RAISE(ABORT, 'guard:Conflict'); END;

-- The audit trail is append-only (R12): no event is ever changed, and none is deleted except by
-- the retention purge (docs/operations.md), which names its cut-off in audit_purge for the
-- length of its own batch: only events older than that may go.
CREATE TABLE audit_purge (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  before TEXT NOT NULL
);

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_purge WHERE OLD.at < audit_purge.before)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only; only the retention purge removes old ones'); END;

-- Vendor keys (R20) get an id, so that the operator can name one to revoke it without its secret.
ALTER TABLE vendor_keys ADD COLUMN id TEXT;
UPDATE vendor_keys SET id = 'vk_' || substr(key_hash, 1, 16) WHERE id IS NULL;
CREATE UNIQUE INDEX vendor_keys_by_id ON vendor_keys(id);

-- An app may name a contact of its own; without one, its vendor's is shown.
ALTER TABLE apps ADD COLUMN contact_url TEXT;
ALTER TABLE apps ADD COLUMN contact_email TEXT;

-- A tenant a vendor's purchase brought in (R17) waits for its first Global Administrator.
ALTER TABLE tenants ADD COLUMN created_by TEXT;
