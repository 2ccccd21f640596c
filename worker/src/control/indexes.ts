/**
 * The control plane's indexes (D1) as tenant stores feed them through their outboxes (R23):
 * each subscription's latest figures, for a vendor's list of its subscriptions. Delivery is at
 * least once and in each store's order; an entry older than what the index has (by the store's
 * outbox seq) changes nothing, so a repeated or late delivery is harmless.
 */
import type { OutboxEntry } from "../store/outbox.js";

export async function deliverToControlPlane(db: D1Database, tenantId: string, entries: OutboxEntry[]): Promise<void> {
  const statements = entries
    .filter((entry) => entry.payload.topic === "control.subscription")
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
  if (statements.length > 0) await db.batch(statements);
}
