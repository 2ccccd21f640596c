-- Sign-in with Microsoft Entra ID (R16, R17): a tenant is found by its Entra tenant id (the
-- token's `tid`), a user by their Entra object id (`oid`). Object ids are unique within a
-- tenant, not across tenants; both stay empty until a sign-in or a purchase sets them.

ALTER TABLE tenants ADD COLUMN entra_tenant_id TEXT COLLATE NOCASE;
CREATE UNIQUE INDEX tenants_by_entra_id ON tenants(entra_tenant_id) WHERE entra_tenant_id IS NOT NULL;

ALTER TABLE users ADD COLUMN entra_object_id TEXT COLLATE NOCASE;
CREATE UNIQUE INDEX users_by_entra_object_id ON users(tenant_id, entra_object_id) WHERE entra_object_id IS NOT NULL;

