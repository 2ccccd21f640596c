/**
 * The tenant store's outbox (R23): what others must learn of a committed change is added here in
 * the change's own transaction — a change that rolls back adds nothing — and delivered by the
 * store's alarm, in order, at least once. A delivery that fails is tried again with growing waits;
 * the entries after it wait too, so that nothing is learned out of order.
 */
import type { WebhookEventTypeName } from "@appseats/shared";
import { newId } from "../ids.js";
import { all, integer, one, text } from "./rows.js";

/** What the control plane indexes of a subscription: its latest figures, for the vendor's list. */
export interface SubscriptionIndexEntry {
  topic: "control.subscription";
  subscriptionId: string;
  appId: string;
  plan: string;
  purchased: number;
  status: string;
  renewsAt: string | null;
  assigned: number;
  waiting: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * An event for the webhook of the subscription's vendor, if it has one that wants it (API.md,
 * "Vendor webhooks"): what routes and orders it. Its body, which names users, stays in the store
 * (the entry's body, then webhook-bodies.ts), under the entry's id.
 */
export interface WebhookEntry {
  topic: "webhook";
  subscriptionId: string;
  type: WebhookEventTypeName;
}

export type OutboxPayload = SubscriptionIndexEntry | WebhookEntry;

/** An entry as it is delivered: its place in the store's order, and the id receivers deduplicate by. */
export interface OutboxEntry {
  seq: number;
  id: string;
  payload: OutboxPayload;
}

/**
 * Adds an entry; call it inside the change's transactionSync. A webhook event's body (JSON) rides
 * with it, apart from the payload, which is all the control plane is sent (webhook-bodies.ts).
 */
export function addToOutbox(sql: SqlStorage, payload: OutboxPayload, now: string, body: string | null = null): void {
  sql.exec(
    `INSERT INTO outbox (id, topic, payload, body, created_at) VALUES (?, ?, ?, ?, ?)`,
    `evt_${newId()}`,
    payload.topic,
    JSON.stringify(payload),
    body,
    now,
  );
}

/** At most this many entries go in one delivery: one D1 batch. */
export const deliveryBatch = 100;

/** The entries waiting, oldest first. */
export function pendingEntries(sql: SqlStorage, limit = deliveryBatch): OutboxEntry[] {
  return all(sql, { seq: integer, id: text, payload: text }, `SELECT seq, id, payload FROM outbox ORDER BY seq LIMIT ?`, limit).map(
    (row) => ({ seq: row.seq, id: row.id, payload: JSON.parse(row.payload) as OutboxPayload }),
  );
}

/** The wait before the next try after `attempts` failed deliveries: 1 s doubling, at most 5 minutes. */
export const redeliveryDelayMs = (attempts: number) => Math.min(5 * 60_000, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * Delivers what waits with `deliver`, a batch at a time, deleting each batch once delivered.
 * Returns when to try again: now when more waits, after a delay when a delivery failed, or null
 * when the outbox is empty.
 */
export async function deliverOutbox(
  storage: DurableObjectStorage,
  deliver: (entries: OutboxEntry[]) => Promise<void>,
  now = Date.now(),
): Promise<number | null> {
  const entries = pendingEntries(storage.sql);
  if (entries.length === 0) return null;
  try {
    await deliver(entries);
  } catch (error) {
    const head = entries[0]!;
    const attempts = one(
      storage.sql,
      { attempts: integer },
      `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? RETURNING attempts`,
      String(error).slice(0, 500),
      head.seq,
    ).attempts;
    return now + redeliveryDelayMs(attempts);
  }
  storage.sql.exec(`DELETE FROM outbox WHERE seq <= ?`, entries.at(-1)!.seq);
  return pendingEntries(storage.sql, 1).length > 0 ? now : null;
}
