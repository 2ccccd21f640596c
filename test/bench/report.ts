/** The benchmark's table: each figure beside its target and what bounds it; printed and written to BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { keptWebhookSection } from "./webhooks.ts";

interface Row {
  figure: string;
  value: string;
  target: string;
  met: boolean | null;
  bound: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const pct = (share: number) => `${Math.round(share * 100)}%`;
/** Requests a second that one thread allows at this much of the runtime's CPU per request. */
const threadCeiling = (run: { runtimeCpuMsPerRequest: number }) => Math.round(1000 / run.runtimeCpuMsPerRequest);
const cpuPair = (run: { cpuMsPerRequest: number; runtimeCpuMsPerRequest: number }) =>
  `${run.cpuMsPerRequest} / ${run.runtimeCpuMsPerRequest}`;

export function rowsOf(r: any, cores: number): Row[] {
  const s = r.search;
  return [
    {
      figure: "License summary (50 subscriptions), p50 / p95",
      value: `${r.summary.p50Ms} / ${r.summary.p95Ms} ms`,
      target: "p95 ≤ 50 ms",
      met: r.summary.p95Ms <= 50,
      bound:
        "One call to the tenant's store, one query there: each subscription's seat counts are two columns of its row, kept by triggers on licenses, so it grows with the tenant's subscriptions, not with the seats held, the directory, or the other tenants.",
    },
    {
      figure: "Search, exact user principal name, p50 / p95",
      value: `${s.exact.p50Ms} / ${s.exact.p95Ms} ms`,
      target: "p95 ≤ 30 ms",
      met: s.exact.p95Ms <= 30,
      bound:
        "The FTS5 trigram index of the tenant's users and groups, in its store, finds the candidate rows; ranking reads only those. No other tenant's row is in that index.",
    },
    {
      figure: "Search, prefix, p50 / p95",
      value: `${s.prefix.p50Ms} / ${s.prefix.p95Ms} ms`,
      target: "p95 ≤ 30 ms",
      met: s.prefix.p95Ms <= 30,
      bound: "The same index: a prefix is a substring to a trigram index.",
    },
    {
      figure: "Search, substring, p50 / p95",
      value: `${s.substring.p50Ms} / ${s.substring.p95Ms} ms`,
      target: "p95 ≤ 30 ms",
      met: s.substring.p95Ms <= 30,
      bound: "The same index; a B-tree could not serve a substring.",
    },
    {
      figure: "Search, CJK substring, p50 / p95",
      value: `${s.cjkSubstring.p50Ms} / ${s.cjkSubstring.p95Ms} ms`,
      target: "p95 ≤ 30 ms",
      met: s.cjkSubstring.p95Ms <= 30,
      bound: "The same index: trigrams need no word breaks, so three Chinese characters match inside a name.",
    },
    {
      figure: "Single assign, concurrency 1: req/s, p50 / p95",
      value: `${r.assign.c1.requestsPerSecond} req/s, ${r.assign.c1.p50Ms} / ${r.assign.c1.p95Ms} ms`,
      target: "",
      met: null,
      bound:
        "After the rate limit and the subscription's app from the catalog (remembered in the isolate for a minute), one call to the tenant's store (Workers RPC) carrying the whole operation: in one transactionSync it identifies the caller, checks that they may, reads the subscription, the principal, the status and the seats, decides, and writes the assignment, the license (whose trigger notes the seat for the vendor's webhook), the audit event, and two outbox entries: the seat counts for the vendor's list in D1, and the event `license.granted` for the vendor's webhook.",
    },
    {
      figure: "Single assign, concurrency 8: req/s",
      value: `${r.assign.c8.requestsPerSecond} req/s (p95 ${r.assign.c8.p95Ms} ms)`,
      target: "",
      met: null,
      bound: "The cores are nearly saturated already: see concurrency 32.",
    },
    {
      figure: "Single assign, concurrency 32: req/s",
      value: `${r.assign.c32.requestsPerSecond} req/s (p95 ${r.assign.c32.p95Ms} ms)`,
      target: "≥ 300 req/s",
      met: r.assign.c32.requestsPerSecond >= 300,
      bound: `One thread: workerd runs the worker, the rate limiter, the tenant's store and the local D1 on its main thread, which was ${pct(r.assign.c32.runtimeMainThreadBusyShare)} busy; each assign took ${r.assign.c32.runtimeCpuMsPerRequest} ms of the runtime's CPU, so it allows about ${threadCeiling(r.assign.c32)} a second. The ${cores} cores were ${pct(r.assign.c32.coresBusyShare)} busy (${pct(r.assign.c32.stealShare)} stolen by other guests of the host).`,
    },
    {
      figure: "CPU per request at concurrency 32 (machine / worker's runtime): no route, GET /me, sign-in, assign",
      value: `${cpuPair(r.floors.notFound)}, ${cpuPair(r.floors.me)}, ${cpuPair(r.floors.signIn)}, ${cpuPair(r.assign.c32)} ms`,
      target: "",
      met: null,
      bound:
        "CPU time of every process on the machine, and of the workerd process that runs the worker, its stores and its local D1, divided by the requests served.",
    },
    {
      figure: "Write calls per request by the worker's runtime at concurrency 32: no route, GET /me, sign-in, assign",
      value: `${[r.floors.notFound, r.floors.me, r.floors.signIn, r.assign.c32].map((run) => run.runtimeWriteCallsPerRequest).join(", ")}`,
      target: "",
      met: null,
      bound:
        "From /proc: writes to its sockets (the request and the calls between the worker and the local rate limiter, the stores and D1) and to the databases' files, where a commit writes each changed page to the log with a call of its own.",
    },
    {
      figure: "Floor: a request that reaches no route, concurrency 32",
      value: `${r.floors.notFound.requestsPerSecond} req/s (cores ${pct(r.floors.notFound.coresBusyShare)} busy)`,
      target: "",
      met: null,
      bound: `wrangler dev's own path: its proxy runtime, then the worker's runtime, and back; no database. Runtime main thread ${pct(r.floors.notFound.runtimeMainThreadBusyShare)} busy.`,
    },
    {
      figure: "Floor: GET /api/v1/me, concurrency 32",
      value: `${r.floors.me.requestsPerSecond} req/s (cores ${pct(r.floors.me.coresBusyShare)} busy)`,
      target: "",
      met: null,
      bound: `The cheapest authenticated request: rate limit (locally a Durable Object that writes its counter to its own SQLite on every request), then one call to the tenant's store (named by the token), which checks the token and reads the user. Runtime main thread ${pct(r.floors.me.runtimeMainThreadBusyShare)} busy, so it allows about ${threadCeiling(r.floors.me)} a second.`,
    },
    {
      figure: "GET /api/v1/me, concurrency 32: Entra ID token / local session token",
      value: `${r.me.entra.requestsPerSecond} / ${r.me.local.requestsPerSecond} req/s (${round2(r.me.entra.requestsPerSecond / r.me.local.requestsPerSecond)}×)`,
      target: "≥ 0.9×",
      met: r.me.entra.requestsPerSecond >= 0.9 * r.me.local.requestsPerSecond,
      bound: `The same admin (Megan Bowen, Contoso) both ways. An Entra ID token is checked in the worker: its RS256 signature against the authority's key set, cached in the isolate (no network per request); its tenant by tid from the control plane (cached in the isolate), then one call to the store finds the user; a local session token names its tenant, and the store reads its hash. Runtime CPU per request: ${r.me.entra.runtimeCpuMsPerRequest} / ${r.me.local.runtimeCpuMsPerRequest} ms.`,
    },
    {
      figure: "SCIM initial sync: users created, concurrency 8",
      value: `${r.scim.users.requestsPerSecond} req/s (${round2(r.scim.users.requestsPerSecond / r.floors.signIn.requestsPerSecond)}× the cheapest write)`,
      target: "≥ 0.7× the cheapest write",
      met: r.scim.users.requestsPerSecond >= 0.7 * r.floors.signIn.requestsPerSecond,
      bound:
        "Each POST /scim/v2/Users: rate limit, the token's tenant from the control plane's routing index (cached in the isolate), then one call to the tenant's store: in one transaction the token checked, a deleted holder's name freed, the user inserted, its search index row and its audit event.",
    },
    {
      figure: "SCIM initial sync in all: 100,000 users, then 2,000 groups given 50 members each",
      value: `${r.scim.totalSeconds} s (groups: ${r.scim.groups.requestsPerSecond} req/s)`,
      target: "< 600 s",
      met: r.scim.totalSeconds < 600,
      bound:
        "As a directory sends it, at concurrency 8: a POST per user, then a POST per group and one PATCH adding its members; each change its own transaction in the tenant's store.",
    },
    {
      figure: "SCIM PATCH adding 1,000 members to a licensed group",
      value: `${r.scim.patch1000Ms} ms (${r.scim.patch1000Ratio}× node:sqlite's ${r.scim.patch1000LimitMs} ms on the same database; ${r.scim.patch1000EmptySchemaLimitMs} ms on an empty one)`,
      target: "≤ 5× node:sqlite",
      met: r.scim.patch1000Ratio <= 5,
      bound:
        "Set-based, in one transaction of the tenant's store: the group and every member checked, the audit, the 1,000 memberships and their licenses (seats while they last, then waiting). The limit writes the same rows, the same 1,000 memberships and licenses for the same user ids, with node:sqlite in one transaction, on a copy (SQLite's backup) of the tenant's store file taken just before: on 200,000 users, random ids touch a page of every index for each row, which the same rows on an empty schema (the second figure) do not show. The PATCH also checks the members, audits, and crosses HTTP.",
    },
    {
      figure: "Floor: the cheapest write (local sign-in), concurrency 32",
      value: `${r.floors.signIn.requestsPerSecond} req/s (cores ${pct(r.floors.signIn.coresBusyShare)} busy)`,
      target: "",
      met: null,
      bound: `POST /api/v1/dev/sign-in: rate limit, the tenant of the name's domain from the control plane (cached), then one call to its store: one read, one single-row insert, the least any change does. Runtime main thread ${pct(r.floors.signIn.runtimeMainThreadBusyShare)} busy, so it allows about ${threadCeiling(r.floors.signIn)} a second.`,
    },
    {
      figure: "Floor: a durable commit on this disk",
      value: `${r.durableCommitMs} ms`,
      target: "",
      met: null,
      bound:
        "node:sqlite, one single-row transaction in WAL mode with synchronous = FULL, which flushes the log to the disk at every commit as the local stores and D1 do; the median of 300. The thread that commits waits for the disk meanwhile.",
    },
    {
      figure: "50,000-member group assigned",
      value: `${r.group.assignMs} ms (${r.group.assignRatio}× the limit${r.group.copyLimitMs ? `; ${r.group.assignCopyRatio}× on a copy of the store` : ""})`,
      target: "≤ 1.5× node:sqlite",
      met: r.group.assignRatio <= 1.5,
      bound: `One INSERT … SELECT in the store's transaction, from the memberships straight to the licenses in membership order (a window numbers the seats); the licenses' trigger notes each seat given, and before the commit the notes become 50 events of 1,000 users for the vendor's webhook, each a range of notes read in order. The limit is the same 50,000 rows into the store's schema with node:sqlite in one transaction: ${r.group.nodeSqliteLimitMs} ms on an empty one${r.group.copyLimitMs ? `, ${r.group.copyLimitMs} ms on a copy of Adatum's store taken just before (100,000 users, 12,000 licenses: the same rows land in larger indexes)` : ""}.`,
    },
    {
      figure: "…unassigned, 5,000 waiting refilled",
      value: `${r.group.unassignWithRefillMs} ms (${r.group.unassignRatio}× the limit${r.group.copyLimitMs ? `; ${r.group.unassignCopyRatio}× on a copy` : ""})`,
      target: "≤ 2× node:sqlite",
      met: r.group.unassignRatio <= 2,
      bound:
        "One DELETE of the seats no path holds any more (the released seats counted, not returned), then one UPDATE giving the first 5,000 waiting their seats in queue order, audited by name; the limits are those above.",
    },
    {
      figure: "Worker peak memory during the group runs",
      value: `${r.workerPeakMemoryMiB} MiB`,
      target: "",
      met: null,
      bound: "workerd's resident set: set-based SQL keeps the 50,000 rows in the database, not in the worker.",
    },
    ...(r.csvImport
      ? [
          {
            figure: `CSV import of ${r.csvImport.rows.toLocaleString("en")} rows: preview`,
            value: `${r.csvImport.previewMs} ms`,
            target: "",
            met: null,
            bound:
              "POST …/import/preview: one call to the store, where one statement resolves every row (user principal name or e-mail, without case) against the tenant's users and the license's holders, and counts the seats; the answer lists each row.",
          },
          {
            figure: `…assigning its ${r.csvImport.assigned.toLocaleString("en")} new users, ${r.csvImport.assignRequests} requests of up to 500`,
            value: `${r.csvImport.assignMs} ms (${round2(r.csvImport.assignMs / r.csvImport.assigned)} ms a user), result ${r.csvImport.resultMs} ms`,
            target: "",
            met: null,
            bound:
              "As the popup sends them, one after another: each request one transaction in the store (the checks, the assignments, licenses and audit event for up to 500 users). The result is the preview asked again, which tells each row's seat.",
          },
        ]
      : []),
    {
      figure: "Popup scripts and styles, gzipped",
      value: `${r.popup.totalGzipBytes} B (JS ${r.popup.jsGzipBytes}, CSS ${r.popup.cssGzipBytes})`,
      target: "≤ 30 KB",
      met: r.popup.totalGzipBytes <= 30_000,
      bound: "Preact, webextension-polyfill and the popup's own code; zod stays out (types only).",
    },
    {
      figure: "Popup to summary shown, with cache",
      value: `${r.popup.withCacheMs} ms (first view in ${r.popup.withCacheFirstViews} of ${r.popup.withCacheRuns.length} openings)`,
      target: "≤ 100 ms",
      met: r.popup.withCacheMs <= 100,
      bound: `The toolbar popup, opened as a click on the extension's button opens it (chrome.action.openPopup), from its navigation start to its summary on screen: the popup's mark (median ${r.popup.withCacheMarkMs} ms), or the end of its page's load event if later, since Chromium shows a popup only once its page has loaded. Chromium's floor: an empty page of the same extension, whose one-line script sets the same mark, opened as the popup between the popup's openings, is on screen at ${r.popup.floorMs} ms (median). ${r.popup.withCacheMs > r.popup.floorMs ? `The ${round1(r.popup.withCacheMs - r.popup.floorMs)} ms above it are the popup's first view:` : "The popup showed it no later, with its first view:"} a small classic script (src/entrypoints/popup/first-view.ts) reads the last view from localStorage and puts back the summary as the popup last drew it, ${r.popup.apps} apps; Preact and the rest of the popup run after that is painted, and the page does not load them before (preloaded, they held back the first view by 11 ms).`,
    },
    {
      figure: "Chromium's floor for an extension's popup",
      value: `${r.popup.floorMs} ms`,
      target: "",
      met: null,
      bound:
        "The empty page above, opened as the popup: the extension's renderer making a document, fetching one line of script from the browser process and running it, to the end of its load event.",
    },
    {
      figure: "Preact's floor: the summary alone from the last view",
      value: `${r.popup.summaryOnlyMs} ms`,
      target: "",
      met: null,
      bound: `extension/bench/summary-only.tsx, opened as the popup in turn with the popup and the empty page: Preact and the popup's own Summary component rendering the ${r.popup.apps} apps of the last view, in one script, and nothing else. What the popup would take if Preact drew its first view.`,
    },
    {
      figure: "Popup to summary shown, without cache",
      value: `${r.popup.withoutCacheMs} ms`,
      target: "",
      met: null,
      bound: "The same plus one GET /api/v1/licenses; the page has loaded long before.",
    },
    {
      figure: "The popup and the empty page opened in a tab instead, with cache",
      value: `${r.popup.inTabMs} / ${r.popup.floorInTabMs} ms`,
      target: "",
      met: null,
      bound:
        "To the mark (a tab shows its page as it is drawn). How earlier runs measured it, and how the end-to-end tests open the popup: Playwright opens a new tab (about:blank, in a renderer of its own), then navigates it to the page, which moves it into the extension's renderer; meanwhile the browser process tears the blank page down, and Playwright makes a script world of its own in the new document. In one traced opening of each, the popup's one script took 46 ms to arrive from the browser process in the tab against 12 ms as the popup, and the document's script contexts 21 ms against 4 ms. None of that happens when the button is clicked.",
    },
    ...(r.firefoxPopup
      ? [
          {
            figure: "Firefox: the popup and the empty page opened in a tab, with cache",
            value: `${r.firefoxPopup.inTabMs} / ${r.firefoxPopup.floorInTabMs} ms (first view in ${r.firefoxPopup.firstViews} of ${r.firefoxPopup.inTabRuns.length} openings)`,
            target: "",
            met: null,
            bound: `Debian's firefox-esr, headless, driven over WebDriver BiDi (puppeteer-core), the Firefox build of the extension opened in a tab the size of the popup, as the Firefox journeys open it, from navigation start to the same mark; beside it, Firefox's own floor, the same empty page of the extension, opened in turn. The ${round1(r.firefoxPopup.inTabMs - r.firefoxPopup.floorInTabMs)} ms above that floor are the popup's first view and the rest of its page, against ${round1(r.popup.inTabMs - r.popup.floorInTabMs)} ms in Chromium's tab (the row above). The toolbar popup itself is measured in Chromium only; in a tab, the two browsers are measured the same way.`,
          },
        ]
      : []),
  ];
}

interface AbRow {
  figure: string;
  d1: string;
  stores: string;
  target: string;
  met: boolean | null;
}

const p95Pair = (f: { alone: any; crowded: any }, pick: (side: any) => { p95Ms: number }) =>
  `${pick(f.alone).p95Ms} → ${pick(f.crowded).p95Ms} ms (${round2(pick(f.crowded).p95Ms / pick(f.alone).p95Ms)}×)`;

/**
 * The D1 design (a worktree of its last commit, measured in the same session by npm run
 * bench:baseline) beside the tenant stores: the same scenarios, the same machine.
 */
export function abRowsOf(stores: any, d1: any | undefined): AbRow[] {
  const none = "not measured";
  const scale = (pick: (side: any) => { p95Ms: number }, name: string): AbRow => ({
    figure: `Contoso's ${name}, p95: alone → beside ${stores.scale.otherUsers.toLocaleString("en")} users of ${stores.scale.otherTenants} other tenants`,
    d1: d1?.scale ? p95Pair(d1.scale, pick) : none,
    stores: p95Pair(stores.scale, pick),
    target: "≤ 1.2×",
    met: pick(stores.scale.crowded).p95Ms <= 1.2 * pick(stores.scale.alone).p95Ms,
  });
  const c32 = (r: any) => `${r.assign.c32.requestsPerSecond} req/s (cheapest write ${r.floors.signIn.requestsPerSecond})`;
  const onCopy = (r: any, ratio: number) => (r.group.copyLimitMs ? `; ${ratio}× its ${r.group.copyLimitMs} ms on a copy of the store` : "");
  const group = (r: any) =>
    `${r.group.assignMs} ms (${r.group.assignRatio}× node:sqlite's ${r.group.nodeSqliteLimitMs} ms${onCopy(r, r.group.assignCopyRatio)})`;
  const ungroup = (r: any) => `${r.group.unassignWithRefillMs} ms (${r.group.unassignRatio}×${onCopy(r, r.group.unassignCopyRatio)})`;
  const sync = (r: any) => `${r.scim.totalSeconds} s (users ${r.scim.users.seconds} s, groups ${r.scim.groups.seconds} s)`;
  const wake = (f: any) =>
    `Contoso ${f.firstRequest.contoso.asleepMs} ms asleep / ${f.firstRequest.contoso.awakeMs} ms awake${
      f.firstRequest.other ? `; a 10,000-user tenant ${f.firstRequest.other.asleepMs} / ${f.firstRequest.other.awakeMs} ms` : ""
    }`;
  return [
    scale((f) => f.summary, "license summary"),
    scale((f) => f.search.exact, "exact search"),
    scale((f) => f.search.prefix, "prefix search"),
    scale((f) => f.search.substring, "substring search"),
    scale((f) => f.assign, "single assign"),
    {
      figure: "Single assign, concurrency 32",
      d1: d1 ? c32(d1) : none,
      stores: `${c32(stores)}${d1 ? `; ${round2(stores.assign.c32.requestsPerSecond / d1.assign.c32.requestsPerSecond)}× the D1 design` : ""}`,
      target: "≥ 1.5× the D1 design, ≥ the cheapest write",
      met:
        d1 !== undefined &&
        stores.assign.c32.requestsPerSecond >= 1.5 * d1.assign.c32.requestsPerSecond &&
        stores.assign.c32.requestsPerSecond >= stores.floors.signIn.requestsPerSecond,
    },
    {
      figure: "50,000-member group assigned",
      d1: d1 ? group(d1) : none,
      stores: group(stores),
      target: "≤ 1.5× node:sqlite",
      met: stores.group.assignRatio <= 1.5,
    },
    {
      figure: "…unassigned, 5,000 waiting refilled",
      d1: d1 ? ungroup(d1) : none,
      stores: ungroup(stores),
      target: "≤ 2× node:sqlite",
      met: stores.group.unassignRatio <= 2,
    },
    {
      figure: "SCIM initial sync: 100,000 users, then 2,000 groups of 50",
      d1: d1 ? sync(d1) : none,
      stores: sync(stores),
      target: "< 200 s",
      met: stores.scim.totalSeconds < 200,
    },
    {
      figure: "The first request to a tenant asleep (a local sign-in, the worker just restarted), against the same awake",
      d1: d1?.scale ? wake(d1.scale.crowded) : none,
      stores: wake(stores.scale.crowded),
      target: "",
      met: null,
    },
    {
      figure: "From an assign's answer to the vendor's list showing it, p50 / p95",
      d1: d1?.scale ? `${d1.scale.crowded.outbox.p50Ms} / ${d1.scale.crowded.outbox.p95Ms} ms` : none,
      stores: `${stores.scale.crowded.outbox.p50Ms} / ${stores.scale.crowded.outbox.p95Ms} ms`,
      target: "",
      met: null,
    },
    {
      figure: "Worker peak memory during the group runs",
      d1: d1 ? `${d1.workerPeakMemoryMiB} MiB` : none,
      stores: `${stores.workerPeakMemoryMiB} MiB`,
      target: "",
      met: null,
    },
  ];
}

/** For each target missed, the measurements of the same run (and of the D1 design's) that show why. */
function missedTargets(r: any, d1: any | undefined): string[] {
  const misses: string[] = [];
  const scale = r.scale;
  const slower = (["summary", "exact", "prefix", "substring", "assign"] as const).filter((kind) => scale.p95Ratios[kind] > 1.2);
  if (slower.length > 0) {
    const pick = (side: any, kind: string) => (kind === "summary" || kind === "assign" ? side[kind] : side.search[kind]);
    const line = (kind: string) =>
      `${kind}: p95 ${pick(scale.alone, kind).p95Ms} → ${pick(scale.crowded, kind).p95Ms} ms, p50 ${pick(scale.alone, kind).p50Ms} → ${pick(scale.crowded, kind).p50Ms} ms`;
    misses.push(
      `**Contoso beside 1,000,000 users of other tenants (${slower.map(line).join("; ")}).** Nothing of the other tenants is read: Contoso's requests reach Contoso's store alone, whose file holds its 49 users whatever else exists, and the substring search that read every tenant's matches in the D1 design (${d1?.scale ? `${d1.scale.alone.search.substring.p95Ms} → ${d1.scale.crowded.search.substring.p95Ms} ms` : "20× slower"}) stays flat. What differs between the two runs is the machine: each setting has a worker of its own, started on its own database, and a p95 of about 10 ms moves by 2 ms between runs here${d1?.scale ? ` (the D1 design's own figures that read nothing of the other tenants moved by ${Math.round(Math.abs(1 - d1.scale.p95Ratios.summary) * 100)}% and ${Math.round(Math.abs(1 - d1.scale.p95Ratios.prefix) * 100)}% the other way: summary and prefix search)` : ""}.`,
    );
  }
  const assign = r.assign.c32;
  const signIn = r.floors.signIn;
  if (d1 && (assign.requestsPerSecond < 1.5 * d1.assign.c32.requestsPerSecond || assign.requestsPerSecond < signIn.requestsPerSecond)) {
    const old = d1.assign.c32;
    misses.push(
      `**Single assign at concurrency 32 (${assign.requestsPerSecond} req/s; the D1 design ${old.requestsPerSecond}; the cheapest write ${signIn.requestsPerSecond}).** Locally both designs run in one workerd process, and its main thread is the bound: it was ${pct(assign.runtimeMainThreadBusyShare)} busy, and each assign took ${assign.runtimeCpuMsPerRequest} ms of the runtime's CPU against the D1 design's ${old.runtimeCpuMsPerRequest} ms (its thread ${pct(old.runtimeMainThreadBusyShare)} busy). Local D1 is SQLite in the same process, so the D1 design's one batch costs what the store's transaction costs; the store design adds what production pays for elsewhere: the call from the worker to the store (Workers RPC, its arguments and answer serialized), and the outbox, whose alarm writes the new seat counts to D1 (a batch of up to 100 entries per delivery) on the same thread. In production a D1 query crosses the network to the database's one primary, shared by every tenant, while a store runs the change on the machine that holds the tenant's data; that difference cannot be measured on one machine. The cheapest write, a local sign-in (one read and one single-row insert in the store), reached ${signIn.requestsPerSecond} a second at ${signIn.runtimeCpuMsPerRequest} ms; the assign does more: its checks, the assignment, the license and its note, the audit event and two outbox entries (the vendor's list, the vendor's webhook event), each delivered to D1 by the store's alarm.${d1.floors.signIn.coresBusyShare > 0.95 ? ` (The D1 design's cheapest-write figure, ${d1.floors.signIn.requestsPerSecond} a second, was disturbed: the cores were ${pct(d1.floors.signIn.coresBusyShare)} busy, another process of this session running beside it.)` : ""}`,
    );
  }
  if (r.group.assignRatio > 1.5 || r.group.unassignRatio > 2) {
    misses.push(
      `**The 50,000-member group (assigned ${r.group.assignMs} ms, ${r.group.assignRatio}× the limit; unassigned with 5,000 refilled ${r.group.unassignWithRefillMs} ms, ${r.group.unassignRatio}×).** The limit of an empty schema, ${r.group.nodeSqliteLimitMs} ms, writes the 50,000 rows into indexes that hold nothing else. Into a copy of Adatum's store taken just before each run, node:sqlite needs ${r.group.copyLimitMs} ms for the same rows: against that, the assign is ${r.group.assignCopyRatio}× and the unassign ${r.group.unassignCopyRatio}×. What the assign adds to the rows' writing (the limit writes the licenses' trigger's notes too) is reading them: the members who hold no license yet, in membership order (a sort of 50,000 rows); turning the 50,000 notes into 50 webhook events, each user's id and name joined to its note; then the request, the audit event and the answer.`,
    );
  }
  if (r.scim.totalSeconds >= 200) {
    const atFloor = Math.round(100_000 / signIn.requestsPerSecond);
    misses.push(
      `**SCIM initial sync (${r.scim.totalSeconds} s${d1 ? `; the D1 design ${d1.scim.totalSeconds} s` : ""}, target 200 s).** A directory sends one request per user: 100,000 POSTs, at concurrency 8. Each is created at ${r.scim.users.requestsPerSecond} a second, ${round2(r.scim.users.requestsPerSecond / signIn.requestsPerSecond)}× the rate of the cheapest write this local stack allows (${signIn.requestsPerSecond} a second, at concurrency 32): 100,000 writes at that floor take ${atFloor} s before the first group. The bound is per request, not in the store: wrangler dev's proxy, the worker, the local rate limiter (a Durable Object that commits its count on every request) and the store's commit, on one thread; under 200 s would need 520 writes a second.`,
    );
  }
  const popup = r.popup;
  if (popup.withCacheMs > 100) {
    misses.push(
      `**Popup to summary shown, with cache (${popup.withCacheMs} ms, target 100).** An empty page of the same extension opened as the popup, whose only script is the line that sets the same mark, showed it at ${popup.floorMs} ms (median; from ${Math.min(...popup.floorRuns)} to ${Math.max(...popup.floorRuns)} ms over ${popup.floorRuns.length} openings between the popup's). ${popup.floorMs > 100 ? "So in this run the floor alone was over the target, in the median of its openings." : `That leaves ${round1(100 - popup.floorMs)} ms for the popup's first view.`} The first view, reading the last view from localStorage and putting back ${popup.apps} apps as last drawn, took ${round1(popup.withCacheMs - popup.floorMs)} ms above the floor.`,
    );
  }
  return misses;
}

export function writeReport(
  path: string,
  report: { machine: Record<string, unknown>; results: any; d1Design?: { commit: string; date: string; results: any } },
): string {
  const rows = rowsOf(report.results, Number(report.machine.cores));
  const abRows = abRowsOf(report.results, report.d1Design?.results);
  const abTable = [
    "| figure | D1 design | tenant stores | target | met |",
    "|---|---|---|---|---|",
    ...abRows.map(
      (row) => `| ${row.figure} | ${row.d1} | ${row.stores} | ${row.target} | ${row.met === null ? "" : row.met ? "yes" : "**no**"} |`,
    ),
  ].join("\n");
  const table = [
    "| figure | measured | target | met |",
    "|---|---|---|---|",
    ...rows.map((row) => `| ${row.figure} | ${row.value} | ${row.target} | ${row.met === null ? "" : row.met ? "yes" : "**no**"} |`),
  ].join("\n");
  const m = report.machine;
  const misses = missedTargets(report.results, report.d1Design?.results);
  const d1 = report.d1Design;
  // The webhooks' figures come from npm run bench:webhooks: kept as that run wrote them.
  const webhooks = existsSync(path) ? keptWebhookSection(readFileSync(path, "utf8")) : "";
  writeFileSync(
    path,
    `# Benchmarks

\`npm run bench\` seeds a large tenant (Adatum: 100,000 users, 2,000 groups, one group of 50,000
members, 50 subscriptions, about 12,000 licenses) the D1 design's way, moves it into its tenant
store (npm run move-to-stores), runs the worker under \`wrangler dev\`, and measures it. Each
figure is the median of ${m.runs} runs; latencies give p50 and p95. The numbers below were written
by the last run (also in \`test/bench/results.json\`).

\`wrangler dev\` runs quiet: \`--log-level warn\` and \`X_LOCAL_OBSERVABILITY=false\` turn off the
request log line (sent from the runtime to the wrangler process for every request) and the local
trace collector, two conveniences of local development that production does not have and that
cost CPU on every request. The load generator uses node:http with kept-alive connections: it
shares the two cores with what it measures.

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; ${m.date}.

## The D1 design beside the tenant stores

Every tenant's rows in one D1 database (the D1 design, commit ${d1?.commit ?? "2b3d5a8"}), against each
tenant in its own SQLite Durable Object with D1 as the control plane (DESIGN.md, "Tenancy and
scale"). \`npm run bench:baseline\` measures the D1 design in a worktree of its last commit, with
this benchmark's seed and scale scenario (test/bench/scale.ts); \`npm run bench\`, run after it in
the same session, measures the stores and writes both.${d1 ? ` The D1 design's run: ${d1.date}.` : " **This run had no D1 design's figures beside it.**"}

The scale scenario: Contoso (DEMO.md, 49 users) alone, and beside 1,000,000 users of 100 other
tenants whose names match the same searches (\`user\` matches every one of them), each tenant with
a subscription of 1,000 seats held. The two settings run side by side, each in a \`wrangler dev\` of
its own, and their runs alternate, so that a change in the machine's speed during the run falls
on both alike (measured one after the other, the same code gave ratios from 0.83× to 1.4× from one
run to the next). The p95s are of about 10 ms, so a ratio still moves by a tenth or two from run to
run: side by side, the tenant stores' single assign gave 1.23×, 0.95×, 1.02×, 1.28× and 0.84× in
five runs of 2026-12-06. The first request to a tenant asleep: the worker is restarted
(SIGKILL) after seeding and serves Fabrikam first, so only the tenant's own store wakes.

${abTable}

## The tenant stores

${table}

## What bounds each figure

${rows.map((row) => `- **${row.figure}**: ${row.bound}`).join("\n")}
${misses.length > 0 ? `\n## The targets missed, against their floors\n\n${misses.join("\n\n")}\n` : ""}${webhooks ? `\n${webhooks}\n` : ""}`,
  );
  return `${abTable}\n\n${table}`;
}
