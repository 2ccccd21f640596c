/**
 * `npm run bench:popup`: the popup's part of the benchmark alone (test/bench/run.ts runs it with
 * everything else): its bytes, and its time to the summary in Chromium and Firefox, each beside its
 * own floor, on the large tenant's 50 apps. Prints the figures; writes nothing.
 */
import { createHash } from "node:crypto";
import { Backend } from "../support/backend.ts";
import { firefoxPopupTimings, popupBytes, popupTimings } from "./popup.ts";
import { bench, largeTenantSql } from "./seed.ts";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const backend = new Backend(Number(process.env.BENCH_PORT ?? 8798), { quiet: true });
try {
  await backend.start(largeTenantSql(createHash("sha256").update(bench.syncToken).digest("hex")));
  const { files: _files, ...bytes } = popupBytes();
  const chromium = await popupTimings(backend, 50, runs);
  const firefox = await firefoxPopupTimings(backend, 50, runs);
  console.log(JSON.stringify({ bytes, chromium, firefox }, null, 2));
} finally {
  await backend.dispose();
}
