// npm run move-to-stores: moves a deployment of the D1 design (every tenant's rows in the one D1
// database) into the tenants' stores, through the worker's operator routes (/ops/v1/move), a chunk
// at a time. Resumable: stopped anywhere, run it again and it goes on where it was; a chunk copied
// twice changes nothing. When a tenant's tables are copied, its rows are counted in D1 and in its
// store, and printed; a store holding fewer rows than D1 stops the move with exit code 1.
//
//   OPERATOR_TOKEN=… npm run move-to-stores -- --url https://appseats.example.workers.dev
//   npm run move-to-stores                      (the local worker of npm start, on 127.0.0.1:8787)
//   … -- --retire   once every tenant is moved and verified: D1's old tenant tables are dropped
import { parseArgs } from "node:util";

/** The operator token of local runs (npm start and the tests set it on the local worker). */
export const localOperatorToken = "dev-operator-local";

interface Step {
  tenantId: string | null;
  table: string | null;
  rows: number;
  verified?: { tenantId: string; counts: Record<string, { d1: number; store: number }>; ok: boolean };
  tenantsLeft: number;
  done: boolean;
}

/** Runs the move to its end; answers each tenant's verified counts. Throws when a store holds fewer rows than D1. */
export async function moveToStores(url: string, token: string, log: (line: string) => void = () => {}, limit = 2_000) {
  const verified: NonNullable<Step["verified"]>[] = [];
  for (;;) {
    const answer = await fetch(`${url}/ops/v1/move`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ limit }),
    });
    if (!answer.ok) throw new Error(`The move stopped: ${answer.status} ${await answer.text()}`);
    const step = (await answer.json()) as Step;
    if (step.done) return verified;
    if (step.table) log(`${step.tenantId}: ${step.table} +${step.rows}`);
    if (step.verified) {
      verified.push(step.verified);
      const mismatched = Object.entries(step.verified.counts).filter(([, c]) => c.store < c.d1);
      log(`${step.verified.tenantId}: ${step.verified.ok ? "moved" : "NOT moved"}, ${countsLine(step.verified.counts)}`);
      if (!step.verified.ok) {
        throw new Error(
          `${step.verified.tenantId}'s store holds fewer rows than D1: ${mismatched.map(([t, c]) => `${t} ${c.store}/${c.d1}`).join(", ")}`,
        );
      }
    }
  }
}

/** Drops D1's old tenant tables once every tenant is moved; refused while one is not. */
export async function retireTenantTables(url: string, token: string): Promise<void> {
  const answer = await fetch(`${url}/ops/v1/move/retire`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`Retiring D1's tenant tables failed: ${answer.status} ${await answer.text()}`);
  const { retired, tenantsLeft } = (await answer.json()) as { retired: boolean; tenantsLeft: number };
  if (!retired) throw new Error(`${tenantsLeft} tenant(s) are not moved yet: D1's tenant tables are kept. Run the move first.`);
}

const countsLine = (counts: Record<string, { d1: number; store: number }>) =>
  Object.entries(counts)
    .filter(([, c]) => c.d1 > 0 || c.store > 0)
    .map(([table, c]) => `${table} ${c.d1}→${c.store}`)
    .join(", ");

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { url: { type: "string" }, limit: { type: "string" }, retire: { type: "boolean" } } });
  const url = (values.url ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(url);
  const token = process.env.OPERATOR_TOKEN ?? (loopback ? localOperatorToken : undefined);
  if (!token) {
    console.error("Set OPERATOR_TOKEN to the worker's operator token (wrangler secret put OPERATOR_TOKEN).");
    process.exit(1);
  }
  const started = Date.now();
  try {
    const tenants = await moveToStores(url, token, (line) => console.log(line), Number(values.limit ?? 2_000));
    console.log(`Moved ${tenants.length} tenant(s) in ${((Date.now() - started) / 1000).toFixed(1)} s; every store holds what D1 held.`);
    if (values.retire) {
      await retireTenantTables(url, token);
      console.log("D1's old tenant tables are dropped: D1 holds the control plane alone.");
    }
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(1);
  }
}
