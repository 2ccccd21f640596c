/**
 * The bodies of a tenant's webhook events (schema.ts, v3). An event names the users who got or
 * lost a seat, so its body stays in the tenant's store: written in the change's own transaction
 * with its outbox entry, kept once the entry is handed over if a webhook wants the event, read by
 * the sender for each attempt, and forgotten once its delivery is done (at the store's next look
 * at its deliveries: TenantStore.alarm). The control plane keeps only what routes and orders a
 * delivery (DESIGN.md, "Tenancy and scale": nothing per user there). A failed delivery keeps its
 * body, for the vendor's retry.
 */
import type { WebhookEventTypeName } from "@appseats/shared";
import { addToOutbox } from "./outbox.js";
import { all, first, text } from "./rows.js";

/** An event for the subscription's vendor, its body (JSON) with its outbox entry. Inside the change's transaction. */
export function addWebhookEvent(sql: SqlStorage, subscriptionId: string, type: WebhookEventTypeName, body: string, now: string): void {
  addToOutbox(sql, { topic: "webhook", subscriptionId, type }, now, body);
}

/**
 * The bodies of the events whose deliveries the control plane has just recorded, kept: call it
 * before their entries leave the outbox, with no wait in between, so that a body is always in one
 * of the two.
 */
export function keepWebhookBodies(sql: SqlStorage, ids: readonly string[]): void {
  if (ids.length === 0) return;
  sql.exec(
    `INSERT INTO webhook_bodies (id, body, created_at)
     SELECT id, body, created_at FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND body IS NOT NULL
     ON CONFLICT (id) DO NOTHING`,
    JSON.stringify(ids),
  );
}

/** An event's body, exactly as it is signed and sent on every attempt; null when it is not kept (any more). */
export const webhookBody = (sql: SqlStorage, id: string) =>
  first(
    sql,
    { body: text },
    `SELECT body FROM webhook_bodies WHERE id = ?1 UNION ALL SELECT body FROM outbox WHERE id = ?1 AND body IS NOT NULL LIMIT 1`,
    id,
  )?.body ?? null;

/** Bodies no longer needed: their delivery is done. */
export function forgetWebhookBodies(sql: SqlStorage, ids: readonly string[]): void {
  if (ids.length > 0) sql.exec(`DELETE FROM webhook_bodies WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
}

/** The bodies kept, a page at a time after `after`. */
export const keptBodies = (sql: SqlStorage, after: string, limit: number) =>
  all(sql, { id: text }, `SELECT id FROM webhook_bodies WHERE id > ? ORDER BY id LIMIT ?`, after, limit).map((row) => row.id);
