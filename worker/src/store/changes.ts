/**
 * What every change in a tenant store shares: who makes it (for the audit, R12), a transaction
 * that a preview (R14) rolls back after computing its answer, the subscription's seats as its rows
 * have them now, and the outbox entry that tells the control plane (R23).
 */
import { type AuditAction, maxPrincipalsPerRequest, type Principal, type Seats, seatsOf, subscriptionStatuses } from "@appseats/shared";
import { notFound } from "../errors.js";
import { newId } from "../ids.js";
import { because } from "./events.js";
import { addToOutbox } from "./outbox.js";
import { all, first, integer, nullable, one, oneOf, type RowOf, text } from "./rows.js";

/** Who makes a change, and when; the app's name, from the catalog, for the audit's words. */
export interface StoreChange {
  actor: { type: "user" | "vendor" | "system" | "provisioning"; id: string; displayName: string };
  requestId: string;
  now: string;
}

/** A subscription's row, as the rules read it. */
export const subscriptionShape = {
  id: text,
  app_id: text,
  plan: text,
  purchased: integer,
  status: oneOf(...subscriptionStatuses),
  renews_at: nullable(text),
  created_at: text,
};
export type SubscriptionRow = RowOf<typeof subscriptionShape>;
/** The columns of subscriptionShape, for a SELECT or a RETURNING. */
export const subscriptionColumns = "id, app_id, plan, purchased, status, renews_at, created_at";

/** The subscription, or 404 (another tenant's ids are not in this store: R11). */
export function subscriptionOf(sql: SqlStorage, id: string): SubscriptionRow {
  const row = first(sql, subscriptionShape, `SELECT ${subscriptionColumns} FROM subscriptions WHERE id = ?`, id);
  if (!row) throw notFound("The license");
  return row;
}

/** A subscription's seats as its license rows have them now (R2: assigned is the active rows). */
export function seatsNow(sql: SqlStorage, subscription: Pick<SubscriptionRow, "id" | "purchased">): Seats {
  const counts = one(
    sql,
    { assigned: integer, waiting: integer },
    `SELECT COUNT(*) FILTER (WHERE state = 'active') AS assigned, COUNT(*) FILTER (WHERE state = 'waiting') AS waiting
         FROM licenses WHERE subscription_id = ?`,
    subscription.id,
  );
  return seatsOf(subscription.purchased, counts.assigned, counts.waiting);
}

/**
 * Of a row of `licenses`: no path holds it any more, neither a direct assignment of its user nor
 * an assigned group the user is in (R6, R7). A condition for the DELETE that releases seats.
 */
export const noPathHolds = `NOT EXISTS (SELECT 1 FROM assignments d WHERE d.subscription_id = licenses.subscription_id
                    AND d.principal_type = 'user' AND d.principal_id = licenses.user_id)
  AND NOT EXISTS (SELECT 1 FROM group_members via JOIN assignments ga ON ga.subscription_id = licenses.subscription_id
                    AND ga.principal_type = 'group' AND ga.principal_id = via.group_id WHERE via.user_id = licenses.user_id)`;

/** Adds the change's audit event (R12). */
export function audit(
  sql: SqlStorage,
  change: StoreChange,
  entry: { action: AuditAction; subscriptionId?: string; principals?: Principal[]; summary: string },
): void {
  sql.exec(
    `INSERT INTO audit_events (id, at, actor_type, actor_id, actor_name, action, subscription_id, principals, summary, request_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    newId(),
    change.now,
    change.actor.type,
    change.actor.id,
    change.actor.displayName,
    entry.action,
    entry.subscriptionId ?? null,
    entry.principals ? JSON.stringify(entry.principals.slice(0, maxPrincipalsPerRequest).map(({ type, id }) => ({ type, id }))) : null,
    entry.summary,
    change.requestId,
  );
}

/** Tells the control plane a subscription's figures, in the change's transaction (R23). */
export function indexSubscription(sql: SqlStorage, subscription: SubscriptionRow, seats: Seats, now: string): void {
  addToOutbox(
    sql,
    {
      topic: "control.subscription",
      subscriptionId: subscription.id,
      appId: subscription.app_id,
      plan: subscription.plan,
      purchased: subscription.purchased,
      status: subscription.status,
      renewsAt: subscription.renews_at,
      assigned: seats.assigned,
      waiting: seats.waiting,
      createdAt: subscription.created_at,
      updatedAt: now,
    },
    now,
  );
}

/** Thrown inside a transaction to roll it back and still answer (R14). */
class Preview<T> {
  constructor(readonly answer: T) {}
}

/**
 * Runs `change` in one transaction (R22). With `dryRun`, the change is made, its answer taken,
 * and everything rolled back: a preview says exactly what the change would do (R14).
 */
export function inTransaction<T>(storage: DurableObjectStorage, dryRun: boolean, change: () => T): T {
  try {
    return storage.transactionSync(() => {
      const answer = change();
      if (dryRun) throw new Preview(answer);
      return answer;
    });
  } catch (thrown) {
    if (thrown instanceof Preview) return thrown.answer as T;
    throw thrown;
  }
}

/**
 * R5: seats that are free go to waiting users at once, first come first served, while the
 * subscription is usable (R8); audited as `license.fill`, naming who got a seat. Returns how many.
 */
export function fillWaiting(sql: SqlStorage, change: StoreChange, subscription: SubscriptionRow): number {
  if (subscription.status !== "active" && subscription.status !== "warning") return 0;
  const open = seatsNow(sql, subscription).available;
  if (open === 0) return 0;
  const filled = because(sql, { via: "waitingList" }, () =>
    all(
      sql,
      { user_id: text },
      `UPDATE licenses SET state = 'active', since = ?1
          WHERE seq IN (SELECT seq FROM licenses WHERE subscription_id = ?2 AND state = 'waiting' ORDER BY seq LIMIT ?3)
         RETURNING user_id`,
      change.now,
      subscription.id,
      open,
    ),
  );
  if (filled.length > 0) {
    audit(sql, change, {
      action: "license.fill",
      subscriptionId: subscription.id,
      principals: filled.map((row) => ({ type: "user", id: row.user_id })),
      summary: `${filled.length} waiting user(s) received a seat`,
    });
  }
  return filled.length;
}
