/**
 * What vendors change and ask: the purchased quantity, status and renewal date of a subscription
 * (only the vendor changes them, R9), whether a user holds a usable license, and install completion.
 */
import { isUsable, type SubscriptionUpdate, type UsageRights, type VendorSubscription } from "@appseats/shared";
import { auditStatement } from "./audit.js";
import { Batch } from "./batch.js";
import type { ChangeContext } from "./context.js";
import { addFill } from "./fill.js";
import { type SeatCounts, seatCountsStatement, seatsFrom, subscriptionOfVendor } from "./subscriptions.js";

/**
 * R8: lowering the quantity below `assigned` revokes nothing. R5: raising it, or making the
 * subscription usable again, gives waiting users their seats in the same batch.
 */
export async function updateSubscription(
  db: D1Database,
  vendor: { id: string; name: string },
  requestId: string,
  subscriptionId: string,
  update: SubscriptionUpdate,
): Promise<VendorSubscription> {
  const before = await subscriptionOfVendor(db, vendor.id, subscriptionId);
  const ctx: ChangeContext = {
    tenantId: before.tenant_id,
    actor: { type: "vendor", id: vendor.id, displayName: vendor.name },
    requestId,
    now: new Date().toISOString(),
  };
  const changes = [
    update.quantity !== undefined && update.quantity !== before.purchased ? `quantity ${before.purchased} → ${update.quantity}` : null,
    update.status !== undefined && update.status !== before.status ? `status ${before.status} → ${update.status}` : null,
    update.renewsAt !== undefined && update.renewsAt !== before.renews_at
      ? `renewal ${before.renews_at ?? "none"} → ${update.renewsAt ?? "none"}`
      : null,
  ].filter((change): change is string => change !== null);

  const batch = new Batch(db);
  batch.run(
    db
      .prepare(
        `UPDATE subscriptions SET purchased = COALESCE(?2, purchased), status = COALESCE(?3, status),
                renews_at = CASE WHEN ?5 THEN ?6 ELSE renews_at END, updated_at = ?4
          WHERE id = ?1`,
      )
      .bind(
        before.id,
        update.quantity ?? null,
        update.status ?? null,
        ctx.now,
        update.renewsAt !== undefined ? 1 : 0,
        update.renewsAt ?? null,
      ),
  );
  if (changes.length > 0) {
    batch.run(
      auditStatement(db, ctx, {
        action: "subscription.update",
        subscriptionId: before.id,
        summary: `${vendor.name} changed ${before.app_name}: ${changes.join(", ")}`,
      }),
    );
  }
  addFill(batch, ctx, { subscriptionId: before.id });
  const counts = batch.first<SeatCounts>(seatCountsStatement(db, before.id));
  const after = batch.first<{ status: VendorSubscription["status"]; renews_at: string | null }>(
    db.prepare(`SELECT status, renews_at FROM subscriptions WHERE id = ?1`).bind(before.id),
  );
  const committed = await batch.commit();
  const stored = committed.get(after)!;
  return {
    id: before.id,
    tenantId: before.tenant_id,
    appId: before.app_id,
    status: stored.status,
    seats: seatsFrom(committed.get(counts)),
    renewsAt: stored.renews_at,
  };
}

/** The vendor's view of a subscription, without changing it. */
export async function vendorSubscription(db: D1Database, vendorId: string, subscriptionId: string): Promise<VendorSubscription> {
  const subscription = await subscriptionOfVendor(db, vendorId, subscriptionId);
  const counts = await seatCountsStatement(db, subscription.id).first<SeatCounts>();
  return {
    id: subscription.id,
    tenantId: subscription.tenant_id,
    appId: subscription.app_id,
    status: subscription.status,
    seats: seatsFrom(counts ?? undefined),
    renewsAt: subscription.renews_at,
  };
}

/**
 * Does this user hold a usable license? `active` and `warning` are usable. A user without a
 * seat (none, or waiting), or whose account is disabled, is `inactive`; so is every user of
 * an expired subscription. A suspended or locked-out subscription answers `suspended`.
 * Who exists is not told (the security review): a user AppSeats does not know, or of another
 * tenant, is `inactive` like a known user without a seat, and every `inactive` answer names the
 * user as the vendor asked; only a user who holds a seat is named by their AppSeats id.
 */
export async function usageRights(db: D1Database, vendorId: string, subscriptionId: string, user: string): Promise<UsageRights> {
  const subscription = await subscriptionOfVendor(db, vendorId, subscriptionId);
  const now = new Date();
  // The user asked about: by id, else by user principal name, in the subscription's tenant.
  const asked = `(SELECT id FROM users WHERE id = ?3 AND tenant_id = ?2 AND deleted_at IS NULL
                  UNION ALL SELECT id FROM users WHERE tenant_id = ?2 AND user_principal_name = ?3 AND deleted_at IS NULL LIMIT 1)`;
  const batch = new Batch(db);
  const found = batch.first<{ id: string; account_enabled: number; state: string | null }>(
    db
      .prepare(
        `SELECT u.id, u.account_enabled, l.state FROM users u
           LEFT JOIN licenses l ON l.subscription_id = ?1 AND l.user_id = u.id
          WHERE u.id = ${asked}`,
      )
      .bind(subscription.id, subscription.tenant_id, user),
  );
  // The vendor asked now: kept to the minute, written at most once a minute per user.
  batch.run(
    db
      .prepare(
        `INSERT INTO usage_checks (subscription_id, user_id, tenant_id, last_asked_at)
         SELECT ?1, id, ?2, ?4 FROM users WHERE id = ${asked}
         ON CONFLICT (subscription_id, user_id) DO UPDATE SET last_asked_at = excluded.last_asked_at
          WHERE substr(last_asked_at, 1, 16) < substr(excluded.last_asked_at, 1, 16)`,
      )
      .bind(subscription.id, subscription.tenant_id, user, now.toISOString()),
  );
  const row = (await batch.commit()).get(found);
  const holdsSeat = row?.state === "active" && row.account_enabled === 1;
  if (!row || !holdsSeat || subscription.status === "expired") return { userId: user, state: "inactive" };
  const state = isUsable(subscription.status) ? (subscription.status as "active" | "warning") : "suspended";
  return { userId: row.id, state };
}
