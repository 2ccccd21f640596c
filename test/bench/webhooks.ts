/**
 * npm run bench:webhooks — vendor webhooks (API.md, "Vendor webhooks") on the benchmark's large
 * tenant (Adatum, test/bench/seed.ts) under `wrangler dev`, with a receiver on 127.0.0.1 that
 * verifies every request with `standardwebhooks`:
 * - an admin's single assign, p50 / p95, with no webhook and then with the vendor's webhook on;
 * - from the assign's answer to the receiver's request, p50 / p95 (target p95 ≤ 1 s);
 * - the 50,000-member group assigned: its answer, and until all its events are received (target
 *   60 s), with the webhook off and on.
 * Writes test/bench/webhook-results.json and the "Vendor webhooks" section of BENCHMARKS.md.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import type { WebhookEvent } from "@appseats/shared";
import { Webhook } from "standardwebhooks";
import { demoVendorKey } from "../../worker/seed/demo.ts";
import { Backend, Http } from "../support/backend.ts";
import { startWebhookReceiver } from "../support/webhook-receiver.ts";
import { percentile, round } from "./measure.ts";
import { bench, largeTenantSql } from "./seed.ts";

const root = new URL("../../", import.meta.url).pathname;
const samples = Number(process.env.BENCH_SAMPLES ?? 200);
const marker = { start: "<!-- webhooks: written by npm run bench:webhooks -->", end: "<!-- /webhooks -->" };

export interface WebhookFigures {
  date: string;
  machine: string;
  samples: number;
  assignOff: { p50: number; p95: number };
  assignOn: { p50: number; p95: number };
  assignOnSpaced: { p50: number; p95: number };
  eventAfterAnswer: { p50: number; p95: number; max: number };
  bigGroupOff: { answerMs: number };
  bigGroupOn: { answerMs: number; allEventsMs: number; events: number; users: number };
  unverified: number;
}

const ms = (values: number[], p: number) => round(percentile(values, p));

async function main() {
  const backend = new Backend(Number(process.env.BENCH_PORT ?? 8798), { quiet: true });
  const receiver = await startWebhookReceiver();
  const http = new Http(backend);
  try {
    console.log("Seeding Adatum (100,000 users) and starting wrangler dev …");
    await backend.start(largeTenantSql(createHash("sha256").update(bench.syncToken).digest("hex")));
    const admin = await http.token(bench.admin);
    const assign = async (subscription: string, principal: { type: "user" | "group"; id: string }, verb = "assign") => {
      const started = performance.now();
      const answer = await http.call("POST", `/api/v1/licenses/${subscription}/${verb}`, {
        token: admin,
        body: { principals: [principal] },
      });
      if (answer.status !== 200) throw new Error(`${verb} ${principal.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { ms: performance.now() - started, at: Date.now() };
    };

    // Single assigns of users who hold nothing of sub_adatum_02 (Tailspin's app), one at a time.
    let user = bench.firstFreeUser;
    console.log(`${samples} single assigns, no webhook …`);
    const off: number[] = [];
    for (let i = 0; i < samples; i++) off.push((await assign(bench.assignSubscription, { type: "user", id: bench.user(user++) })).ms);

    const tailspin = await http.call("PUT", "/vendor/v1/webhook", {
      token: demoVendorKey("tailspin"),
      body: { url: `${receiver.url}/tailspin` },
    });
    const tailspinSecret = tailspin.body.secret as string;
    console.log(`${samples} single assigns, Tailspin's webhook on …`);
    const on: number[] = [];
    const answeredAt = new Map<string, number>();
    for (let i = 0; i < samples; i++) {
      const id = bench.user(user++);
      const done = await assign(bench.assignSubscription, { type: "user", id });
      on.push(done.ms);
      answeredAt.set(id, done.at);
    }
    const received = await receiver.until("tailspin", (list) => list.length >= samples, 120_000);
    // The same, each assign sent once the previous one's delivery is done (its event received and
    // recorded delivered): the request alone, without that delivery's work sharing the two cores with it.
    console.log(`${samples} single assigns, webhook on, one delivery at a time …`);
    const spaced: number[] = [];
    const nonePending = async () => {
      const pending = await http.call("GET", "/vendor/v1/webhook/deliveries?status=pending", { token: demoVendorKey("tailspin") });
      if (pending.status !== 200) throw new Error(`the vendor's pending deliveries: ${pending.status} ${JSON.stringify(pending.body)}`);
      return pending.body.items.length === 0;
    };
    for (let i = 0; i < samples; i++) {
      const before = receiver.received("tailspin").length;
      spaced.push((await assign(bench.assignSubscription, { type: "user", id: bench.user(user++) })).ms);
      await receiver.until("tailspin", (list) => list.length > before, 30_000);
      while (!(await nonePending())) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    let unverified = 0;
    const afterAnswer: number[] = [];
    for (const request of received) {
      try {
        const event = new Webhook(tailspinSecret).verify(request.body, request.headers) as WebhookEvent;
        if (event.type !== "license.granted") continue;
        const at = answeredAt.get(event.data.users[0]!.id);
        // An event may reach the receiver before the answer reaches the client: counted as 0.
        if (at !== undefined) afterAnswer.push(Math.max(0, request.at - at));
      } catch {
        unverified += 1;
      }
    }

    // The 50,000-member group on sub_adatum_01 (Northwind's app, 50,000 seats): off, then on.
    console.log("The 50,000-member group, no webhook …");
    const group = { type: "group" as const, id: bench.bigGroup };
    const bigOff = await assign(bench.bigSubscription, group);
    await assign(bench.bigSubscription, group, "unassign");
    const northwind = await http.call("PUT", "/vendor/v1/webhook", {
      token: demoVendorKey("northwind"),
      body: { url: `${receiver.url}/northwind`, events: ["license.granted"] },
    });
    const northwindSecret = northwind.body.secret as string;
    console.log("The 50,000-member group, Northwind's webhook on …");
    const bigOn = await assign(bench.bigSubscription, group);
    const users = new Set<string>();
    let events = 0;
    const countUsers = (list: { body: string; headers: Record<string, string> }[]) => {
      for (const request of list.slice(events)) {
        try {
          const event = new Webhook(northwindSecret).verify(request.body, request.headers) as WebhookEvent;
          if (event.type === "license.granted") for (const u of event.data.users) users.add(u.id);
        } catch {
          unverified += 1;
        }
      }
      events = list.length;
      return users.size >= 50_000;
    };
    await receiver.until("northwind", countUsers, 300_000);
    const allEventsMs = receiver.received("northwind").at(-1)!.at - bigOn.at;

    const figures: WebhookFigures = {
      date: new Date().toISOString(),
      machine: `${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`,
      samples,
      assignOff: { p50: ms(off, 50), p95: ms(off, 95) },
      assignOn: { p50: ms(on, 50), p95: ms(on, 95) },
      assignOnSpaced: { p50: ms(spaced, 50), p95: ms(spaced, 95) },
      eventAfterAnswer: { p50: ms(afterAnswer, 50), p95: ms(afterAnswer, 95), max: round(Math.max(...afterAnswer)) },
      bigGroupOff: { answerMs: round(bigOff.ms) },
      bigGroupOn: { answerMs: round(bigOn.ms), allEventsMs: round(allEventsMs), events, users: users.size },
      unverified,
    };
    writeFileSync(`${root}test/bench/webhook-results.json`, `${JSON.stringify(figures, null, 2)}\n`);
    const section = webhookSection(figures);
    console.log(section);
    const path = `${root}BENCHMARKS.md`;
    writeFileSync(path, withWebhookSection(existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n", section));
  } finally {
    await receiver.close();
    await backend.dispose();
  }
}

/** The "Vendor webhooks" section of BENCHMARKS.md. */
export function webhookSection(f: WebhookFigures): string {
  const met = (ok: boolean) => (ok ? "yes" : "**no**");
  return `${marker.start}
## Vendor webhooks

\`npm run bench:webhooks\`: Adatum (test/bench/seed.ts) under \`wrangler dev\`, a receiver on
127.0.0.1 that verifies every request with \`standardwebhooks\`; ${f.samples} single assigns each way,
one at a time. Machine: ${f.machine}; ${f.date}.

| figure | measured | target | met |
|---|---|---|---|
| single assign, no webhook: p50 / p95 | ${f.assignOff.p50} / ${f.assignOff.p95} ms | | |
| single assign, the vendor's webhook on, back to back: p50 / p95 | ${f.assignOn.p50} / ${f.assignOn.p95} ms | | |
| single assign, webhook on, each sent once the previous delivery was done: p50 / p95 | ${f.assignOnSpaced.p50} / ${f.assignOnSpaced.p95} ms | p95 ≤ 1.2 × no webhook | ${met(f.assignOnSpaced.p95 <= f.assignOff.p95 * 1.2)} |
| from the assign's answer to the receiver's request: p50 / p95 (max) | ${f.eventAfterAnswer.p50} / ${f.eventAfterAnswer.p95} ms (${f.eventAfterAnswer.max} ms) | p95 ≤ 1,000 ms | ${met(f.eventAfterAnswer.p95 <= 1000)} |
| the 50,000-member group assigned, no webhook: the answer | ${f.bigGroupOff.answerMs} ms | | |
| the same, Northwind's webhook on: the answer | ${f.bigGroupOn.answerMs} ms | | |
| the same: from the answer to the last of its events received | ${f.bigGroupOn.allEventsMs} ms (${f.bigGroupOn.events} events, ${f.bigGroupOn.users} users) | ≤ 60,000 ms | ${met(f.bigGroupOn.allEventsMs <= 60_000 && f.bigGroupOn.users === 50_000)} |
| requests that did not verify | ${f.unverified} | 0 | ${met(f.unverified === 0)} |

Back to back, an assign shares the two cores with the delivery of the one before it (the store's
alarm, the queue, the sender asking the store for the body, the receiver, and the sender recording
it delivered in D1 all run on this machine). Sent once that delivery is done (its event received
and no delivery pending in the vendor's list), the request's own work adds only the outbox rows
and the event's body, in its transaction.
A 0 ms wait means the event reached the receiver before the assign's answer reached its client: the
store hands its outbox over as soon as the change commits, while the answer is still on its way.
${marker.end}`;
}

/** BENCHMARKS.md with its webhook section replaced (or added at the end). */
export function withWebhookSection(document: string, section: string): string {
  const start = document.indexOf(marker.start);
  const end = document.indexOf(marker.end);
  if (start >= 0 && end > start) return `${document.slice(0, start)}${section}${document.slice(end + marker.end.length)}`;
  return `${document.trimEnd()}\n\n${section}\n`;
}

/** The section as the last run of bench:webhooks wrote it, for npm run bench to keep when it rewrites BENCHMARKS.md. */
export function keptWebhookSection(document: string): string {
  const start = document.indexOf(marker.start);
  const end = document.indexOf(marker.end);
  return start >= 0 && end > start ? document.slice(start, end + marker.end.length) : "";
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
