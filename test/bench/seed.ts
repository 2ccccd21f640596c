/**
 * The large tenant the benchmark measures: Adatum, with 100,000 users (every tenth with a
 * four-character Chinese name), 2,000 groups (one of 50,000 members, one of 5,000, the rest of 25) and 50
 * subscriptions, 48 of them already assigned to teams (about 12,000 licenses).
 */

export const bench = {
  admin: "admin@adatum.com",
  bigGroup: "grp_adatum_0001",
  waitingGroup: "grp_adatum_0002",
  bigSubscription: "sub_adatum_01",
  assignSubscription: "sub_adatum_02",
  user: (n: number) => `usr_adatum_${String(n).padStart(6, "0")}`,
  /** Users not in any group, for single assignments: 55,001 … 100,000 are only in teams, so use them in order. */
  firstFreeUser: 55_001,
  /** The empty tenant a directory syncs into by SCIM, and its provisioning token (local only). */
  syncTenant: "woodgrove",
  syncToken: "dev-scim-woodgrove",
  syncAdmin: "admin@woodgrove.example",
  syncSubscription: "sub_woodgrove_01",
};

const at = "2026-05-01T00:00:00.000Z";

export const largeTenantSql = (syncTokenHash: string): string[] => [
  `INSERT OR IGNORE INTO tenants (id, display_name, created_at) VALUES ('woodgrove', 'Woodgrove', '${at}')`,
  `INSERT OR IGNORE INTO provisioning_tokens (id, tenant_id, token_hash, created_at, created_by, expires_at)
   VALUES ('prv_woodgrove_bench', 'woodgrove', '${syncTokenHash}', '${at}', 'bench', '2036-05-01T00:00:00.000Z')`,
  `INSERT OR IGNORE INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at)
   VALUES ('usr_woodgrove_admin', 'woodgrove', 'admin@woodgrove.example', 'Woodgrove Admin', NULL, 1, '${at}')`,
  `INSERT OR IGNORE INTO admin_roles (user_id, role, tenant_id) VALUES ('usr_woodgrove_admin', 'GlobalAdmin', 'woodgrove')`,
  `INSERT OR IGNORE INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, created_at, updated_at)
   VALUES ('sub_woodgrove_01', 'woodgrove', 'app_northwind', 'Standard', 500, 'active', '${at}', '${at}')`,
  `INSERT OR IGNORE INTO tenants (id, display_name, created_at) VALUES ('adatum', 'Adatum', '${at}')`,
  `INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) VALUES ('adatum.com', 'adatum', 0)`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
   INSERT OR IGNORE INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at)
   SELECT printf('usr_adatum_%06d', i), 'adatum', printf('u%06d@adatum.com', i),
          CASE WHEN i % 10 = 0 THEN '陳美' || char(19968 + (i % 500), 20000 + (i % 300)) || printf(' %06d', i) ELSE printf('Person %06d', i) END,
          printf('u%06d@adatum.com', i), 1, '${at}' FROM n`,
  `INSERT OR IGNORE INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at)
   VALUES ('usr_adatum_admin', 'adatum', 'admin@adatum.com', 'Adatum Admin', 'admin@adatum.com', 1, '${at}')`,
  `INSERT OR IGNORE INTO admin_roles (user_id, role, tenant_id) VALUES ('usr_adatum_admin', 'GlobalAdmin', 'adatum')`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
   INSERT OR IGNORE INTO groups (id, tenant_id, display_name, mail, created_at)
   SELECT printf('grp_adatum_%04d', i), 'adatum',
          CASE i WHEN 1 THEN 'Everyone Big' WHEN 2 THEN 'Waiting Crowd' ELSE printf('Team %04d', i) END,
          printf('group%04d@adatum.com', i), '${at}' FROM n`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 55000)
   INSERT OR IGNORE INTO group_members (group_id, user_id, tenant_id, added_at)
   SELECT CASE WHEN i <= 50000 THEN 'grp_adatum_0001' ELSE 'grp_adatum_0002' END, printf('usr_adatum_%06d', i), 'adatum',
          strftime('%Y-%m-%dT%H:%M:%fZ', '${at}', '+' || i || ' seconds') FROM n`,
  `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1998 * 25 - 1)
   INSERT OR IGNORE INTO group_members (group_id, user_id, tenant_id, added_at)
   SELECT printf('grp_adatum_%04d', 3 + i / 25), printf('usr_adatum_%06d', 55001 + (i % 45000)), 'adatum', '${at}' FROM n`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
   INSERT OR IGNORE INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
   SELECT printf('sub_adatum_%02d', i), 'adatum',
          CASE i % 4 WHEN 0 THEN 'app_fabrikam' WHEN 1 THEN 'app_northwind' WHEN 2 THEN 'app_tailspin' ELSE 'app_litware' END,
          printf('Plan %02d', i), CASE i WHEN 1 THEN 50000 WHEN 2 THEN 100000 ELSE 300 END,
          CASE WHEN i % 17 = 0 THEN 'warning' WHEN i % 23 = 0 THEN 'suspended' ELSE 'active' END,
          '2027-05-01T00:00:00.000Z', '${at}', '${at}' FROM n`,
  // Subscriptions 3 … 50: ten teams each (250 users), all holding seats.
  `WITH RECURSIVE s(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM s WHERE i < 50), t(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM t WHERE j < 9)
   INSERT OR IGNORE INTO assignments (subscription_id, principal_type, principal_id, tenant_id, assigned_at, assigned_by)
   SELECT printf('sub_adatum_%02d', i), 'group', printf('grp_adatum_%04d', 3 + ((i * 10 + j) % 1998)), 'adatum', '${at}', 'usr_adatum_admin' FROM s, t`,
  `INSERT OR IGNORE INTO licenses (subscription_id, user_id, tenant_id, state, since)
   SELECT a.subscription_id, m.user_id, 'adatum', 'active', '${at}' FROM assignments a
     JOIN group_members m ON m.group_id = a.principal_id
    WHERE a.tenant_id = 'adatum' ORDER BY a.subscription_id, m.user_id`,
];
