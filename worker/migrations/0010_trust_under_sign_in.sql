-- Trust under real sign-in (API.md, "Trust under real sign-in"): the protections of accounts read
-- an Entra user's roles of their last sign-in as they read stored roles; provisioning tokens
-- expire; SCIM's name parts are kept; a deleted user no longer holds their Entra object id.

-- The roles (wids) of each Entra user's last sign-in. They grant nothing to that user's own
-- requests (R16: the token decides); they decide who may change that account.
CREATE TABLE last_seen_roles (
  user_id   TEXT NOT NULL REFERENCES users(id),
  role      TEXT NOT NULL CHECK (role IN ('GlobalAdmin', 'LicenseAdmin', 'UserAdmin', 'BillingAdmin', 'GlobalReader')),
  tenant_id TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
) WITHOUT ROWID;
CREATE INDEX last_seen_roles_by_tenant ON last_seen_roles(tenant_id, role);

-- An account's roles as its protections read them: stored (the demo's, local sign-in) or last seen.
CREATE VIEW account_roles AS
  SELECT user_id, role, tenant_id FROM admin_roles
  UNION ALL
  SELECT user_id, role, tenant_id FROM last_seen_roles;

-- Provisioning tokens expire (default 365 days); those made before expire a year after they were.
ALTER TABLE provisioning_tokens ADD COLUMN expires_at TEXT;
UPDATE provisioning_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+365 days') WHERE expires_at IS NULL;

-- SCIM's name.givenName, name.familyName and name.formatted, kept as sent.
ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN family_name TEXT;
ALTER TABLE users ADD COLUMN name_formatted TEXT;

-- A deleted user's object id is freed, so that their next sign-in (or the directory's new
-- account for them) is a user of its own, not the deleted row (no lockout by deletion).
UPDATE users SET entra_object_id = NULL WHERE deleted_at IS NOT NULL AND entra_object_id IS NOT NULL;

-- A sign-in finds a provisioned user by externalId = oid, compared without case as object ids are.
CREATE INDEX users_by_external_id_nocase ON users(tenant_id, external_id COLLATE NOCASE) WHERE external_id IS NOT NULL;
