/**
 * Purchases (API.md, "Catalog and purchases"): a vendor records a subscription of one of its
 * apps for an organisation, found by its Entra tenant id or one of its domains. R17: a purchase
 * for an Entra tenant AppSeats does not know yet brings that tenant in, empty; its first Global
 * Administrator's sign-in then finds it (auth/entra.ts). Each purchase is one batch, audited.
 */
import type { Purchase, PurchasedSubscription, VendorSubscriptionsPage } from "@appseats/shared";
import { notFound } from "../errors.js";
import { auditStatement } from "./audit.js";
import { Batch, GuardFailed, guard, StateChanged, withRetries } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { decodeCursor, pageOf } from "./cursor.js";
import { seatColumns } from "./sql.js";
import { seatsFrom } from "./subscriptions.js";

/** The tenant a purchase names, or, for an unknown Entra tenant id, the one it brings in. */
async function tenantOfPurchase(db: D1Database, tenant: Purchase["tenant"]): Promise<{ id: string; known: boolean }> {
  if ("domain" in tenant) {
    const row = await db
      .prepare(`SELECT tenant_id FROM tenant_domains WHERE domain = ?1`)
      .bind(tenant.domain)
      .first<{ tenant_id: string }>();
    if (!row) throw notFound(`No organisation in AppSeats has the domain ${tenant.domain}; name it by its Entra tenant id.`);
    return { id: row.tenant_id, known: true };
  }
  const row = await db.prepare(`SELECT id FROM tenants WHERE entra_tenant_id = ?1`).bind(tenant.entraTenantId).first<{ id: string }>();
  return row ? { id: row.id, known: true } : { id: `ten_${newId()}`, known: false };
}

/** Records a purchase; a race lost to another purchase bringing the same organisation in is tried again. */
export const recordPurchase = (db: D1Database, vendor: { id: string; name: string }, requestId: string, purchase: Purchase) =>
  withRetries(() => recordPurchaseOnce(db, vendor, requestId, purchase));

async function recordPurchaseOnce(
  db: D1Database,
  vendor: { id: string; name: string },
  requestId: string,
  purchase: Purchase,
): Promise<PurchasedSubscription> {
  const app = await db
    .prepare(`SELECT id, name FROM apps WHERE id = ?1 AND vendor_id = ?2`)
    .bind(purchase.appId, vendor.id)
    .first<{ id: string; name: string }>();
  if (!app) throw notFound("The app");
  const tenant = await tenantOfPurchase(db, purchase.tenant);
  const ctx: ChangeContext = {
    tenantId: tenant.id,
    actor: { type: "vendor", id: vendor.id, displayName: vendor.name },
    requestId,
    now: new Date().toISOString(),
  };
  const id = `sub_${newId()}`;
  const status = purchase.status ?? "active";
  const batch = new Batch(db);
  if (!tenant.known && "entraTenantId" in purchase.tenant) {
    const tid = purchase.tenant.entraTenantId;
    batch.run(
      auditStatement(db, ctx, {
        action: "tenant.create",
        summary: `${vendor.name}'s purchase brought the organisation ${tid} into AppSeats; its first Global Administrator's sign-in finds it`,
      }),
      db
        .prepare(
          `INSERT INTO tenants (id, display_name, created_at, entra_tenant_id, created_by) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING`,
        )
        .bind(tenant.id, `Organisation ${tid.slice(0, 8)}`, ctx.now, tid, vendor.id),
      // Another purchase (or a sign-in) may have brought the same organisation in meanwhile: then
      // this tenant was not created, nothing is stored, and the purchase is tried again.
      guard(db, [{ code: "NotFound", ok: `EXISTS (SELECT 1 FROM tenants WHERE id = ?1)` }], tenant.id),
    );
  }
  batch.run(
    db
      .prepare(
        `INSERT INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)`,
      )
      .bind(id, tenant.id, app.id, purchase.plan, purchase.quantity, status, purchase.renewsAt ?? null, ctx.now),
    auditStatement(db, ctx, {
      action: "subscription.create",
      subscriptionId: id,
      summary: `${vendor.name} sold ${purchase.quantity} seat(s) of ${app.name} (${purchase.plan})`,
    }),
  );
  try {
    await batch.commit();
  } catch (error) {
    if (error instanceof GuardFailed && error.code === "NotFound") throw new StateChanged();
    throw error;
  }
  const seats = seatsFrom({ purchased: purchase.quantity, assigned: 0, waiting: 0 });
  return { id, tenantId: tenant.id, appId: app.id, plan: purchase.plan, status, seats };
}

/** The vendor's subscriptions, every tenant's, oldest first, a page at a time. */
export async function vendorSubscriptions(
  db: D1Database,
  vendorId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<VendorSubscriptionsPage> {
  const after = decodeCursor<[string, string]>(query.cursor, 2);
  const { results } = await db
    .prepare(
      `SELECT s.id, s.tenant_id, s.app_id, s.plan, s.status, s.renews_at, s.created_at, s.purchased,
              ${seatColumns("s")}
         FROM subscriptions s JOIN apps a ON a.id = s.app_id
        WHERE a.vendor_id = ?1 AND (?2 IS NULL OR (s.created_at, s.id) > (?2, ?3))
        ORDER BY s.created_at, s.id LIMIT ?4`,
    )
    .bind(vendorId, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1)
    .all<{
      id: string;
      tenant_id: string;
      app_id: string;
      plan: string;
      status: PurchasedSubscription["status"];
      renews_at: string | null;
      created_at: string;
      purchased: number;
      assigned: number;
      waiting: number;
    }>();
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
      seats: seatsFrom(row),
    }),
    (row) => [row.created_at, row.id],
  );
}
