/**
 * What the webhook tests share: the receiver on 127.0.0.1 (receiver-setup.ts), each test with
 * endpoints of its own, and Standard Webhooks' reference library to verify what it was sent.
 */

import { runDurableObjectAlarm } from "cloudflare:test";
import { WebhookEvent } from "@appseats/shared";
import { Webhook } from "standardwebhooks";
import { expect, inject } from "vitest";
import { call, db, inStore, storeOf } from "../support.js";

const receiver = inject("webhookReceiver");

/** A request the receiver recorded (test/support/webhook-receiver.ts). */
export interface ReceivedRequest {
  at: number;
  headers: Record<string, string>;
  body: string;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A new endpoint of the receiver: its URL, and what it was sent. */
export function endpoint(name = `hook-${crypto.randomUUID()}`) {
  return {
    name,
    url: `${receiver}/${name}`,
    async received(): Promise<ReceivedRequest[]> {
      return (await fetch(`${receiver}/__requests/${name}`)).json();
    },
    async until(done: (requests: ReceivedRequest[]) => boolean, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const requests = await this.received();
        if (done(requests)) return requests;
        if (Date.now() > deadline) throw new Error(`${name} got ${requests.length} request(s), not what was awaited`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async behave(behaviour: { failFirst?: number; status?: number; hang?: boolean }) {
      await fetch(`${receiver}/__behave/${name}`, { method: "POST", body: JSON.stringify(behaviour) });
    },
  };
}
export type Endpoint = ReturnType<typeof endpoint>;

/** Sets a vendor's webhook to an endpoint; answers the secret, shown once. */
export async function setWebhook(vendorKey: string, url: string, events?: string[]): Promise<string> {
  const answer = await call("PUT", "/vendor/v1/webhook", { token: vendorKey, body: { url, ...(events ? { events } : {}) } });
  if (answer.status !== 200) throw new Error(`setting the webhook failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.secret as string;
}

/** A request verified with the secret by `standardwebhooks` (which throws when it does not verify), and its event. */
export function verified(request: ReceivedRequest, secret: string): WebhookEvent {
  const payload = new Webhook(secret).verify(request.body, request.headers);
  return WebhookEvent.parse(payload);
}

/** The events an endpoint was sent, each verified, in order of arrival, one per webhook-id. */
export function eventsOf(requests: ReceivedRequest[], secret: string): (WebhookEvent & { id: string })[] {
  const seen = new Set<string>();
  const events: (WebhookEvent & { id: string })[] = [];
  for (const request of requests) {
    const event = verified(request, secret);
    const id = request.headers["webhook-id"]!;
    if (seen.has(id)) continue;
    seen.add(id);
    events.push({ ...event, id });
  }
  return events;
}

/** A tenant's store looks at its pending deliveries now, as its watch would 30 seconds on: those overdue woken, or the bodies of those done forgotten. */
export async function storeLooksNow(tenantId: string) {
  await inStore(tenantId, async (sql, storage) => {
    sql.exec(
      `INSERT INTO webhook_watch (id, next_check_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET next_check_at = excluded.next_check_at`,
      Date.now() - 1,
    );
    await storage.setAlarm(Date.now() + 60_000);
  });
  expect(await runDurableObjectAlarm(storeOf(tenantId))).toBe(true);
}

/** A vendor's deliveries as the control plane stores them, in their stores' commit order. */
export const recordedDeliveries = async (vendorId: string) =>
  (
    await db()
      .prepare(
        `SELECT id, tenant_id, subscription_id, type, status, attempts, body FROM webhook_deliveries WHERE vendor_id = ?1 ORDER BY store_seq`,
      )
      .bind(vendorId)
      .all<{
        id: string;
        tenant_id: string;
        subscription_id: string;
        type: string;
        status: string;
        attempts: number;
        body: string | null;
      }>()
  ).results;
