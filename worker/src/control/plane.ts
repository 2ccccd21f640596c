/**
 * The control plane (DESIGN.md, "Tenancy and scale"): every statement AppSeats runs on D1. D1
 * holds the tenants, their domains, the catalog (vendors, apps), vendor keys, and the indexes
 * that route a credential or an id to its tenant: a provisioning token's hash; a subscription,
 * with its app, vendor and latest figures for the vendor's list, fed by the stores' outboxes
 * (R23). Nothing per user. A request reads D1 at most once on its way to its tenant's store;
 * what cannot change (an Entra tenant id's tenant) is kept by the isolate for a while.
 */
import type { Purchase, Seats, VendorSubscriptionsPage } from "@appseats/shared";
import { seatsOf } from "@appseats/shared";
import { decodeCursor, pageOf } from "../cursor.js";
import { newId } from "../ids.js";
import type { OutboxEntry, SubscriptionIndexEntry } from "../store/outbox.js";
import { d1All, d1First, integer, json, nullable, oneOf, type RowOf, text } from "../store/rows.js";

// ---- Tenants ------------------------------------------------------------------------------

export interface TenantRecord {
  id: string;
  displayName: string;
  domains: string[];
  /** Null while a tenant a purchase brought in waits for its first Global Administrator (R17). */
  onboardedAt: string | null;
  createdBy: string | null;
}

const tenantShape = {
  id: text,
  display_name: text,
  domains: json<string[]>(),
  onboarded_at: nullable(text),
  created_by: nullable(text),
};

const tenantColumns = `t.id, t.display_name, t.onboarded_at, t.created_by,
  (SELECT json_group_array(domain) FROM (SELECT domain FROM tenant_domains d WHERE d.tenant_id = t.id ORDER BY d.position, d.domain)) AS domains`;

const tenantOf = (row: RowOf<typeof tenantShape> | null): TenantRecord | null =>
  row && {
    id: row.id,
    displayName: row.display_name,
    domains: row.domains,
    onboardedAt: row.onboarded_at,
    createdBy: row.created_by,
  };

export const tenantById = async (db: D1Database, id: string) =>
  tenantOf(await d1First(db.prepare(`SELECT ${tenantColumns} FROM tenants t WHERE t.id = ?1`).bind(id), tenantShape));

export const tenantByEntraId = async (db: D1Database, entraTenantId: string) =>
  tenantOf(
    await d1First(db.prepare(`SELECT ${tenantColumns} FROM tenants t WHERE t.entra_tenant_id = ?1`).bind(entraTenantId), tenantShape),
  );

export const tenantByDomain = async (db: D1Database, domain: string) =>
  tenantOf(
    await d1First(
      db
        .prepare(`SELECT ${tenantColumns} FROM tenants t WHERE t.id = (SELECT tenant_id FROM tenant_domains WHERE domain = ?1)`)
        .bind(domain),
      tenantShape,
    ),
  );

export const allTenants = async (db: D1Database) =>
  (await d1All(db.prepare(`SELECT ${tenantColumns} FROM tenants t ORDER BY t.display_name, t.id`), tenantShape)).map(
    (row) => tenantOf(row)!,
  );

/**
 * The tenant of an Entra tenant id, brought in by its first Global Administrator's sign-in
 * (R17) when there is none: named after their domain, which becomes its first domain. Two first
 * sign-ins may race; the unique Entra tenant id lets one in and the other finds it.
 */
export async function onboardTenant(db: D1Database, entra: { tid: string; name: string; domain: string | null; now: string }) {
  const id = `ten_${newId()}`;
  const statements = [
    db
      .prepare(
        `INSERT INTO tenants (id, display_name, created_at, entra_tenant_id, onboarded_at) VALUES (?1, ?2, ?3, ?4, ?3) ON CONFLICT DO NOTHING`,
      )
      .bind(id, entra.name, entra.now, entra.tid),
  ];
  if (entra.domain) {
    statements.push(
      db
        .prepare(
          `INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) SELECT ?2, ?1, 0 WHERE EXISTS (SELECT 1 FROM tenants WHERE id = ?1)`,
        )
        .bind(id, entra.domain),
    );
  }
  await db.batch(statements);
  return (await tenantByEntraId(db, entra.tid))!;
}

/** A tenant a purchase brought in meets its first Global Administrator (R17): named after their domain, which becomes its first. */
export async function welcomeTenant(db: D1Database, tenantId: string, entra: { name: string | null; domain: string | null; now: string }) {
  const statements = [
    db
      .prepare(`UPDATE tenants SET display_name = COALESCE(?2, display_name), onboarded_at = ?3 WHERE id = ?1 AND onboarded_at IS NULL`)
      .bind(tenantId, entra.name, entra.now),
  ];
  if (entra.domain) {
    statements.push(
      db.prepare(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) VALUES (?2, ?1, 0)`).bind(tenantId, entra.domain),
    );
  }
  await db.batch(statements);
}

/** A member's domain, added to their tenant unless any tenant has it; true when it was added now. */
export async function addDomain(db: D1Database, tenantId: string, domain: string): Promise<boolean> {
  const added = await db
    .prepare(
      `INSERT INTO tenant_domains (domain, tenant_id, position)
       SELECT ?2, ?1, (SELECT COALESCE(MAX(position), -1) + 1 FROM tenant_domains WHERE tenant_id = ?1) WHERE true
       ON CONFLICT DO NOTHING RETURNING domain`,
    )
    .bind(tenantId, domain)
    .first();
  return added !== null;
}

// ---- The catalog --------------------------------------------------------------------------

/** An app as a license shows it, with its vendor's contact (the app's own, else the vendor's). */
export interface CatalogApp {
  id: string;
  name: string;
  publisher: string;
  iconUrl: string | null;
  installUrl: string;
  vendorId: string;
  vendorName: string;
  contactUrl: string | null;
  contactEmail: string | null;
}

const catalogShape = {
  subscription_id: text,
  id: text,
  name: text,
  publisher: text,
  icon_url: nullable(text),
  install_url: text,
  vendor_id: text,
  vendor_name: text,
  contact_url: nullable(text),
  contact_email: nullable(text),
};

const catalogColumns = `s.id AS subscription_id, a.id, a.name, a.publisher, a.icon_url, a.install_url, v.id AS vendor_id, v.name AS vendor_name,
  COALESCE(a.contact_url, v.contact_url) AS contact_url, COALESCE(a.contact_email, v.contact_email) AS contact_email`;
const catalogJoin = `subscriptions s JOIN apps a ON a.id = s.app_id JOIN vendors v ON v.id = a.vendor_id`;

const appOf = (row: RowOf<typeof catalogShape>): CatalogApp => ({
  id: row.id,
  name: row.name,
  publisher: row.publisher,
  iconUrl: row.icon_url,
  installUrl: row.install_url,
  vendorId: row.vendor_id,
  vendorName: row.vendor_name,
  contactUrl: row.contact_url,
  contactEmail: row.contact_email,
});

/** The app of each of the tenant's subscriptions, by subscription id. */
export async function appsOfTenant(db: D1Database, tenantId: string): Promise<Map<string, CatalogApp>> {
  const results = await d1All(
    db.prepare(`SELECT ${catalogColumns} FROM ${catalogJoin} WHERE s.tenant_id = ?1`).bind(tenantId),
    catalogShape,
  );
  return new Map(results.map((row) => [row.subscription_id, appOf(row)]));
}

/** The app of one of the tenant's subscriptions, or null (another tenant's too: R11). */
export async function appOfSubscription(db: D1Database, tenantId: string, subscriptionId: string): Promise<CatalogApp | null> {
  const row = await d1First(
    db.prepare(`SELECT ${catalogColumns} FROM ${catalogJoin} WHERE s.id = ?1 AND s.tenant_id = ?2`).bind(subscriptionId, tenantId),
    catalogShape,
  );
  return row && appOf(row);
}

/** The icon address of an app the tenant subscribes to, or null. */
export async function iconUrlOf(db: D1Database, tenantId: string, appId: string): Promise<string | null> {
  const row = await d1First(
    db
      .prepare(
        `SELECT a.icon_url FROM apps a WHERE a.id = ?1 AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.app_id = a.id AND s.tenant_id = ?2)`,
      )
      .bind(appId, tenantId),
    { icon_url: nullable(text) },
  );
  return row?.icon_url ?? null;
}

// ---- Vendors --------------------------------------------------------------------------------

/** A vendor key's vendor and, in the same read, one of its subscriptions (its tenant and app), when the request names one. */
export async function vendorAndSubscription(
  db: D1Database,
  keyHash: string,
  request: { subscriptionId: string | null; installId: string | null },
) {
  const row = await d1First(
    db
      .prepare(
        `SELECT v.id, v.name, s.id AS subscription_id, s.tenant_id, a.name AS app_name
         FROM vendor_keys k JOIN vendors v ON v.id = k.vendor_id
         LEFT JOIN subscriptions s ON s.id = COALESCE(?2, (SELECT subscription_id FROM install_routes WHERE install_id = ?3))
         LEFT JOIN apps a ON a.id = s.app_id AND a.vendor_id = v.id
        WHERE k.key_hash = ?1`,
      )
      .bind(keyHash, request.subscriptionId, request.installId),
    { id: text, name: text, subscription_id: nullable(text), tenant_id: nullable(text), app_name: nullable(text) },
  );
  if (!row) return null;
  return {
    vendor: { id: row.id, name: row.name },
    // A vendor sees only subscriptions of its own apps: any other is as unknown as one that does not exist.
    subscription: row.subscription_id && row.app_name ? { id: row.subscription_id, tenantId: row.tenant_id!, appName: row.app_name } : null,
  };
}

/**
 * Where a purchase goes: the vendor's app (or null), and the tenant it names by domain (or null)
 * or by Entra tenant id. R17: an Entra tenant id AppSeats does not know brings its tenant in,
 * empty, waiting for its first Global Administrator; `broughtIn` says so.
 */
export async function purchaseTarget(db: D1Database, vendorId: string, purchase: Purchase, now: string) {
  const tenantOfPurchase =
    "domain" in purchase.tenant
      ? `SELECT tenant_id FROM tenant_domains WHERE domain = ?3`
      : `SELECT id FROM tenants WHERE entra_tenant_id = ?3`;
  const name = "domain" in purchase.tenant ? purchase.tenant.domain : purchase.tenant.entraTenantId;
  const row = await d1First(
    db
      .prepare(
        `SELECT (SELECT json_object('id', id, 'name', name) FROM apps WHERE id = ?1 AND vendor_id = ?2) AS app, (${tenantOfPurchase}) AS tenant_id`,
      )
      .bind(purchase.appId, vendorId, name),
    { app: nullable(text), tenant_id: nullable(text) },
  );
  const app = row?.app ? (JSON.parse(row.app) as { id: string; name: string }) : null;
  if (!app || row?.tenant_id || "domain" in purchase.tenant) return { app, tenantId: row?.tenant_id ?? null, broughtIn: null };
  const tid = purchase.tenant.entraTenantId;
  const created = await d1First(
    db
      .prepare(
        `INSERT INTO tenants (id, display_name, created_at, entra_tenant_id, created_by) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT DO NOTHING RETURNING id`,
      )
      .bind(`ten_${newId()}`, `Organisation ${tid.slice(0, 8)}`, now, tid, vendorId),
    { id: text },
  );
  const tenant = created ?? (await d1First(db.prepare(`SELECT id FROM tenants WHERE entra_tenant_id = ?1`).bind(tid), { id: text }));
  return { app, tenantId: tenant!.id, broughtIn: created ? tid : null };
}

/** A subscription enters the index when it is bought, before its store records it; its figures follow from the store (R23). */
export async function indexPurchase(
  db: D1Database,
  subscription: {
    id: string;
    tenantId: string;
    appId: string;
    plan: string;
    purchased: number;
    status: string;
    renewsAt: string | null;
    now: string;
  },
) {
  await db
    .prepare(
      `INSERT INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (id) DO NOTHING`,
    )
    .bind(
      subscription.id,
      subscription.tenantId,
      subscription.appId,
      subscription.plan,
      subscription.purchased,
      subscription.status,
      subscription.renewsAt,
      subscription.now,
    )
    .run();
}

/** The vendor's subscriptions, every tenant's, oldest first, a page at a time: the index's figures, which may be seconds behind. */
export async function vendorSubscriptions(
  db: D1Database,
  vendorId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<VendorSubscriptionsPage> {
  const after = decodeCursor<[string, string]>(query.cursor, 2);
  const results = await d1All(
    db
      .prepare(
        `SELECT s.id, s.tenant_id, s.app_id, s.plan, s.status, s.renews_at, s.created_at, s.purchased,
              s.active_licenses AS assigned, s.waiting_licenses AS waiting
         FROM subscriptions s JOIN apps a ON a.id = s.app_id
        WHERE a.vendor_id = ?1 AND (?2 IS NULL OR (s.created_at, s.id) > (?2, ?3))
        ORDER BY s.created_at, s.id LIMIT ?4`,
      )
      .bind(vendorId, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1),
    {
      id: text,
      tenant_id: text,
      app_id: text,
      plan: text,
      status: oneOf("active", "warning", "suspended", "lockedOut", "expired"),
      renews_at: nullable(text),
      created_at: text,
      purchased: integer,
      assigned: integer,
      waiting: integer,
    },
  );
  return pageOf(
    results,
    query.limit,
    (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      appId: row.app_id,
      plan: row.plan,
      status: row.status,
      renewsAt: row.renews_at,
      seats: seatsOf(row.purchased, row.assigned, row.waiting) satisfies Seats,
    }),
    (row) => [row.created_at, row.id],
  );
}

// ---- Credentials ----------------------------------------------------------------------------

export const provisioningRoute = async (db: D1Database, tokenHash: string) =>
  (await d1First(db.prepare(`SELECT tenant_id FROM provisioning_routes WHERE token_hash = ?1`).bind(tokenHash), { tenant_id: text }))
    ?.tenant_id ?? null;

export const addProvisioningRoute = (db: D1Database, tokenHash: string, tenantId: string) =>
  db.prepare(`INSERT INTO provisioning_routes (token_hash, tenant_id) VALUES (?1, ?2)`).bind(tokenHash, tenantId).run();

export const dropProvisioningRoute = (db: D1Database, tokenHash: string, tenantId: string) =>
  db.prepare(`DELETE FROM provisioning_routes WHERE token_hash = ?1 AND tenant_id = ?2`).bind(tokenHash, tenantId).run();

// ---- From the stores' outboxes (R23) --------------------------------------------------------

/**
 * Delivers a store's outbox entries: each subscription's latest figures. Delivery is at least once
 * and in the store's order; an entry older than what the index has (by the store's outbox seq)
 * changes nothing, so a repeated or late delivery is harmless.
 */
export async function deliverToControlPlane(db: D1Database, tenantId: string, entries: OutboxEntry[]): Promise<void> {
  const statements = indexStatements(db, tenantId, entries);
  if (statements.length > 0) await db.batch(statements);
}

/** The statements of deliverToControlPlane, for a batch that records more (the webhooks' events) in the same write. */
export function indexStatements(db: D1Database, tenantId: string, entries: OutboxEntry[]): D1PreparedStatement[] {
  return entries
    .filter((entry): entry is OutboxEntry & { payload: SubscriptionIndexEntry } => entry.payload.topic === "control.subscription")
    .map(({ seq, payload }) =>
      db
        .prepare(
          `INSERT INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at,
                                      active_licenses, waiting_licenses, store_seq)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
           ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, purchased = excluded.purchased, status = excluded.status,
             renews_at = excluded.renews_at, updated_at = excluded.updated_at, active_licenses = excluded.active_licenses,
             waiting_licenses = excluded.waiting_licenses, store_seq = excluded.store_seq
           WHERE subscriptions.tenant_id = excluded.tenant_id AND subscriptions.store_seq < excluded.store_seq`,
        )
        .bind(
          payload.subscriptionId,
          tenantId,
          payload.appId,
          payload.plan,
          payload.purchased,
          payload.status,
          payload.renewsAt,
          payload.createdAt,
          payload.updatedAt,
          payload.assigned,
          payload.waiting,
          seq,
        ),
    );
}
