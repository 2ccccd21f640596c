/**
 * Delivering vendor webhooks (API.md, "Vendor webhooks"), through Cloudflare Queues:
 * - a tenant store's alarm hands its outbox's events over (handOver): each becomes a delivery row
 *   in the control plane, for the vendor whose webhook wants it, and a message on the queue; the
 *   event's body, which names users, stays in the store, which the sender asks for it;
 * - the queue's consumer wakes the sender for each message (WebhookSender.start), which claims
 *   the delivery and sends it apart from the batch — a vendor whose endpoint hangs for its 10
 *   seconds holds back no other vendor's deliveries, nor the queue;
 * - a 2xx is delivered, and wakes the subscription's next event (commit order); anything else is
 *   sent again after a growing delay, the queue's own (`delaySeconds`), for 24 hours; then the
 *   message goes to the dead-letter queue, whose consumer records the delivery `failed`;
 * - a message lost (a restart of the local queue, a sender stopped mid-request) is made up for by
 *   the tenant store, which watches its pending deliveries until they are done (overdue), and
 *   forgets the bodies of those delivered as it goes (a failed one's stays, for the vendor's retry).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { webhookLimits } from "@appseats/shared";
import { indexStatements } from "../control/plane.js";
import { claimDelivery, failDelivery, overdueDeliveries, recordEvents, settleDelivery, undeliveredOf } from "../control/webhooks.js";
import { storeOf } from "../http/store.js";
import type { OutboxEntry } from "../store/outbox.js";
import { openSecret, signedHeaders } from "./signing.js";

/** What a queue message carries: the delivery to send, named in the control plane; its body is in its tenant's store. */
export interface WakeMessage {
  id: string;
}

/** The queue whose messages wake the sender, and the dead-letter queue of what failed for 24 hours (wrangler.jsonc). */
export const deliveryQueue = "appseats-webhooks";
export const failedQueue = "appseats-webhooks-failed";

/** The wait after the n-th failed attempt: 10 s doubling (the first retry within a minute), at most an hour. */
export const retryDelaySeconds = (attempts: number) => Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));

/** A delivery not sent this long after it was due is overdue: its message is taken as lost. */
export const overdueAfterMs = 15_000;

/** How often, at most, a store looks at its pending deliveries. */
export const watchEveryMs = 30_000;

const wake = (ids: string[]) => ids.map((id) => ({ body: { id } satisfies WakeMessage, contentType: "json" as const }));

/** Wakes the sender for one delivery, now or after `delaySeconds` (the queue's own delay). */
export const wakeDelivery = (env: Env, id: string, delaySeconds?: number) =>
  env.WEBHOOKS.send({ id } satisfies WakeMessage, { contentType: "json", ...(delaySeconds ? { delaySeconds } : {}) });

/**
 * A store's outbox entries into the control plane, in one write: the subscriptions' figures (the
 * index) and the webhook events as deliveries; then the deliveries woken. Safe to repeat: an entry
 * delivered again changes nothing and wakes a delivery that is then found done. Answers the events
 * whose deliveries are pending: the store keeps their bodies, and watches them, and forgets the rest.
 */
export async function handOver(env: Env, tenantId: string, entries: OutboxEntry[]): Promise<string[]> {
  const { statements, toWake } = recordEvents(env.DB, tenantId, entries, new Date().toISOString());
  const results = await env.DB.batch([...indexStatements(env.DB, tenantId, entries), ...statements, ...(toWake ? [toWake] : [])]);
  if (!toWake) return [];
  const ids = (results.at(-1)?.results ?? []).map((row) => (row as { id: string }).id);
  if (ids.length > 0) await env.WEBHOOKS.sendBatch(wake(ids));
  return ids;
}

/** Of the events whose bodies a store still keeps, those whose delivery is done (delivered, or never made): theirs may go. */
export async function doneWith(env: Env, tenantId: string, ids: string[]): Promise<string[]> {
  const undelivered = await undeliveredOf(env.DB, tenantId, ids);
  return ids.filter((id) => !undelivered.has(id));
}

/**
 * The store's watch over its pending deliveries: those overdue are woken again. Answers when to
 * look again (epoch ms), or null when none is pending any more.
 */
export async function wakeOverdue(env: Env, tenantId: string, now = Date.now()): Promise<number | null> {
  const { ids, nextDue } = await overdueDeliveries(env.DB, tenantId, now, overdueAfterMs);
  if (ids.length > 0) await env.WEBHOOKS.sendBatch(wake(ids));
  if (nextDue === null) return null;
  return Math.max(now + watchEveryMs, Date.parse(nextDue) + overdueAfterMs);
}

/** One attempt at a delivery, if it is the one to send now (claimDelivery); its outcome recorded and what follows woken. */
export async function attemptDelivery(env: Env, id: string): Promise<void> {
  const now = Date.now();
  const delivery = await claimDelivery(env.DB, id, now);
  if (!delivery) return;
  const { webhook } = delivery;
  const body = delivery.body ?? (await storeOf(env, delivery.tenantId).webhookBody(delivery.tenantId, id));
  if (body === null) {
    // Its store no longer has it: it can never be sent, and the subscription's next event must not wait on it.
    console.error(`webhook delivery ${id}: its body is not in the store of ${delivery.tenantId}`);
    const next = await settleDelivery(env.DB, delivery, { status: "failed" });
    if (next) await wakeDelivery(env, next);
    return;
  }
  const secrets = [await openSecret(env, delivery.vendorId, webhook.secret)];
  if (webhook.previousSecret && webhook.previousUntil && Date.parse(webhook.previousUntil) > now) {
    secrets.push(await openSecret(env, delivery.vendorId, webhook.previousSecret));
  }
  const headers = await signedHeaders(secrets, { id: delivery.id, timestamp: Math.floor(now / 1000), body });
  let status: number | null = null;
  try {
    const response = await fetch(webhook.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": "AppSeats-Webhooks/1" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(webhookLimits.timeoutMs),
    });
    status = response.status;
    await response.body?.cancel();
  } catch {
    // Refused, unreachable or past its 10 seconds: no status, tried again below.
  }
  if (status !== null && status >= 200 && status < 300) {
    const next = await settleDelivery(env.DB, delivery, { status: "delivered", lastStatus: status });
    if (next) await wakeDelivery(env, next);
    return;
  }
  if (now - Date.parse(delivery.firstAttemptAt) >= webhookLimits.retryForMs) {
    // 24 hours of failures: to the dead-letter queue, which records it failed. Until then it is not due.
    await settleDelivery(env.DB, delivery, { status: "pending", lastStatus: status, retryAt: new Date(now + 3600_000).toISOString() });
    await env.WEBHOOK_FAILURES.send({ id } satisfies WakeMessage, { contentType: "json" });
    return;
  }
  const delay = retryDelaySeconds(delivery.attempts);
  await settleDelivery(env.DB, delivery, { status: "pending", lastStatus: status, retryAt: new Date(now + delay * 1000).toISOString() });
  await wakeDelivery(env, id, delay);
}

/**
 * The sender, reached by the queue's consumer through a service binding to this worker: each
 * attempt runs on its own (waitUntil), so that the consumer's batch ends at once.
 */
export class WebhookSender extends WorkerEntrypoint<Env> {
  start(id: string): void {
    this.ctx.waitUntil(
      attemptDelivery(this.env, id).catch((error: unknown) => {
        // Left pending: its store's watch wakes it again once overdue.
        console.error(`webhook delivery ${id}: ${String(error)}`);
      }),
    );
  }
}

const isWake = (body: unknown): body is WakeMessage => typeof (body as WakeMessage | null)?.id === "string";

/** The queues' consumer: the delivery queue wakes the sender; the dead-letter queue records failures. */
export async function consumeWebhookQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    if (!isWake(message.body)) {
      message.ack();
      continue;
    }
    if (batch.queue === failedQueue) {
      const next = await failDelivery(env.DB, message.body.id);
      if (next) await wakeDelivery(env, next);
    } else {
      await env.WEBHOOK_SENDER.start(message.body.id);
    }
    message.ack();
  }
}
