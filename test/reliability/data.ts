/** The suite's own data beside DEMO.md: 600 more Contoso users and twelve groups of 50 ("Crowd 01" …). */

export const relUser = (n: number) => `usr_rel_${String(n).padStart(4, "0")}`;
export const crowd = (n: number) => `grp_rel_crowd_${String(n).padStart(2, "0")}`;

export const subscriptions = {
  fabrikamSign: "sub_contoso_fabrikam_sign",
  northwindNotes: "sub_contoso_northwind_notes",
  tailspinMaps: "sub_contoso_tailspin_maps",
  litwareChat: "sub_contoso_litware_chat",
  fabrikamTenantNotes: "sub_fabrikam_northwind_notes",
};

export const extraSeed = (): string[] => [
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
   INSERT OR IGNORE INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at)
   SELECT printf('usr_rel_%04d', i), 'contoso', printf('rel%04d@contoso.com', i), printf('Reliability User %04d', i),
          printf('rel%04d@contoso.com', i), 1, '2026-03-01T00:00:00.000Z' FROM n`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
   INSERT OR IGNORE INTO groups (id, tenant_id, display_name, mail, created_at)
   SELECT printf('grp_rel_crowd_%02d', i), 'contoso', printf('Crowd %02d', i), NULL, '2026-03-01T00:00:00.000Z' FROM n`,
  // Crowd k holds users 300 + 50(k-1) + 1 … 300 + 50k, in that order.
  `WITH RECURSIVE n(i) AS (SELECT 301 UNION ALL SELECT i + 1 FROM n WHERE i < 900)
   INSERT OR IGNORE INTO group_members (group_id, user_id, tenant_id, added_at)
   SELECT printf('grp_rel_crowd_%02d', (i - 301) / 50 + 1), printf('usr_rel_%04d', ((i - 1) % 600) + 1), 'contoso',
          strftime('%Y-%m-%dT%H:%M:%fZ', '2026-03-01T00:00:00.000Z', '+' || i || ' seconds') FROM n`,
];
