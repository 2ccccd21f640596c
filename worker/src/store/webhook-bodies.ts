/**
 * The bodies of a tenant's webhook events (schema.ts, v3). An event names the users who got or
 * lost a seat, so its body stays in the tenant's store: written in the change's own transaction
 * beside its outbox entry, read by the sender for each attempt, and forgotten once its delivery
 * is done (at the store's next look at its deliveries: TenantStore.alarm). The control plane keeps only what routes and orders a delivery (DESIGN.md, "Tenancy
 * and scale": nothing per user there). A failed delivery keeps its body, for the vendor's retry.
 */
import type { WebhookEventTypeName } from "@appseats/shared";
import { addToOutbox } from "./outbox.js";
import { all, first, text } from "./rows.js";

/** An event for the subscription's vendor: its entry in the outbox and its body (JSON), under one id. Inside the change's transaction. */
export function addWebhookEvent(sql: SqlStorage, subscriptionId: string, type: WebhookEventTypeName, body: string, now: string): void {
  const id = addToOutbox(sql, { topic: "webhook", subscriptionId, type }, now);
  sql.exec(`INSERT INTO webhook_bodies (id, body, created_at) VALUES (?, ?, ?)`, id, body, now);
}

/** An event's body, exactly as it is signed and sent on every attempt; null when it is not kept (any more). */
export const webhookBody = (sql: SqlStorage, id: string) =>
  first(sql, { body: text }, `SELECT body FROM webhook_bodies WHERE id = ?`, id)?.body ?? null;

/** Bodies no longer needed: their delivery is done, or none was made (no webhook wanted the event). */
export function forgetWebhookBodies(sql: SqlStorage, ids: readonly string[]): void {
  if (ids.length > 0) sql.exec(`DELETE FROM webhook_bodies WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
}

/** The events handed over already (no longer in the outbox) whose bodies are still kept, a page at a time after `after`. */
export const handedBodies = (sql: SqlStorage, after: string, limit: number) =>
  all(
    sql,
    { id: text },
    `SELECT id FROM webhook_bodies WHERE id > ? AND id NOT IN (SELECT id FROM outbox) ORDER BY id LIMIT ?`,
    after,
    limit,
  ).map((row) => row.id);
