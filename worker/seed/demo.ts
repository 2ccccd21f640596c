/**
 * The demo data of shared/DEMO.md: the control plane's rows as SQL statements for D1
 * (demoControlStatements) and each demo tenant's rows for its store (demoStoreRows, written by
 * seed/stores.ts). `npm start` and the tests seed both, so both see the same tenants. Seeding
 * twice changes nothing: rows have fixed ids and are inserted only if missing, and a demo
 * subscription's assignments are seeded only while nobody has changed it (no audit event).
 * This file imports nothing so that Node can run it directly.
 */

export interface DemoUser {
  upn: string;
  name: string;
  role?: string;
  disabled?: boolean;
}

const contosoUsers: DemoUser[] = [
  { upn: "megan@contoso.com", name: "Megan Bowen", role: "GlobalAdmin" },
  { upn: "lidia@contoso.com", name: "Lidia Holloway", role: "LicenseAdmin" },
  { upn: "alex@contoso.com", name: "Alex Wilber", role: "UserAdmin" },
  { upn: "ben@contoso.com", name: "Ben Walters", role: "BillingAdmin" },
  { upn: "grady@contoso.com", name: "Grady Archie", role: "GlobalReader" },
  { upn: "adele@contoso.com", name: "Adele Vance" },
  { upn: "diego@contoso.com", name: "Diego Siciliani" },
  { upn: "meiling@contoso.com", name: "陳美玲" },
  { upn: "joni@contoso.com", name: "Joni Sherman", disabled: true },
  ...Array.from({ length: 40 }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return { upn: `user${n}@contoso.com`, name: `Contoso User ${n}` };
  }),
];

const fabrikamUsers: DemoUser[] = [
  { upn: "pradeep@fabrikam.com", name: "Pradeep Gupta", role: "GlobalAdmin" },
  { upn: "isaiah@fabrikam.com", name: "Isaiah Langer" },
];

/** The demo tenants with their Entra tenant ids (DEMO.md); the local OpenID provider signs their users in. */
export const demoTenants: { id: string; name: string; domains: string[]; entraTenantId: string; users: DemoUser[] }[] = [
  {
    id: "contoso",
    name: "Contoso",
    domains: ["contoso.com", "contoso.onmicrosoft.com"],
    entraTenantId: "c0c0c0c0-1111-4111-8111-000000000001",
    users: contosoUsers,
  },
  {
    id: "fabrikam",
    name: "Fabrikam",
    domains: ["fabrikam.com"],
    entraTenantId: "fab00000-2222-4222-8222-000000000002",
    users: fabrikamUsers,
  },
];

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `user${String(from + i).padStart(2, "0")}`);

const contosoGroups: { name: string; members: string[] }[] = [
  { name: "Sales", members: ["adele", "diego", ...numbered(1, 8)] },
  { name: "Engineering", members: numbered(9, 23) },
  { name: "Design", members: ["meiling", "joni", ...numbered(24, 26)] },
  { name: "All Staff", members: contosoUsers.map((u) => u.upn.split("@")[0]!) },
];

const vendors = [
  {
    key: "fabrikam",
    name: "Fabrikam, Inc.",
    app: "Fabrikam Sign",
    install: "https://sign.fabrikam.example/install",
    url: "https://fabrikam.example/support",
  },
  {
    key: "northwind",
    name: "Northwind Traders",
    app: "Northwind Notes",
    install: "https://notes.northwind.example/install",
    email: "sales@northwind.example",
  },
  {
    key: "tailspin",
    name: "Tailspin Toys",
    app: "Tailspin Maps",
    install: "https://maps.tailspin.example/install",
    url: "https://tailspin.example/contact",
  },
  {
    key: "litware",
    name: "Litware",
    app: "Litware Chat",
    install: "https://chat.litware.example/install",
    email: "support@litware.example",
  },
];

interface DemoSubscription {
  id: string;
  tenant: string;
  vendor: string;
  plan: string;
  purchased: number;
  status: string;
  users: string[];
  groups: string[];
  /** Days from the day of seeding to the next renewal: Litware Chat's is near, so the demo shows a renewal coming. */
  renewsInDays: number;
}

export const demoSubscriptions: DemoSubscription[] = [
  {
    id: "sub_contoso_fabrikam_sign",
    tenant: "contoso",
    vendor: "fabrikam",
    plan: "Business",
    purchased: 25,
    status: "active",
    users: ["adele", "megan"],
    groups: ["Sales"],
    renewsInDays: 365,
  },
  {
    id: "sub_contoso_northwind_notes",
    tenant: "contoso",
    vendor: "northwind",
    plan: "Standard",
    purchased: 5,
    status: "active",
    users: ["lidia", "alex", "diego"],
    groups: [],
    renewsInDays: 180,
  },
  {
    id: "sub_contoso_tailspin_maps",
    tenant: "contoso",
    vendor: "tailspin",
    plan: "Pro",
    purchased: 10,
    status: "suspended",
    users: [],
    groups: [],
    renewsInDays: 90,
  },
  {
    id: "sub_contoso_litware_chat",
    tenant: "contoso",
    vendor: "litware",
    plan: "Team",
    purchased: 20,
    status: "warning",
    users: [],
    groups: ["Design"],
    renewsInDays: 20,
  },
  {
    id: "sub_fabrikam_northwind_notes",
    tenant: "fabrikam",
    vendor: "northwind",
    plan: "Standard",
    purchased: 10,
    status: "active",
    users: ["isaiah"],
    groups: [],
    renewsInDays: 365,
  },
];

export const demoUserId = (tenant: string, upn: string) => `usr_${tenant}_${upn.split("@")[0]}`;
export const demoGroupId = (tenant: string, name: string) => `grp_${tenant}_${name.toLowerCase().replace(/\s+/g, "_")}`;
export const demoVendorKey = (vendor: string) => `dev-vendor-${vendor}`;
/** DEMO.md's local provisioning tokens, for SCIM at /scim/v2. */
export const demoProvisioningToken = (tenant: string) => `dev-scim-${tenant}`;

const q = (value: string | number | null | undefined) =>
  value === null || value === undefined ? "NULL" : typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;

/** Minutes after a fixed start, so that seeded rows have stable, ordered timestamps. */
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, 0) + minutes * 60_000).toISOString();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Midnight (UTC) `days` after the day of `now`: the day a renewal falls. */
export const daysAfter = (now: number, days: number) => {
  const day = new Date(now);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + days)).toISOString();
};

/** DEMO.md's vendors, their apps and their keys: the catalog, the same in both designs. */
async function catalogStatements(): Promise<string[]> {
  const sql: string[] = [];
  for (const vendor of vendors) {
    sql.push(
      `INSERT OR IGNORE INTO vendors (id, name, contact_url, contact_email)
       VALUES (${q(`ven_${vendor.key}`)}, ${q(vendor.name)}, ${q(vendor.url)}, ${q(vendor.email)})`,
      `INSERT OR IGNORE INTO apps (id, vendor_id, name, publisher, icon_url, install_url)
       VALUES (${q(`app_${vendor.key}`)}, ${q(`ven_${vendor.key}`)}, ${q(vendor.app)}, ${q(vendor.name)}, NULL, ${q(vendor.install)})`,
      `INSERT OR IGNORE INTO vendor_keys (key_hash, vendor_id, created_at)
       VALUES (${q(await sha256Hex(demoVendorKey(vendor.key)))}, ${q(`ven_${vendor.key}`)}, ${q(at(0))})`,
    );
  }
  return sql;
}

/**
 * DEMO.md as the D1 design seeded it: every tenant's rows in D1's tenant tables. Kept to show
 * that moving such a deployment into tenant stores loses nothing (test/worker/store/move.test.ts).
 * `now` dates what is relative to the day of seeding (renewals); kept as first seeded, like every row.
 */
export async function demoSeedStatements(now = Date.now()): Promise<string[]> {
  const sql: string[] = [];
  for (const tenant of demoTenants) {
    sql.push(
      `INSERT OR IGNORE INTO tenants (id, display_name, created_at) VALUES (${q(tenant.id)}, ${q(tenant.name)}, ${q(at(0))})`,
      // A statement of its own, so that a database seeded before tenants had Entra ids gets them too.
      `UPDATE tenants SET entra_tenant_id = ${q(tenant.entraTenantId)} WHERE id = ${q(tenant.id)} AND entra_tenant_id IS NULL`,
    );
    for (const [position, domain] of tenant.domains.entries()) {
      sql.push(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) VALUES (${q(domain)}, ${q(tenant.id)}, ${position})`);
    }
    tenant.users.forEach((user, index) => {
      const id = demoUserId(tenant.id, user.upn);
      sql.push(
        `INSERT OR IGNORE INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at)
         VALUES (${q(id)}, ${q(tenant.id)}, ${q(user.upn)}, ${q(user.name)}, ${q(user.upn)}, ${user.disabled ? 0 : 1}, ${q(at(index))})`,
      );
      if (user.role) {
        sql.push(`INSERT OR IGNORE INTO admin_roles (user_id, role, tenant_id) VALUES (${q(id)}, ${q(user.role)}, ${q(tenant.id)})`);
      }
    });
  }
  contosoGroups.forEach((group, g) => {
    const id = demoGroupId("contoso", group.name);
    const mail = `${group.name.toLowerCase().replace(/\s+/g, "")}@contoso.com`;
    sql.push(
      `INSERT OR IGNORE INTO groups (id, tenant_id, display_name, mail, created_at)
       VALUES (${q(id)}, 'contoso', ${q(group.name)}, ${q(mail)}, ${q(at(100 + g))})`,
    );
    for (const [m, member] of group.members.entries()) {
      sql.push(
        `INSERT OR IGNORE INTO group_members (group_id, user_id, tenant_id, added_at)
         VALUES (${q(id)}, ${q(demoUserId("contoso", `${member}@`))}, 'contoso', ${q(at(200 + m))})`,
      );
    }
  });
  for (const tenant of demoTenants) {
    const admin = tenant.users.find((user) => user.role === "GlobalAdmin")!;
    sql.push(
      // The demo token lives a year from the day of seeding (an older seed's is renewed).
      `INSERT INTO provisioning_tokens (id, tenant_id, token_hash, created_at, created_by, expires_at)
       VALUES (${q(`prv_${tenant.id}_dev`)}, ${q(tenant.id)}, ${q(await sha256Hex(demoProvisioningToken(tenant.id)))}, ${q(at(0))}, ${q(demoUserId(tenant.id, admin.upn))}, ${q(daysAfter(now, 365))})
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE provisioning_tokens.expires_at < excluded.expires_at`,
    );
  }
  sql.push(...(await catalogStatements()));
  for (const sub of demoSubscriptions) {
    const admin = demoUserId(sub.tenant, sub.tenant === "contoso" ? "megan@" : "pradeep@");
    const untouched = `NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.subscription_id = ${q(sub.id)})`;
    sql.push(
      `INSERT OR IGNORE INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
       VALUES (${q(sub.id)}, ${q(sub.tenant)}, ${q(`app_${sub.vendor}`)}, ${q(sub.plan)}, ${sub.purchased}, ${q(sub.status)},
               ${q(daysAfter(now, sub.renewsInDays))}, ${q(at(300))}, ${q(at(300))})`,
    );
    const principals = [
      ...sub.groups.map((name) => ["group", demoGroupId(sub.tenant, name)] as const),
      ...sub.users.map((user) => ["user", demoUserId(sub.tenant, `${user}@`)] as const),
    ];
    for (const [i, [type, id]] of principals.entries()) {
      sql.push(
        `INSERT OR IGNORE INTO assignments (subscription_id, principal_type, principal_id, tenant_id, assigned_at, assigned_by)
         SELECT ${q(sub.id)}, ${q(type)}, ${q(id)}, ${q(sub.tenant)}, ${q(at(400 + i))}, ${q(admin)} WHERE ${untouched}`,
      );
    }
    // The licenses these assignments give; every demo subscription has seats for all of them.
    sql.push(
      `INSERT OR IGNORE INTO licenses (subscription_id, user_id, tenant_id, state, since)
       SELECT a.subscription_id, u.id, a.tenant_id, 'active', a.assigned_at FROM assignments a
         JOIN users u ON (a.principal_type = 'user' AND u.id = a.principal_id)
                      OR (a.principal_type = 'group' AND u.id IN (SELECT user_id FROM group_members WHERE group_id = a.principal_id))
        WHERE a.subscription_id = ${q(sub.id)} AND ${untouched}
        ORDER BY a.assigned_at, u.id`,
    );
  }
  return sql;
}

type Row = Record<string, string | number | null>;

/** Who holds each demo subscription's seats: its users and its groups' members, in assignment order, all with a seat. */
function demoHolders(sub: DemoSubscription): { principals: ["user" | "group", string][]; holders: { user: string; since: string }[] } {
  const principals: ["user" | "group", string][] = [
    ...sub.groups.map((name): ["group", string] => ["group", demoGroupId(sub.tenant, name)]),
    ...sub.users.map((user): ["user", string] => ["user", demoUserId(sub.tenant, `${user}@`)]),
  ];
  const holders: { user: string; since: string }[] = [];
  for (const [i, [type, id]] of principals.entries()) {
    const ids =
      type === "user"
        ? [id]
        : contosoGroups
            .find((group) => demoGroupId(sub.tenant, group.name) === id)!
            .members.map((member) => demoUserId(sub.tenant, `${member}@`))
            .sort();
    for (const user of ids) if (!holders.some((h) => h.user === user)) holders.push({ user, since: at(400 + i) });
  }
  return { principals, holders };
}

/**
 * DEMO.md's control plane (D1): the tenants, their domains, the catalog, vendor keys, and the
 * indexes of the demo's subscriptions (with their seats) and provisioning tokens. Idempotent.
 */
export async function demoControlStatements(now = Date.now()): Promise<string[]> {
  const sql: string[] = [];
  for (const tenant of demoTenants) {
    sql.push(
      `INSERT OR IGNORE INTO tenants (id, display_name, created_at, entra_tenant_id, onboarded_at)
       VALUES (${q(tenant.id)}, ${q(tenant.name)}, ${q(at(0))}, ${q(tenant.entraTenantId)}, ${q(at(0))})`,
    );
    for (const [position, domain] of tenant.domains.entries()) {
      sql.push(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) VALUES (${q(domain)}, ${q(tenant.id)}, ${position})`);
    }
    sql.push(
      `INSERT OR IGNORE INTO provisioning_routes (token_hash, tenant_id) VALUES (${q(await sha256Hex(demoProvisioningToken(tenant.id)))}, ${q(tenant.id)})`,
    );
  }
  sql.push(...(await catalogStatements()));
  for (const sub of demoSubscriptions) {
    sql.push(
      `INSERT OR IGNORE INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at, active_licenses)
       VALUES (${q(sub.id)}, ${q(sub.tenant)}, ${q(`app_${sub.vendor}`)}, ${q(sub.plan)}, ${sub.purchased}, ${q(sub.status)},
               ${q(daysAfter(now, sub.renewsInDays))}, ${q(at(300))}, ${q(at(300))}, ${demoHolders(sub).holders.length})`,
    );
  }
  return sql;
}

/**
 * DEMO.md's data of one tenant, as its store's rows (store/import.ts): users, roles, groups,
 * subscriptions, assignments and the licenses they give, and the local provisioning token.
 */
export async function demoStoreRows(tenantId: string, now = Date.now()): Promise<Record<string, Row[]>> {
  const tenant = demoTenants.find((t) => t.id === tenantId)!;
  const admin = tenant.users.find((user) => user.role === "GlobalAdmin")!;
  const rows: Record<string, Row[]> = {
    users: tenant.users.map((user, index) => ({
      id: demoUserId(tenant.id, user.upn),
      user_principal_name: user.upn,
      display_name: user.name,
      mail: user.upn,
      account_enabled: user.disabled ? 0 : 1,
      created_at: at(index),
    })),
    admin_roles: tenant.users
      .filter((user) => user.role)
      .map((user) => ({ user_id: demoUserId(tenant.id, user.upn), role: user.role!, source: "stored" })),
    groups: [],
    group_members: [],
    subscriptions: [],
    assignments: [],
    licenses: [],
    provisioning_tokens: [
      {
        id: `prv_${tenant.id}_dev`,
        token_hash: await sha256Hex(demoProvisioningToken(tenant.id)),
        created_at: at(0),
        created_by: demoUserId(tenant.id, admin.upn),
        // The demo token lives a year from the day of seeding.
        expires_at: daysAfter(now, 365),
      },
    ],
  };
  if (tenant.id === "contoso") {
    contosoGroups.forEach((group, g) => {
      const id = demoGroupId("contoso", group.name);
      rows.groups!.push({
        id,
        display_name: group.name,
        mail: `${group.name.toLowerCase().replace(/\s+/g, "")}@contoso.com`,
        created_at: at(100 + g),
      });
      for (const [m, member] of group.members.entries()) {
        rows.group_members!.push({ group_id: id, user_id: demoUserId("contoso", `${member}@`), added_at: at(200 + m) });
      }
    });
  }
  for (const sub of demoSubscriptions.filter((s) => s.tenant === tenant.id)) {
    rows.subscriptions!.push({
      id: sub.id,
      app_id: `app_${sub.vendor}`,
      plan: sub.plan,
      purchased: sub.purchased,
      status: sub.status,
      renews_at: daysAfter(now, sub.renewsInDays),
      created_at: at(300),
      updated_at: at(300),
    });
    const { principals, holders } = demoHolders(sub);
    principals.forEach(([type, id], i) => {
      rows.assignments!.push({
        subscription_id: sub.id,
        principal_type: type,
        principal_id: id,
        assigned_at: at(400 + i),
        assigned_by: demoUserId(tenant.id, admin.upn),
      });
    });
    for (const { user, since } of holders) rows.licenses!.push({ subscription_id: sub.id, user_id: user, state: "active", since });
  }
  return rows;
}
