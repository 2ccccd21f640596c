/**
 * The control plane's part of vendor webhooks (API.md, "Vendor webhooks"): every D1 statement
 * about them. A vendor's webhook (its URL, the events it wants, its sealed secrets) and the
 * deliveries: one row per event sent to it, which is what stands — the queue's messages only wake
 * the sender (webhooks/sender.ts). A delivery names its event's type, tenant and subscription; the
 * event's body, which names users, stays in the tenant's store (store/webhook-bodies.ts). A
 * subscription's events go out in its store's commit order: a delivery is claimed only when no
 * earlier one of the same subscription is pending.
 */
import { type DeliveriesPage, type DeliveryStatusName, type WebhookEventTypeName, webhookEventTypes } from "@appseats/shared";
import { decodeCursor, pageOf } from "../cursor.js";
import type { OutboxEntry, WebhookEntry } from "../store/outbox.js";
import { d1All, d1First, integer, json, nullable, oneOf, type RowOf, rowOf, text, type Value } from "../store/rows.js";

// ---- The webhook ----------------------------------------------------------------------------

export interface WebhookRecord {
  url: string;
  events: WebhookEventTypeName[];
  secret: string;
  previousSecret: string | null;
  previousUntil: string | null;
  createdAt: string;
}

const webhookShape = {
  url: text,
  events: json<WebhookEventTypeName[]>(),
  secret: text,
  previous_secret: nullable(text),
  previous_until: nullable(text),
  created_at: text,
};

const webhookOfRow = (row: RowOf<typeof webhookShape>): WebhookRecord => ({
  url: row.url,
  events: row.events,
  secret: row.secret,
  previousSecret: row.previous_secret,
  previousUntil: row.previous_until,
  createdAt: row.created_at,
});

export async function webhookOf(db: D1Database, vendorId: string): Promise<WebhookRecord | null> {
  const row = await d1First(
    db
      .prepare(`SELECT url, events, secret, previous_secret, previous_until, created_at FROM vendor_webhooks WHERE vendor_id = ?1`)
      .bind(vendorId),
    webhookShape,
  );
  return row && webhookOfRow(row);
}

/**
 * Sets the vendor's webhook. A webhook set again keeps its creation time and takes the new secret;
 * the one it had signs too until `previousUntil`, so that nothing in flight fails to verify.
 */
export async function setWebhook(
  db: D1Database,
  vendorId: string,
  webhook: { url: string; events: WebhookEventTypeName[]; secret: string; previousUntil: string; now: string },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO vendor_webhooks (vendor_id, url, events, secret, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (vendor_id) DO UPDATE SET url = excluded.url, events = excluded.events, previous_secret = vendor_webhooks.secret,
         previous_until = ?6, secret = excluded.secret, updated_at = excluded.updated_at`,
    )
    .bind(vendorId, webhook.url, JSON.stringify(webhook.events), webhook.secret, webhook.now, webhook.previousUntil)
    .run();
}

/** A new secret for the vendor's webhook, the current one signing too until `previousUntil`; false when it has none. */
export async function rotateSecret(db: D1Database, vendorId: string, rotation: { secret: string; previousUntil: string; now: string }) {
  const row = await db
    .prepare(
      `UPDATE vendor_webhooks SET previous_secret = secret, previous_until = ?3, secret = ?2, updated_at = ?4 WHERE vendor_id = ?1 RETURNING 1 AS ok`,
    )
    .bind(vendorId, rotation.secret, rotation.previousUntil, rotation.now)
    .first();
  return row !== null;
}

/** The webhook goes, and with it what was waiting to be sent: nothing more is sent. False when there was none. */
export async function deleteWebhook(db: D1Database, vendorId: string): Promise<boolean> {
  const [deleted] = await db.batch([
    db.prepare(`DELETE FROM vendor_webhooks WHERE vendor_id = ?1 RETURNING 1 AS ok`).bind(vendorId),
    db.prepare(`DELETE FROM webhook_deliveries WHERE vendor_id = ?1 AND status = 'pending'`).bind(vendorId),
  ]);
  return (deleted?.results.length ?? 0) > 0;
}

// ---- From the stores' outboxes ----------------------------------------------------------------

/**
 * The statements that record a store's webhook events as deliveries, for the vendors whose webhook
 * wants them (one insert each; an event delivered again from the outbox is recorded once), and
 * the statement after them that names the deliveries to wake: those of these events still pending.
 */
export function recordEvents(db: D1Database, tenantId: string, entries: OutboxEntry[], now: string) {
  const events = entries.filter((entry): entry is OutboxEntry & { payload: WebhookEntry } => entry.payload.topic === "webhook");
  const statements = events.map(({ seq, id, payload }) =>
    db
      .prepare(
        `INSERT INTO webhook_deliveries (id, vendor_id, tenant_id, subscription_id, store_seq, type, status, created_at, next_attempt_at)
         SELECT ?1, w.vendor_id, ?2, ?3, ?4, ?5, 'pending', ?6, ?6
           FROM subscriptions s JOIN apps a ON a.id = s.app_id JOIN vendor_webhooks w ON w.vendor_id = a.vendor_id
          WHERE s.id = ?3 AND s.tenant_id = ?2 AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value = ?5)
         ON CONFLICT (id) DO NOTHING`,
      )
      .bind(id, tenantId, payload.subscriptionId, seq, payload.type, now),
  );
  const ids = JSON.stringify(events.map((event) => event.id));
  return {
    statements,
    toWake:
      events.length > 0
        ? db.prepare(`SELECT id FROM webhook_deliveries WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending'`).bind(ids)
        : null,
  };
}

// ---- The sender's statements -------------------------------------------------------------------

export interface ClaimedDelivery {
  id: string;
  vendorId: string;
  tenantId: string;
  subscriptionId: string;
  /** Only a delivery recorded before the bodies stayed in the stores (migration 0015) has its body here. */
  body: string | null;
  attempts: number;
  firstAttemptAt: string;
  webhook: WebhookRecord;
}

/** How long a claimed delivery is the sender's: the request's 10 seconds and some. */
const leaseMs = 30_000;

/**
 * Takes a delivery to send now: it is pending, due, not being sent already, the first pending one
 * of its subscription, and its vendor still has a webhook. Counts the attempt. Null when any of
 * that is not so: the message that woke the sender is then done with.
 */
export async function claimDelivery(db: D1Database, id: string, now: number): Promise<ClaimedDelivery | null> {
  const at = new Date(now).toISOString();
  const [claimed, webhook] = await db.batch([
    db
      .prepare(
        `UPDATE webhook_deliveries AS d SET attempts = attempts + 1, last_attempt_at = ?2, first_attempt_at = COALESCE(first_attempt_at, ?2),
                lease_until = ?3
          WHERE d.id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?4 AND (d.lease_until IS NULL OR d.lease_until < ?2)
            AND EXISTS (SELECT 1 FROM vendor_webhooks w WHERE w.vendor_id = d.vendor_id)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id AND e.vendor_id = d.vendor_id
                              AND e.status = 'pending' AND e.store_seq < d.store_seq)
        RETURNING id, vendor_id, tenant_id, subscription_id, body, attempts, first_attempt_at`,
      )
      // A message may come a little before its delay ends: a second early is on time.
      .bind(id, at, new Date(now + leaseMs).toISOString(), new Date(now + 1000).toISOString()),
    db
      .prepare(
        `SELECT w.url, w.events, w.secret, w.previous_secret, w.previous_until, w.created_at
           FROM vendor_webhooks w JOIN webhook_deliveries d ON d.vendor_id = w.vendor_id WHERE d.id = ?1`,
      )
      .bind(id),
  ]);
  const claimedRow = claimed?.results[0] as Record<string, Value> | undefined;
  const hook = webhook?.results[0] as Record<string, Value> | undefined;
  if (!claimedRow || !hook) return null;
  const row = rowOf(
    { id: text, vendor_id: text, tenant_id: text, subscription_id: text, body: nullable(text), attempts: integer, first_attempt_at: text },
    claimedRow,
  );
  return {
    id: row.id,
    vendorId: row.vendor_id,
    tenantId: row.tenant_id,
    subscriptionId: row.subscription_id,
    body: row.body,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    webhook: webhookOfRow(rowOf(webhookShape, hook)),
  };
}

/**
 * The outcome of an attempt: delivered; or to be tried again at `retryAt`; or failed for good.
 * Answers, once the delivery is finished, the next pending delivery of its subscription to wake.
 */
export async function settleDelivery(
  db: D1Database,
  delivery: { id: string; vendorId: string; subscriptionId: string },
  outcome: { status: "delivered" | "failed" | "pending"; lastStatus?: number | null; retryAt?: string },
): Promise<string | null> {
  const statements = [
    db
      .prepare(
        `UPDATE webhook_deliveries SET status = ?2, last_status = CASE WHEN ?5 THEN ?3 ELSE last_status END, lease_until = NULL,
                next_attempt_at = COALESCE(?4, next_attempt_at), body = CASE WHEN ?2 = 'delivered' THEN NULL ELSE body END
          WHERE id = ?1 AND status = 'pending'`,
      )
      .bind(delivery.id, outcome.status, outcome.lastStatus ?? null, outcome.retryAt ?? null, outcome.lastStatus === undefined ? 0 : 1),
  ];
  if (outcome.status === "pending") {
    await db.batch(statements);
    return null;
  }
  const [, next] = await db.batch([...statements, nextOfSubscription(db, delivery)]);
  return (next?.results[0] as { id?: string } | undefined)?.id ?? null;
}

/** The earliest pending delivery of a subscription to a vendor: the one to send next. */
const nextOfSubscription = (db: D1Database, delivery: { vendorId: string; subscriptionId: string }) =>
  db
    .prepare(
      `SELECT id FROM webhook_deliveries WHERE subscription_id = ?1 AND vendor_id = ?2 AND status = 'pending' ORDER BY store_seq LIMIT 1`,
    )
    .bind(delivery.subscriptionId, delivery.vendorId);

/** A delivery that failed for 24 hours (the dead-letter queue's): `failed`. Answers the next of its subscription to wake. */
export async function failDelivery(db: D1Database, id: string): Promise<string | null> {
  const row = await d1First(
    db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL WHERE id = ?1 AND status = 'pending' RETURNING vendor_id, subscription_id`,
      )
      .bind(id),
    { vendor_id: text, subscription_id: text },
  );
  if (!row) return null;
  const next = await d1First(nextOfSubscription(db, { vendorId: row.vendor_id, subscriptionId: row.subscription_id }), { id: text });
  return next?.id ?? null;
}

/**
 * A tenant's deliveries that should have been sent by now and were not (their message lost, or the
 * sender stopped mid-attempt): the first pending one of each subscription, due more than `graceMs`
 * ago and not being sent. With them, when the next of this tenant's pending deliveries is due.
 */
export async function overdueDeliveries(db: D1Database, tenantId: string, now: number, graceMs: number) {
  const at = new Date(now).toISOString();
  const [overdue, next] = await db.batch([
    db
      .prepare(
        `SELECT d.id FROM webhook_deliveries d
          WHERE d.tenant_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2 AND (d.lease_until IS NULL OR d.lease_until < ?3)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id AND e.vendor_id = d.vendor_id
                              AND e.status = 'pending' AND e.store_seq < d.store_seq)
          LIMIT 100`,
      )
      .bind(tenantId, new Date(now - graceMs).toISOString(), at),
    db.prepare(`SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE tenant_id = ?1 AND status = 'pending'`).bind(tenantId),
  ]);
  return {
    ids: (overdue?.results ?? []).map((row) => (row as { id: string }).id),
    nextDue: ((next?.results[0] as { due?: string | null } | undefined)?.due ?? null) as string | null,
  };
}

/**
 * Of a tenant's events whose bodies its store still keeps, those whose delivery is not done:
 * pending, or failed (the vendor may retry it). The others' bodies may go.
 */
export async function undeliveredOf(db: D1Database, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  const rows = await d1All(
    db
      .prepare(
        `SELECT id FROM webhook_deliveries WHERE id IN (SELECT value FROM json_each(?2)) AND tenant_id = ?1 AND status IN ('pending', 'failed')`,
      )
      .bind(tenantId, JSON.stringify(ids)),
    { id: text },
  );
  return new Set(rows.map((row) => row.id));
}

// ---- The vendor's view ------------------------------------------------------------------------

const deliveryShape = {
  id: text,
  type: oneOf(...webhookEventTypes),
  attempts: integer,
  status: oneOf("pending", "delivered", "failed"),
  last_attempt_at: nullable(text),
  last_status: nullable(integer),
  subscription_id: text,
  created_at: text,
};

/** The vendor's deliveries, newest first, a page at a time; only its own. */
export async function deliveriesOf(
  db: D1Database,
  vendorId: string,
  query: { status?: DeliveryStatusName | undefined; limit: number; cursor?: string | undefined },
): Promise<DeliveriesPage> {
  const after = decodeCursor<[string, string]>(query.cursor, 2);
  const rows = await d1All(
    db
      .prepare(
        `SELECT id, type, attempts, status, last_attempt_at, last_status, subscription_id, created_at FROM webhook_deliveries
          WHERE vendor_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR (created_at, id) < (?3, ?4))
          ORDER BY created_at DESC, id DESC LIMIT ?5`,
      )
      .bind(vendorId, query.status ?? null, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1),
    deliveryShape,
  );
  return pageOf(
    rows,
    query.limit,
    (row) => ({
      id: row.id,
      type: row.type,
      attempts: row.attempts,
      status: row.status,
      lastAttemptAt: row.last_attempt_at,
      lastStatus: row.last_status,
      subscriptionId: row.subscription_id,
      createdAt: row.created_at,
    }),
    (row) => [row.created_at, row.id],
  );
}

/** A delivery of the vendor's, by id (another vendor's is as unknown as none). */
export const deliveryOf = (db: D1Database, vendorId: string, id: string) =>
  d1First(db.prepare(`SELECT status, tenant_id FROM webhook_deliveries WHERE id = ?1 AND vendor_id = ?2`).bind(id, vendorId), {
    status: oneOf("pending", "delivered", "failed"),
    tenant_id: text,
  });

/** A failed delivery of the vendor's, pending again with a new 24 hours; false when it was not failed. */
export async function retryDelivery(db: D1Database, vendorId: string, id: string, now: string): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = ?3, lease_until = NULL
        WHERE id = ?1 AND vendor_id = ?2 AND status = 'failed' RETURNING 1 AS ok`,
    )
    .bind(id, vendorId, now)
    .first();
  return row !== null;
}
