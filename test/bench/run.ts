/**
 * npm run bench — AppSeats at the size of a large organisation, against the physical limit
 * measured in the same run. Prints a table, writes test/bench/results.json and BENCHMARKS.md.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { storeFiles } from "../../scripts/local-backend.ts";
import { demoVendorKey } from "../../worker/seed/demo.ts";
import { storeMigrations } from "../../worker/src/store/schema.ts";
import { Backend, Http } from "../support/backend.ts";
import { d1DesignFigures } from "./baseline.ts";
import { leanClient } from "./lean-client.ts";
import {
  durableCommitMs,
  load,
  machineCpuMs,
  median,
  percentile,
  round,
  sampleMemory,
  sqliteLimitMs,
  sqliteLimitOnCopyMs,
  workerdUsage,
} from "./measure.ts";
import { firefoxPopupTimings, popupBytes, popupTimings } from "./popup.ts";
import { writeReport } from "./report.ts";
import { tenantAtScale } from "./scale.ts";
import { bench, largeTenantSql } from "./seed.ts";

const root = new URL("../../", import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const steps = 11;
let step = 0;
const started = performance.now();
function progress(text: string) {
  step += 1;
  console.log(`[${step}/${steps}] ${text} (${round((performance.now() - started) / 1000)} s)`);
}

/**
 * `count` calls, `concurrency` at a time, `runs` times: the medians of requests per second, p50
 * and p95, and of the CPU each request took: on the whole machine (load generator, wrangler's
 * proxy, the worker's runtime with its database), and in the worker's runtime alone. Also how
 * busy the cores were, how much time the hypervisor gave to other guests (steal), how busy
 * the runtime's main thread was, and how many write calls the runtime made per request.
 */
async function throughput(backend: Backend, count: number, concurrency: number, call: (i: number) => Promise<unknown>) {
  const perSecond: number[] = [];
  const p50: number[] = [];
  const p95: number[] = [];
  const cpuMs: number[] = [];
  const runtimeMs: number[] = [];
  const busy: number[] = [];
  const steal: number[] = [];
  const mainThread: number[] = [];
  const writeCalls: number[] = [];
  for (let r = 0; r < runs; r++) {
    const runtimeBefore = workerdUsage(backend.processGroup!);
    const before = machineCpuMs();
    const started = performance.now();
    const run = await load(count, concurrency, call);
    const wallMs = performance.now() - started;
    const after = machineCpuMs();
    const runtimeAfter = workerdUsage(backend.processGroup!);
    writeCalls.push((runtimeAfter.runtimeWriteCalls - runtimeBefore.runtimeWriteCalls) / count);
    const runtime = runtimeAfter.runtime - runtimeBefore.runtime;
    mainThread.push((runtimeAfter.runtimeMainThread - runtimeBefore.runtimeMainThread) / wallMs);
    const used = after.busy - before.busy;
    const all = used + after.idle - before.idle + after.steal - before.steal;
    perSecond.push(run.perSecond);
    p50.push(percentile(run.latencies, 50));
    p95.push(percentile(run.latencies, 95));
    cpuMs.push(used / count);
    runtimeMs.push(runtime / count);
    busy.push(used / all);
    steal.push((after.steal - before.steal) / all);
  }
  return {
    requestsPerSecond: round(median(perSecond)),
    p50Ms: round(median(p50)),
    p95Ms: round(median(p95)),
    cpuMsPerRequest: round(median(cpuMs), 2),
    runtimeCpuMsPerRequest: round(median(runtimeMs), 2),
    coresBusyShare: round(median(busy), 2),
    stealShare: round(median(steal), 2),
    runtimeMainThreadBusyShare: round(median(mainThread), 2),
    runtimeWriteCallsPerRequest: round(median(writeCalls)),
  };
}

/** Latency of `count` sequential calls, `runs` times: the median of each run's p50 and p95. */
async function latency(backend: Backend, count: number, call: () => Promise<unknown>) {
  const { p50Ms, p95Ms } = await throughput(backend, count, 1, () => call());
  return { p50Ms, p95Ms };
}

/**
 * An initial sync as a directory makes it, into an empty tenant, at concurrency 8: every user
 * created, then every group created and given its members (50 each) in one PATCH, as Entra ID
 * does. Then one PATCH adding 1,000 members to a licensed group, against node:sqlite inserting
 * the same memberships and licenses.
 */
async function scimSync(backend: Backend, migrations: string[], runs: number) {
  const lean = leanClient(backend.url);
  const token = bench.syncToken;
  const userIds: string[] = new Array(100_000);
  const started = performance.now();
  const created = async (answer: Promise<{ status: number; text: string }>, what: string) => {
    const { status, text } = await answer;
    if (status !== 201) throw new Error(`${what} answered ${status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as { id: string };
  };
  const users = await load(100_000, 8, async (i) => {
    const n = String(i + 1).padStart(6, "0");
    const body = {
      userName: `p${n}@woodgrove.example`,
      externalId: `ext-${n}`,
      displayName: `Person ${n}`,
      active: true,
      emails: [{ type: "work", primary: true, value: `p${n}@woodgrove.example` }],
    };
    userIds[i] = (await created(lean("POST", "/scim/v2/Users", { token, body }), "a user")).id;
  });
  const usersSeconds = (performance.now() - started) / 1000;
  const groups = await load(2_000, 8, async (g) => {
    const { id } = await created(
      lean("POST", "/scim/v2/Groups", { token, body: { displayName: `Team ${g + 1}`, externalId: `team-${g + 1}` } }),
      "a group",
    );
    const members = userIds.slice(g * 50, g * 50 + 50).map((value) => ({ value }));
    const { status } = await lean("PATCH", `/scim/v2/Groups/${id}`, {
      token,
      body: { Operations: [{ op: "Add", path: "members", value: members }] },
    });
    if (status !== 204) throw new Error(`adding members answered ${status}`);
  });
  const totalSeconds = (performance.now() - started) / 1000;

  // One PATCH adding 1,000 members to a group assigned to a subscription of the large tenant.
  const http = new Http(backend);
  const adminToken = await http.token(bench.syncAdmin);
  const patchMs: number[] = [];
  const limitMs: number[] = [];
  const emptyLimitMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    emptyLimitMs.push(sqliteLimitMs(migrations, 1_000, { memberships: true }));
    const { id } = await created(lean("POST", "/scim/v2/Groups", { token, body: { displayName: `Licensed ${r}` } }), "a group");
    await http.call("POST", `/api/v1/licenses/${bench.syncSubscription}/assign`, {
      token: adminToken,
      body: { principals: [{ type: "group", id }] },
    });
    const joining = userIds.slice(50_000 + r * 1_000, 51_000 + r * 1_000);
    limitMs.push(
      await sqliteLimitOnCopyMs(storeFiles(backend.persist).get(bench.syncTenant)!, {
        subscriptionId: bench.syncSubscription,
        userIds: joining,
      }),
    );
    const members = joining.map((value) => ({ value }));
    const t = performance.now();
    const { status } = await lean("PATCH", `/scim/v2/Groups/${id}`, {
      token,
      body: { Operations: [{ op: "Add", path: "members", value: members }] },
    });
    patchMs.push(performance.now() - t);
    if (status !== 204) throw new Error(`the 1,000-member PATCH answered ${status}`);
  }
  return {
    users: { count: 100_000, requestsPerSecond: round(users.perSecond), seconds: round(usersSeconds) },
    groups: {
      count: 2_000,
      membersEach: 50,
      requestsPerSecond: round((2 * 2_000) / (totalSeconds - usersSeconds)),
      seconds: round(totalSeconds - usersSeconds),
    },
    totalSeconds: round(totalSeconds),
    patch1000Ms: round(median(patchMs)),
    patch1000LimitMs: round(median(limitMs), 2),
    patch1000Ratio: round(median(patchMs) / median(limitMs), 2),
    patch1000EmptySchemaLimitMs: round(median(emptyLimitMs), 2),
    groupsLoad: { perSecond: round(groups.perSecond) },
  };
}

/**
 * The popup's CSV import of 5,000 rows on the large tenant, timed as the admin waits for it:
 * the preview (one request resolving every row), the assignment (the rows to assign, 500 a
 * request, one after another, as ImportPane sends them) and the result (the preview asked again,
 * for each row's seat). Of the rows, 4,700 are users without the license, 200 unknown and 100
 * repeated (another case of an earlier row); each run imports users not imported before.
 */
async function csvImport(http: Http, admin: string) {
  const previewMs: number[] = [];
  const assignMs: number[] = [];
  const resultMs: number[] = [];
  const preview = (names: string[]) =>
    http.call("POST", `/api/v1/licenses/${bench.bigSubscription}/import/preview`, { token: admin, body: { names } });
  for (let r = 0; r < runs; r++) {
    const first = 70_001 + r * 5_000;
    const known = Array.from({ length: 4_700 }, (_, i) => `u${String(first + i).padStart(6, "0")}@adatum.com`);
    const names = [
      ...known,
      ...Array.from({ length: 200 }, (_, i) => `nobody-${r}-${i}@adatum.com`),
      ...known.slice(0, 100).map((name) => name.toUpperCase()),
    ];
    let t = performance.now();
    const planned = await preview(names);
    previewMs.push(performance.now() - t);
    const { counts } = planned.body;
    if (counts.assign !== 4_700 || counts.unknown !== 200 || counts.duplicate !== 100)
      throw new Error(`the import preview counted ${JSON.stringify(counts)}`);
    const users = (planned.body.rows as { outcome: string; user?: { id: string } }[])
      .filter((row) => row.outcome === "assign")
      .map((row) => row.user!.id);
    t = performance.now();
    for (let i = 0; i < users.length; i += 500) {
      const answer = await http.call("POST", `/api/v1/licenses/${bench.bigSubscription}/assign`, {
        token: admin,
        body: { principals: users.slice(i, i + 500).map((id) => ({ type: "user", id })) },
        headers: { "Idempotency-Key": crypto.randomUUID() },
      });
      if (answer.status !== 200)
        throw new Error(`an import's assign answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    assignMs.push(performance.now() - t);
    t = performance.now();
    const after = await preview(names);
    resultMs.push(performance.now() - t);
    if (after.body.counts.alreadyLicensed !== 4_700) throw new Error(`after the import: ${JSON.stringify(after.body.counts)}`);
  }
  return {
    rows: 5_000,
    assigned: 4_700,
    previewMs: round(median(previewMs)),
    assignMs: round(median(assignMs)),
    assignRequests: Math.ceil(4_700 / 500),
    resultMs: round(median(resultMs)),
  };
}

async function main() {
  // Quiet: without wrangler's request log and local trace collector, which production has not.
  const backend = new Backend(Number(process.env.BENCH_PORT ?? 8798), { quiet: true });
  const http = new Http(backend);
  const results: Record<string, unknown> = {};
  try {
    progress("seeding the large tenant: 100,000 users, 2,000 groups, 50 subscriptions");
    const seedStarted = performance.now();
    await backend.start(largeTenantSql(createHash("sha256").update(bench.syncToken).digest("hex")));
    results.seedSeconds = round((performance.now() - seedStarted) / 1000);

    progress("signing in and warming up");
    const tokens = await Promise.all(Array.from({ length: 33 }, () => http.token(bench.admin)));
    const admin = tokens[0]!;
    for (let i = 0; i < 20; i++) await http.call("GET", "/api/v1/licenses", { token: admin });

    progress("license summary latency");
    results.summary = await latency(backend, 100, async () => {
      const answer = await http.call("GET", "/api/v1/licenses", { token: admin });
      if (answer.body.items.length !== 50) throw new Error("the summary did not list 50 subscriptions");
    });

    progress("directory search latency: exact, prefix, substring, CJK substring");
    const searches = {
      exact: "u054321@adatum.com",
      prefix: "Person 0543",
      substring: "rson 05432",
      cjkSubstring: `美${String.fromCharCode(19968 + 40, 20000 + 40)}`,
    };
    const search: Record<string, unknown> = {};
    for (const [kind, q] of Object.entries(searches)) {
      // Steady state, as for every figure: the query's first calls prepare it in the database.
      for (let i = 0; i < 5; i++) await http.call("GET", `/api/v1/directory/search?q=${encodeURIComponent(q)}&limit=20`, { token: admin });
      search[kind] = await latency(backend, 50, () =>
        http.call("GET", `/api/v1/directory/search?q=${encodeURIComponent(q)}&limit=20`, { token: admin }),
      );
    }
    results.search = search;

    progress("single-user assignment: latency, and requests per second at concurrency 1, 8 and 32");
    const lean = leanClient(backend.url);
    let nextUser = bench.firstFreeUser;
    const assignOne = async (i: number) => {
      const answer = await lean("POST", `/api/v1/licenses/${bench.assignSubscription}/assign`, {
        token: tokens[1 + (i % 32)],
        body: { principals: [{ type: "user", id: bench.user(nextUser++) }] },
      });
      if (answer.status !== 200) throw new Error(`assign answered ${answer.status}: ${answer.text}`);
    };
    const assign: Record<string, unknown> = {};
    for (const [concurrency, count] of [
      [1, 100],
      [8, 400],
      [32, 800],
    ] as const) {
      assign[`c${concurrency}`] = await throughput(backend, count, concurrency, assignOne);
    }
    results.assign = assign;
    // The floors under it, at concurrency 32: a request that reaches no route (nothing but the
    // wrangler dev stack), the cheapest authenticated one (rate limit, token, one read), and the
    // cheapest write (the local sign-in: rate limit, one read, one single-row insert; its budget
    // is the client address's, 1,200 a minute, so 200 a run).
    const signIn = async () => {
      const answer = await lean("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName: bench.admin } });
      if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.text}`);
    };
    results.floors = {
      notFound: await throughput(backend, 800, 32, () => lean("GET", "/nothing-here")),
      me: await throughput(backend, 800, 32, (i) => lean("GET", "/api/v1/me", { token: tokens[1 + (i % 32)] })),
      signIn: await throughput(backend, 200, 32, signIn),
    };
    // GET /api/v1/me with an Entra ID access token (of the local stand-in) beside a local session
    // token, for the same admin: the key set is cached, so the token costs its signature check.
    const megan = await Promise.all(Array.from({ length: 32 }, () => http.token("megan@contoso.com")));
    const meganEntra = await Promise.all(
      Array.from({ length: 32 }, (_, i) => backend.entra!.tokenFor("megan@contoso.com", { jti: `bench-${i}` })),
    );
    for (const token of meganEntra) await lean("GET", "/api/v1/me", { token }); // links her account; fetches the keys
    results.me = {
      local: await throughput(backend, 800, 32, (i) => lean("GET", "/api/v1/me", { token: megan[i % 32] })),
      entra: await throughput(backend, 800, 32, (i) => lean("GET", "/api/v1/me", { token: meganEntra[i % 32] })),
    };
    // And the disk's: every change is committed durably, which flushes the disk.
    results.durableCommitMs = round(durableCommitMs(300), 2);

    progress("the 50,000-member group: assign, then unassign with 5,000 waiting users refilled");
    const vendor = demoVendorKey("northwind"); // sub_adatum_01 is a Northwind Notes plan
    await http.call("PUT", `/vendor/v1/subscriptions/${bench.bigSubscription}`, { token: vendor, body: { quantity: 50_000 } });
    const post = (verb: string, group: string) =>
      http.call("POST", `/api/v1/licenses/${bench.bigSubscription}/${verb}`, {
        token: admin,
        body: { principals: [{ type: "group", id: group }] },
      });
    // The floor is the tenant store's own schema: every index and trigger its rows are written with.
    const migrations = storeMigrations.map((migration) => migration.sql);
    const memory = sampleMemory(backend.processGroup!);
    const assignMs: number[] = [];
    const unassignMs: number[] = [];
    const limitMs: number[] = [];
    const copyLimitMs: number[] = [];
    const bigGroupUsers = Array.from({ length: 50_000 }, (_, i) => bench.user(i + 1));
    const adatumStore = storeFiles(backend.persist).get("adatum")!;
    for (let r = 0; r < runs; r++) {
      // The limits are measured within each round, so both sides see the machine in the same state:
      // the same 50,000 licenses into the store's schema, empty, and into a copy of Adatum's store.
      limitMs.push(sqliteLimitMs(migrations, 50_000));
      copyLimitMs.push(
        await sqliteLimitOnCopyMs(adatumStore, { subscriptionId: bench.bigSubscription, userIds: bigGroupUsers, memberships: false }),
      );
      let t = performance.now();
      const assigned = await post("assign", bench.bigGroup);
      assignMs.push(performance.now() - t);
      if (assigned.body.newlyLicensedUsers !== 50_000) throw new Error(`the big group gave ${JSON.stringify(assigned.body).slice(0, 300)}`);
      const queued = await post("assign", bench.waitingGroup);
      if (queued.body.newlyWaitingUsers !== 5_000) throw new Error(`the waiting crowd: ${JSON.stringify(queued.body).slice(0, 300)}`);
      t = performance.now();
      const released = await post("unassign", bench.bigGroup);
      unassignMs.push(performance.now() - t);
      if (released.body.releasedSeats !== 50_000 || released.body.filledFromWaiting !== 5_000)
        throw new Error(`unassign: ${JSON.stringify(released.body).slice(0, 300)}`);
      await post("unassign", bench.waitingGroup);
    }
    const peakMemoryMiB = memory.stop();
    results.group = {
      assignMs: round(median(assignMs)),
      unassignWithRefillMs: round(median(unassignMs)),
      nodeSqliteLimitMs: round(median(limitMs)),
      assignRatio: round(median(assignMs) / median(limitMs), 2),
      unassignRatio: round(median(unassignMs) / median(limitMs), 2),
      copyLimitMs: round(median(copyLimitMs)),
      assignCopyRatio: round(median(assignMs) / median(copyLimitMs), 2),
      unassignCopyRatio: round(median(unassignMs) / median(copyLimitMs), 2),
    };
    results.workerPeakMemoryMiB = peakMemoryMiB;

    progress("CSV import of 5,000 rows, as the popup does it: the preview, then assignment 500 a request");
    results.csvImport = await csvImport(http, admin);

    progress("directory sync by SCIM: 100,000 users and 2,000 groups at concurrency 8; a PATCH adding 1,000 members");
    results.scim = await scimSync(backend, migrations, runs);

    progress("the popup: bytes shipped, and time to the summary with and without the cache, in Chromium and Firefox");
    results.popup = { ...popupBytes(), apps: 50, ...(await popupTimings(backend, 50, Math.max(5, runs))) };
    results.firefoxPopup = await firefoxPopupTimings(backend, 50, Math.max(5, runs));
    delete (results.popup as { files?: unknown }).files;
  } finally {
    await backend.dispose();
  }

  progress("Contoso alone, then beside 1,000,000 users of 100 other tenants; the first request to a store asleep; the outbox");
  results.scale = await tenantAtScale({ port: backend.port - 1, runs, log: (line) => console.log(line) });

  progress("writing test/bench/results.json and BENCHMARKS.md");
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    runs,
  };
  // The D1 design's figures of this session, from npm run bench:baseline (test/bench/baseline.ts).
  const d1Design = existsSync(d1DesignFigures) ? JSON.parse(readFileSync(d1DesignFigures, "utf8")) : undefined;
  const report = { machine, results, ...(d1Design ? { d1Design } : {}) };
  writeFileSync(join(root, "test/bench/results.json"), `${JSON.stringify(report, null, 2)}\n`);
  const table = writeReport(join(root, "BENCHMARKS.md"), report);
  console.log(`\n${table}`);
}

await main();
