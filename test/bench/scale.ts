/**
 * A tenant's cost as the service grows. Contoso (DEMO.md, 49 users) is measured on the demo
 * alone and with 1,000,000 users of 100 other tenants beside it whose names match the same
 * searches, the two side by side, run for run: its license summary, exact / prefix / substring
 * search and single assign, p50 / p95.
 * Also what a tenant store costs that one shared database did not: the first request to a store
 * that was asleep, and the delay before the vendor's list in D1 shows a change (the outbox).
 *
 * `npm run bench` runs it; it also runs alone and prints its figures as JSON, which is how the
 * benchmark measures the D1 design with the same scenario (a worktree of the last commit before
 * the tenant stores; see BENCHMARKS.md):
 *
 *   node test/bench/scale.ts [--users 1000000] [--tenants 100] [--port 8797]
 */
import { parseArgs } from "node:util";
import { Backend, Http } from "../support/backend.ts";
import { leanClient } from "./lean-client.ts";
import { median, percentile, round } from "./measure.ts";

const at = "2026-05-01T00:00:00.000Z";
const contoso = {
  admin: "megan@contoso.com",
  /** Fabrikam Sign, Business: 25 seats, 11 held. */
  subscription: "sub_contoso_fabrikam_sign",
  vendorKey: "dev-vendor-fabrikam",
  /** Holds no Fabrikam Sign seat: assigned and unassigned in turn. */
  user: "user30@contoso.com",
  searches: { exact: "user17@contoso.com", prefix: "Contoso User 1", substring: "user" },
};

/**
 * Rows of the D1 design's tables (the benchmark's database is seeded the old way and moved into
 * the stores by npm run move-to-stores): `tenants` tenants of `users / tenants` users each, named
 * so that Contoso's searches match every one of them (`user00017@scale042.example`, "Scale042 User
 * 00017"), each with a subscription of Fabrikam Sign whose first 1,000 users hold a seat.
 */
export function otherTenantsSql(users: number, tenants: number): string[] {
  const each = Math.floor(users / tenants);
  const tenant = "printf('scale%03d', t)";
  return [
    `WITH RECURSIVE n(t) AS (SELECT 1 UNION ALL SELECT t + 1 FROM n WHERE t < ${tenants})
     INSERT OR IGNORE INTO tenants (id, display_name, created_at) SELECT ${tenant}, printf('Scale %03d', t), '${at}' FROM n`,
    `WITH RECURSIVE n(t) AS (SELECT 1 UNION ALL SELECT t + 1 FROM n WHERE t < ${tenants})
     INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) SELECT printf('scale%03d.example', t), ${tenant}, 0 FROM n`,
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${each * tenants - 1})
     INSERT OR IGNORE INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at)
     SELECT printf('usr_scale%03d_%05d', t, u), printf('scale%03d', t), printf('user%05d@scale%03d.example', u, t),
            printf('Scale%03d User %05d', t, u), printf('user%05d@scale%03d.example', u, t), 1, '${at}'
       FROM (SELECT 1 + i / ${each} AS t, 1 + i % ${each} AS u FROM n)`,
    `WITH RECURSIVE n(t) AS (SELECT 1 UNION ALL SELECT t + 1 FROM n WHERE t < ${tenants})
     INSERT OR IGNORE INTO subscriptions (id, tenant_id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
     SELECT printf('sub_scale%03d', t), ${tenant}, 'app_fabrikam', 'Business', 1000, 'active', '2027-05-01T00:00:00.000Z', '${at}', '${at}' FROM n`,
    `INSERT OR IGNORE INTO assignments (subscription_id, principal_type, principal_id, tenant_id, assigned_at, assigned_by)
     SELECT 'sub_' || tenant_id, 'user', id, tenant_id, '${at}', 'bench' FROM users
      WHERE tenant_id LIKE 'scale%' AND CAST(substr(id, -5) AS INTEGER) <= 1000`,
    `INSERT OR IGNORE INTO licenses (subscription_id, user_id, tenant_id, state, since)
     SELECT subscription_id, principal_id, tenant_id, 'active', '${at}' FROM assignments WHERE tenant_id LIKE 'scale%'`,
  ];
}

/**
 * Latencies of one figure, a run at a time: each run `count` calls one after another. A call that
 * answers a number has timed itself (and done something unmeasured after). The figure is the
 * median of the runs' p50 and p95.
 */
class Latency {
  readonly #p50: number[] = [];
  readonly #p95: number[] = [];

  async run(count: number, call: () => Promise<unknown>) {
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      const timed = await call();
      latencies.push(typeof timed === "number" ? timed : performance.now() - t);
    }
    this.#p50.push(percentile(latencies, 50));
    this.#p95.push(percentile(latencies, 95));
  }

  get figure() {
    return { p50Ms: round(median(this.#p50)), p95Ms: round(median(this.#p95)) };
  }
}

function expect(status: number, wanted: number, what: string, text: string) {
  if (status !== wanted) throw new Error(`${what} answered ${status}: ${text.slice(0, 300)}`);
}

/**
 * The first request to a tenant's store that was asleep, against the same request once it is
 * awake. The worker has just been restarted and has served another tenant (Fabrikam), so its
 * isolate is warm and only the tenant's store (or, in the D1 design, nothing of the tenant's)
 * wakes: a local sign-in, which reads the user and writes a session in the tenant's store.
 */
async function wakeUp(backend: Backend, userPrincipalName: string) {
  const lean = leanClient(backend.url);
  const signIn = async (name: string) => {
    const t = performance.now();
    const answer = await lean("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName: name } });
    expect(answer.status, 200, `signing ${name} in`, answer.text);
    return performance.now() - t;
  };
  await signIn("pradeep@fabrikam.com");
  const asleepMs = await signIn(userPrincipalName);
  const awake: number[] = [];
  for (let i = 0; i < 9; i++) awake.push(await signIn(userPrincipalName));
  return { asleepMs: round(asleepMs), awakeMs: round(median(awake)) };
}

/**
 * Contoso's figures on a running backend: `run` measures each once more (its summary, searches
 * and single assign), `figures` gives their medians so far.
 */
async function contosoRuns(backend: Backend) {
  const http = new Http(backend);
  const lean = leanClient(backend.url);
  let token = await http.token(contoso.admin);
  const call = async (method: string, path: string, body?: unknown, wanted = 200) => {
    const answer = await lean(method, path, { token, body });
    expect(answer.status, wanted, `${method} ${path}`, answer.text);
    return answer.text;
  };
  const searchPath = (q: string) => `/api/v1/directory/search?q=${encodeURIComponent(q)}&limit=20`;
  // Steady state: the queries' first calls prepare them in the database.
  for (const q of Object.values(contoso.searches)) for (let i = 0; i < 5; i++) await call("GET", searchPath(q));
  const principals = { principals: [{ type: "user", id: await userId(call, contoso.user) }] };
  const summary = new Latency();
  const search = Object.fromEntries(Object.keys(contoso.searches).map((kind) => [kind, new Latency()]));
  const assign = new Latency();
  return {
    async run() {
      // A session of its own for each run: a credential may make 1,200 requests a minute.
      token = await http.token(contoso.admin);
      await summary.run(200, () => call("GET", "/api/v1/licenses"));
      for (const [kind, q] of Object.entries(contoso.searches)) {
        await search[kind]!.run(100, async () => {
          const text = await call("GET", searchPath(q));
          if (!text.includes("@contoso.com")) throw new Error(`searching ${q} found no Contoso user: ${text.slice(0, 200)}`);
          if (text.includes("scale0")) throw new Error(`searching ${q} found another tenant's user`);
        });
      }
      token = await http.token(contoso.admin);
      // Single assign, each followed (unmeasured) by the unassign that frees the seat again.
      await assign.run(100, async () => {
        const t = performance.now();
        await call("POST", `/api/v1/licenses/${contoso.subscription}/assign`, principals);
        const assignMs = performance.now() - t;
        await call("POST", `/api/v1/licenses/${contoso.subscription}/unassign`, principals);
        return assignMs;
      });
    },
    figures: () => ({
      summary: summary.figure,
      search: Object.fromEntries(Object.entries(search).map(([kind, latency]) => [kind, latency.figure])),
      assign: assign.figure,
    }),
  };
}

async function userId(call: (method: string, path: string) => Promise<string>, upn: string) {
  const text = await call("GET", `/api/v1/directory/search?q=${encodeURIComponent(upn)}&type=user&limit=1`);
  const id = (JSON.parse(text) as { items: { id: string }[] }).items[0]?.id;
  if (!id) throw new Error(`${upn} is not in the directory`);
  return id;
}

/**
 * The outbox's delay: from an assign's answer until the vendor's list (read from D1, the control
 * plane) shows the new seat count; `samples` times, p50 / p95. In the D1 design the list reads
 * the same database the assign wrote, so the delay is the list's own round trip.
 */
async function outboxDelay(backend: Backend, samples: number) {
  const http = new Http(backend);
  const lean = leanClient(backend.url);
  const token = await http.token(contoso.admin);
  const id = await userId(async (method, path) => (await lean(method, path, { token })).text, contoso.user);
  const assigned = async () => {
    const answer = await lean("GET", "/vendor/v1/subscriptions", { token: contoso.vendorKey });
    expect(answer.status, 200, "the vendor's list", answer.text);
    const items = (JSON.parse(answer.text) as { items: { id: string; seats: { assigned: number } }[] }).items;
    return items.find((item) => item.id === contoso.subscription)!.seats.assigned;
  };
  const delays: number[] = [];
  for (let s = 0; s < samples; s++) {
    const before = await assigned();
    const verb = s % 2 === 0 ? "assign" : "unassign";
    const answer = await lean("POST", `/api/v1/licenses/${contoso.subscription}/${verb}`, {
      token,
      body: { principals: [{ type: "user", id }] },
    });
    expect(answer.status, 200, verb, answer.text);
    const t = performance.now();
    while ((await assigned()) === before) {
      if (performance.now() - t > 30_000) throw new Error("the vendor's list did not change within 30 s");
    }
    delays.push(performance.now() - t);
  }
  if (samples % 2 === 1)
    await lean("POST", `/api/v1/licenses/${contoso.subscription}/unassign`, { token, body: { principals: [{ type: "user", id }] } });
  return { samples, p50Ms: round(percentile(delays, 50)), p95Ms: round(percentile(delays, 95)) };
}

/**
 * Both settings, each on a backend of its own, side by side: Contoso alone on `port`, beside the
 * other tenants on `port - 2`. Once both are up, their runs alternate, so that whatever else the
 * machine does meanwhile falls on both alike.
 */
export async function tenantAtScale({
  port,
  users = 1_000_000,
  tenants = 100,
  runs = 5,
  log = (line: string) => console.error(line),
}: {
  port: number;
  users?: number;
  tenants?: number;
  runs?: number;
  log?: (line: string) => void;
}) {
  const backends: Backend[] = [];
  const start = async (backendPort: number, extraSql: string[], otherTenant?: string) => {
    const backend = new Backend(backendPort, { quiet: true });
    backends.push(backend);
    const started = performance.now();
    await backend.start(extraSql);
    const seedSeconds = round((performance.now() - started) / 1000);
    log(`  seeded and started in ${seedSeconds} s`);
    // Every store asleep: the move and the demo's seeding woke them.
    await backend.kill();
    await backend.restart();
    const firstRequest = {
      contoso: await wakeUp(backend, contoso.admin),
      ...(otherTenant ? { other: await wakeUp(backend, `user00001@${otherTenant}.example`) } : {}),
    };
    return { backend, seedSeconds, firstRequest };
  };
  try {
    log("Contoso alone");
    const alone = await start(port, []);
    log(`Contoso with ${users.toLocaleString("en")} users of ${tenants} other tenants`);
    const crowded = await start(port - 2, otherTenantsSql(users, tenants), `scale${String(Math.ceil(tenants / 2)).padStart(3, "0")}`);
    log(`  measuring both, ${runs} runs each, in turn`);
    const measures = [await contosoRuns(alone.backend), await contosoRuns(crowded.backend)] as const;
    for (let r = 0; r < runs; r++) for (const measure of measures) await measure.run();
    const figuresOf = async ({ backend, seedSeconds, firstRequest }: typeof alone, measure: (typeof measures)[number]) => ({
      seedSeconds,
      firstRequest,
      ...measure.figures(),
      outbox: await outboxDelay(backend, 20),
    });
    const aloneFigures = await figuresOf(alone, measures[0]);
    const crowdedFigures = await figuresOf(crowded, measures[1]);
    const ratio = (pick: (f: typeof aloneFigures) => number) => round(pick(crowdedFigures) / pick(aloneFigures), 2);
    return {
      otherUsers: users,
      otherTenants: tenants,
      alone: aloneFigures,
      crowded: crowdedFigures,
      p95Ratios: {
        summary: ratio((f) => f.summary.p95Ms),
        exact: ratio((f) => f.search.exact!.p95Ms),
        prefix: ratio((f) => f.search.prefix!.p95Ms),
        substring: ratio((f) => f.search.substring!.p95Ms),
        assign: ratio((f) => f.assign.p95Ms),
      },
    };
  } finally {
    for (const backend of backends) await backend.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { users: { type: "string" }, tenants: { type: "string" }, port: { type: "string" }, runs: { type: "string" } },
  });
  const figures = await tenantAtScale({
    port: Number(values.port ?? 8797),
    users: Number(values.users ?? 1_000_000),
    tenants: Number(values.tenants ?? 100),
    runs: Number(values.runs ?? process.env.BENCH_RUNS ?? 5),
  });
  console.log(JSON.stringify(figures, null, 2));
}
