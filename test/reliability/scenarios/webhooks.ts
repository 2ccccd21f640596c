/**
 * Vendor webhooks under faults (API.md, "Vendor webhooks"; R23), against a receiver on
 * 127.0.0.1 that verifies every request with `standardwebhooks`:
 * - the worker is killed (SIGKILL) while deliveries are pending — some waiting for a retry in the
 *   local queue, which lives in memory — and started again: every event of a change that was
 *   answered arrives, in commit order, duplicates only with the same webhook-id and body;
 * - one vendor's endpoint hangs and another's answers 500: a third vendor's events and the
 *   admins' requests go on as before (their p95 reported beside the idle ones).
 */
import type { WebhookEvent } from "@appseats/shared";
import { Webhook } from "standardwebhooks";
import { demoVendorKey } from "../../../worker/seed/demo.ts";
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver.ts";
import { figure, p95 } from "../harness.ts";
import type { Suite } from "../run.ts";

const ms = (value: number) => `${Math.round(value)} ms`;

/** The events of what an endpoint was sent, verified; and whether every repeat of an id was the same request body. */
function verify(requests: ReceivedRequest[], secret: string) {
  const first = new Map<string, ReceivedRequest>();
  let unverified = 0;
  let repeatsDiffer = 0;
  const events: { id: string; event: WebhookEvent }[] = [];
  for (const request of requests) {
    let event: WebhookEvent;
    try {
      event = new Webhook(secret).verify(request.body, request.headers) as WebhookEvent;
    } catch {
      unverified += 1;
      continue;
    }
    const id = request.headers["webhook-id"]!;
    const seen = first.get(id);
    if (seen) {
      if (seen.body !== request.body) repeatsDiffer += 1;
      continue;
    }
    first.set(id, request);
    events.push({ id, event });
  }
  return { events, unverified, repeatsDiffer, duplicates: requests.length - unverified - events.length };
}

async function setWebhook(suite: Suite, vendor: string, url: string): Promise<string> {
  const answer = await suite.http.call("PUT", "/vendor/v1/webhook", { token: demoVendorKey(vendor), body: { url } });
  if (answer.status !== 200) throw new Error(`setting ${vendor}'s webhook: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.secret as string;
}

/** Who holds what, by the events: for each user, "granted" / "revoked" in the order received. */
const historyOf = (events: { event: WebhookEvent }[]) => {
  const history = new Map<string, string[]>();
  for (const { event } of events) {
    if (event.type === "subscription.changed") continue;
    for (const user of event.data.users) history.set(user.id, [...(history.get(user.id) ?? []), event.type]);
  }
  return history;
};

async function deliveriesSurviveACrash(suite: Suite, receiver: WebhookReceiver) {
  const { http, checks, backend } = suite;
  // Tailspin Maps: its seats are plenty (the scenario below raised them) and nobody waits for one.
  const subscription = "sub_contoso_tailspin_maps";
  const secret = await setWebhook(suite, "tailspin", `${receiver.url}/crash`);
  // The first requests fail: their events wait for a retry, in the queue's memory, when the worker dies.
  receiver.behave("crash", { failFirst: 2 });
  await http.call("PUT", `/vendor/v1/subscriptions/${subscription}`, {
    token: demoVendorKey("tailspin"),
    body: { quantity: 1200, status: "active" },
  });
  const { tokens } = await suite.signInAll();
  const answered: { verb: "assign" | "unassign"; user: string }[] = [];
  const refused: number[] = [];
  for (let i = 0; i < 16; i++) {
    const user = `usr_contoso_user${String(31 + (i % 8)).padStart(2, "0")}`;
    const verb = i < 8 ? "assign" : "unassign";
    const answer = await http.call("POST", `/api/v1/licenses/${subscription}/${verb}`, {
      token: tokens.megan,
      body: { principals: [{ type: "user", id: user }] },
    });
    if (answer.status === 200) answered.push({ verb, user });
    else refused.push(answer.status);
  }
  const before = receiver.received("crash").length;
  console.log(`Webhooks: SIGKILL with ${answered.length} changes answered and ${before} request(s) received so far`);
  await backend.kill();
  await backend.restart();
  // Every answered change's event arrives: lost queue messages are woken by their store's watch.
  const started = Date.now();
  let requests: ReceivedRequest[] = [];
  try {
    requests = await receiver.until(
      "crash",
      (list) => {
        const history = historyOf(verify(list, secret).events);
        return answered.every(({ user }) => (history.get(user)?.length ?? 0) >= 2);
      },
      120_000,
    );
  } catch {
    requests = receiver.received("crash");
  }
  const { events, unverified, repeatsDiffer, duplicates } = verify(requests, secret);
  const history = historyOf(events);
  figure("webhooks: seconds from the restart to the last event", Math.round((Date.now() - started) / 1000));
  figure("webhooks: requests received across the crash (duplicates)", `${requests.length} (${duplicates})`);
  checks.check(
    `webhooks: after a SIGKILL with deliveries pending, every one of the ${answered.length} answered changes' events arrives`,
    answered.length === 16 && answered.every(({ user }) => JSON.stringify(history.get(user)) === '["license.granted","license.revoked"]'),
    { refused, history: Object.fromEntries(history) },
  );
  checks.check("webhooks: every request verifies with standardwebhooks", unverified === 0, unverified);
  checks.check("webhooks: a repeat carries the same webhook-id and body", repeatsDiffer === 0, repeatsDiffer);
  checks.check(
    "webhooks: the subscription's events came in commit order",
    events[0]?.event.type === "subscription.changed",
    events.map(({ event }) => event.type),
  );
}

async function slowVendorsHoldNobodyBack(suite: Suite, receiver: WebhookReceiver) {
  const { http, checks } = suite;
  const { tokens } = await suite.signInAll();
  const tailspinSecret = await setWebhook(suite, "tailspin", `${receiver.url}/tailspin`);
  const subscription = "sub_contoso_tailspin_maps";
  await http.call("PUT", `/vendor/v1/subscriptions/${subscription}`, {
    token: demoVendorKey("tailspin"),
    // The crash scenario's groups hold up to 600 of its seats: plenty stay free.
    body: { status: "active", quantity: 1000 },
  });

  /** Assigns and unassigns on Tailspin Maps, timing the admin's answer and the time to the event's arrival. */
  const round = async (label: string, verb: "assign" | "unassign", count: number) => {
    const answers: number[] = [];
    const arrivals: number[] = [];
    for (let i = 0; i < count; i++) {
      const user = `usr_contoso_user${String(1 + (i % 20)).padStart(2, "0")}`;
      const already = receiver.received("tailspin").length;
      const started = performance.now();
      const answer = await http.call("POST", `/api/v1/licenses/${subscription}/${verb}`, {
        token: tokens.lidia,
        body: { principals: [{ type: "user", id: user }] },
      });
      const answeredAt = performance.now();
      answers.push(answeredAt - started);
      if (answer.status !== 200) continue;
      const got = await receiver.until("tailspin", (list) => list.length > already, 20_000).catch(() => []);
      const last = got.at(-1);
      // An event may reach the receiver before the answer reaches the client: counted as 0.
      if (last) arrivals.push(Math.max(0, last.at - (Date.now() - (performance.now() - answeredAt))));
    }
    figure(`webhooks: admin's assign p95, ${label}`, ms(p95(answers)));
    figure(`webhooks: another vendor's event after the answer p95, ${label}`, ms(p95(arrivals)));
    return { answers, arrivals };
  };

  const idle = await round("idle", "assign", 20);
  // Northwind's endpoint never answers; Litware's answers 500: both keep being tried.
  receiver.behave("hanging", { hang: true });
  receiver.behave("failing", { status: 500 });
  await setWebhook(suite, "northwind", `${receiver.url}/hanging`);
  await setWebhook(suite, "litware", `${receiver.url}/failing`);
  // Usable, with seats to give, whatever the scenarios before did to them.
  for (const [vendor, id] of [
    ["northwind", "sub_contoso_northwind_notes"],
    ["litware", "sub_contoso_litware_chat"],
  ] as const) {
    await http.call("PUT", `/vendor/v1/subscriptions/${id}`, { token: demoVendorKey(vendor), body: { quantity: 100, status: "active" } });
  }
  const stuck = async (stop: () => boolean) => {
    for (let i = 0; !stop(); i++) {
      const user = `usr_contoso_user${String(21 + (i % 10)).padStart(2, "0")}`;
      const verb = Math.floor(i / 10) % 2 === 0 ? "assign" : "unassign";
      await http.call("POST", `/api/v1/licenses/sub_contoso_northwind_notes/${verb}`, {
        token: tokens.megan,
        body: { principals: [{ type: "user", id: user }] },
      });
      await http.call("POST", `/api/v1/licenses/sub_contoso_litware_chat/${verb}`, {
        token: tokens.megan,
        body: { principals: [{ type: "user", id: user }] },
      });
    }
  };
  let done = false;
  const noise = stuck(() => done);
  await receiver.until("hanging", (list) => list.length >= 1, 20_000).catch(() => []);
  const loaded = await round("a vendor hanging, another failing", "unassign", 20);
  done = true;
  await noise;
  const events = verify(receiver.received("tailspin"), tailspinSecret);
  checks.check(
    `webhooks: with one vendor's endpoint hanging and another's failing, the third vendor got all ${idle.arrivals.length + loaded.arrivals.length} events, each within 5 s`,
    loaded.arrivals.length === 20 && Math.max(...loaded.arrivals) < 5_000 && events.unverified === 0,
    { arrivals: loaded.arrivals.map(Math.round) },
  );
  checks.check(
    "webhooks: the admins' requests are not held back by a vendor's endpoint (p95 under 2 s)",
    p95(loaded.answers) < 2_000,
    loaded.answers.map(Math.round),
  );
  checks.check(
    "webhooks: the hanging and failing endpoints were tried (their deliveries pending, none lost)",
    receiver.received("hanging").length >= 1 && receiver.received("failing").length >= 1,
  );
  // Nothing more for them: the rest of the suite runs without these endpoints.
  await http.call("DELETE", "/vendor/v1/webhook", { token: demoVendorKey("northwind") });
  await http.call("DELETE", "/vendor/v1/webhook", { token: demoVendorKey("litware") });
}

export async function webhooks(suite: Suite) {
  const receiver = await startWebhookReceiver();
  try {
    // The second uses the subscription the first made roomy.
    await slowVendorsHoldNobodyBack(suite, receiver);
    await deliveriesSurviveACrash(suite, receiver);
    await suite.invariants("webhooks");
  } finally {
    await receiver.close();
  }
}
