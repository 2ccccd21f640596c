/**
 * What a vendor does in a tenant's store: records a purchase, changes a subscription's quantity,
 * status and renewal (only the vendor does, R9), asks whether a user holds a usable license, and
 * completes an install an admin started. Which tenant and whether the subscription is the
 * vendor's own come from the control plane's index before the call (control/plane.ts).
 */
import {
  type InstallResult,
  isUsable,
  type Seats,
  type SubscriptionStatus,
  type SubscriptionUpdate,
  type UsageRights,
} from "@appseats/shared";
import { AppSeatsError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import {
  audit,
  fillWaiting,
  indexSubscription,
  type StoreChange,
  type SubscriptionRow,
  seatsNow,
  subscriptionColumns,
  subscriptionOf,
  subscriptionShape,
} from "./changes.js";
import { emitSubscriptionChanged } from "./events.js";
import { first, integer, nullable, one, text } from "./rows.js";

/** A subscription as the vendor sees it in the store: its terms and seats. */
export interface SubscriptionFigures {
  id: string;
  appId: string;
  plan: string;
  status: SubscriptionStatus;
  renewsAt: string | null;
  seats: Seats;
}

const figuresOf = (subscription: SubscriptionRow, seats: Seats): SubscriptionFigures => ({
  id: subscription.id,
  appId: subscription.app_id,
  plan: subscription.plan,
  status: subscription.status as SubscriptionStatus,
  renewsAt: subscription.renews_at,
  seats,
});

/** A purchase: the new subscription, audited, and indexed by the control plane (R23). */
export function recordPurchase(
  sql: SqlStorage,
  change: StoreChange,
  purchase: {
    id: string;
    appId: string;
    appName: string;
    plan: string;
    quantity: number;
    status: SubscriptionStatus;
    renewsAt: string | null;
    /** The Entra tenant id of an organisation this purchase brought into AppSeats (R17). */
    broughtIn: string | null;
  },
): SubscriptionFigures {
  // Recorded already (the same purchase sent again with its Idempotency-Key): as it is now.
  if (sql.exec(`SELECT 1 FROM subscriptions WHERE id = ?`, purchase.id).toArray().length > 0) return subscriptionFigures(sql, purchase.id);
  if (purchase.broughtIn) {
    audit(sql, change, {
      action: "tenant.create",
      summary: `${change.actor.displayName}'s purchase brought the organisation ${purchase.broughtIn} into AppSeats; its first Global Administrator's sign-in finds it`,
    });
  }
  const subscription = one(
    sql,
    subscriptionShape,
    `INSERT INTO subscriptions (id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING ${subscriptionColumns}`,
    purchase.id,
    purchase.appId,
    purchase.plan,
    purchase.quantity,
    purchase.status,
    purchase.renewsAt,
    change.now,
  );
  audit(sql, change, {
    action: "subscription.create",
    subscriptionId: subscription.id,
    summary: `${change.actor.displayName} sold ${purchase.quantity} seat(s) of ${purchase.appName} (${purchase.plan})`,
  });
  const seats = seatsNow(sql, subscription);
  indexSubscription(sql, subscription, seats, change.now);
  emitSubscriptionChanged(sql, change, subscription, seats);
  return figuresOf(subscription, seats);
}

/**
 * R8: lowering the quantity below `assigned` revokes nothing. R5: raising it, or making the
 * subscription usable again, gives waiting users their seats in the same transaction.
 */
export function updateSubscription(
  sql: SqlStorage,
  change: StoreChange,
  subscriptionId: string,
  appName: string,
  update: SubscriptionUpdate,
): SubscriptionFigures {
  const before = subscriptionOf(sql, subscriptionId);
  const seatsBefore = seatsNow(sql, before);
  const changes = [
    update.quantity !== undefined && update.quantity !== before.purchased ? `quantity ${before.purchased} → ${update.quantity}` : null,
    update.status !== undefined && update.status !== before.status ? `status ${before.status} → ${update.status}` : null,
    update.renewsAt !== undefined && update.renewsAt !== before.renews_at
      ? `renewal ${before.renews_at ?? "none"} → ${update.renewsAt ?? "none"}`
      : null,
  ].filter((text): text is string => text !== null);
  const after = one(
    sql,
    subscriptionShape,
    `UPDATE subscriptions SET purchased = COALESCE(?2, purchased), status = COALESCE(?3, status),
              renews_at = CASE WHEN ?5 THEN ?6 ELSE renews_at END, updated_at = ?4
        WHERE id = ?1 RETURNING ${subscriptionColumns}`,
    before.id,
    update.quantity ?? null,
    update.status ?? null,
    change.now,
    update.renewsAt !== undefined ? 1 : 0,
    update.renewsAt ?? null,
  );
  if (changes.length > 0) {
    audit(sql, change, {
      action: "subscription.update",
      subscriptionId: before.id,
      summary: `${change.actor.displayName} changed ${appName}: ${changes.join(", ")}`,
    });
  }
  fillWaiting(sql, change, after);
  const seats = seatsNow(sql, after);
  if (changes.length > 0 || seats.assigned !== seatsBefore.assigned || seats.waiting !== seatsBefore.waiting) {
    indexSubscription(sql, after, seats, change.now);
  }
  if (changes.length > 0) emitSubscriptionChanged(sql, change, after, seats);
  return figuresOf(after, seats);
}

/** A subscription's terms and seats as they are now (a vendor reading one asks its store: exact). */
export function subscriptionFigures(sql: SqlStorage, subscriptionId: string): SubscriptionFigures {
  const subscription = subscriptionOf(sql, subscriptionId);
  return figuresOf(subscription, seatsNow(sql, subscription));
}

/**
 * Does this user hold a usable license? `active` and `warning` are usable. A user without a
 * seat (none, or waiting), or whose account is disabled, is `inactive`; so is every user of
 * an expired subscription. A suspended or locked-out subscription answers `suspended`.
 * Who exists is not told (the security review): a user AppSeats does not know, or of another
 * tenant, is `inactive` like a known user without a seat, and every `inactive` answer names the
 * user as the vendor asked; only a user who holds a seat is named by their AppSeats id.
 */
export function usageRights(sql: SqlStorage, subscriptionId: string, user: string, now: string): UsageRights {
  const subscription = subscriptionOf(sql, subscriptionId);
  const row = first(
    sql,
    { id: text, account_enabled: integer, state: nullable(text) },
    `SELECT u.id, u.account_enabled, l.state FROM users u LEFT JOIN licenses l ON l.subscription_id = ?1 AND l.user_id = u.id
        WHERE u.id = (SELECT id FROM users WHERE id = ?2 AND deleted_at IS NULL
                      UNION ALL SELECT id FROM users WHERE user_principal_name = ?2 AND deleted_at IS NULL LIMIT 1)`,
    subscription.id,
    user,
  );
  if (row) {
    // The vendor asked now: kept to the minute, written at most once a minute per user.
    sql.exec(
      `INSERT INTO usage_checks (subscription_id, user_id, last_asked_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (subscription_id, user_id) DO UPDATE SET last_asked_at = excluded.last_asked_at
        WHERE substr(last_asked_at, 1, 16) < substr(excluded.last_asked_at, 1, 16)`,
      subscription.id,
      row.id,
      now,
    );
  }
  const holdsSeat = row?.state === "active" && row.account_enabled === 1;
  if (!row || !holdsSeat || subscription.status === "expired") return { userId: user, state: "inactive" };
  const status = subscription.status as SubscriptionStatus;
  return { userId: row.id, state: isUsable(status) ? (status as "active" | "warning") : "suspended" };
}

/**
 * An install's id names its subscription, so that the vendor's completion (which names only the
 * install) finds the tenant through the control plane's index of subscriptions.
 */
export const installIdFor = (subscriptionId: string) => `ins.${subscriptionId}.${newId()}`;
export const subscriptionOfInstall = (installId: string) => /^ins\.([^.]+)\.[0-9a-f-]{36}$/.exec(installId)?.[1] ?? null;

/** An admin starts installing the product: recorded and audited; the vendor's site opens with the install's id. */
export function startInstall(
  sql: SqlStorage,
  change: StoreChange,
  request: { subscriptionId: string; tenantId: string; app: { name: string; installUrl: string } },
): InstallResult {
  const subscription = subscriptionOf(sql, request.subscriptionId);
  // Checked again where it is used (the catalog checks it when written): only https opens.
  const redirect = URL.canParse(request.app.installUrl) ? new URL(request.app.installUrl) : null;
  if (redirect?.protocol !== "https:") {
    throw new AppSeatsError("InsecureUrl", `${request.app.name} has no secure (https) install address. Ask its vendor.`);
  }
  const installId = installIdFor(subscription.id);
  redirect.searchParams.set("tenant", request.tenantId);
  redirect.searchParams.set("install", installId);
  sql.exec(
    `INSERT INTO installs (id, subscription_id, requested_by, requested_at) VALUES (?, ?, ?, ?)`,
    installId,
    subscription.id,
    change.actor.id,
    change.now,
  );
  audit(sql, change, { action: "license.install", subscriptionId: subscription.id, summary: `Started installing ${request.app.name}` });
  return { installId, redirectUrl: redirect.toString() };
}

/** The vendor confirms an install of one of its own apps; completing twice changes nothing more. */
export function completeInstall(sql: SqlStorage, change: StoreChange, installId: string, appName: string): { installed: true } {
  const install = first(
    sql,
    { subscription_id: text, completed_at: nullable(text) },
    `SELECT subscription_id, completed_at FROM installs WHERE id = ?`,
    installId,
  );
  if (!install) throw notFound("The install");
  if (install.completed_at) return { installed: true };
  sql.exec(`UPDATE installs SET completed_at = ? WHERE id = ?`, change.now, installId);
  audit(sql, change, {
    action: "license.install.complete",
    subscriptionId: install.subscription_id,
    summary: `${change.actor.displayName} completed the install of ${appName}`,
  });
  return { installed: true };
}
