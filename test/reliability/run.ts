/**
 * npm run test:reliability — AppSeats under load, faults and hostile input, against a real
 * `wrangler dev` on 127.0.0.1 with its local D1 and tenant stores. `--short` is the form `npm test` runs.
 * Prints one line per figure and ends with `N passed, N failed`.
 */

import { Backend, Http } from "../support/backend.ts";
import { extraSeed } from "./data.ts";
import { Checks, figure, figures } from "./harness.ts";
import { checkInvariants } from "./invariants.ts";
import { accessMatrix } from "./scenarios/access.ts";
import { crash } from "./scenarios/crash.ts";
import { hostileInput } from "./scenarios/hostile.ts";
import { idempotency } from "./scenarios/idempotency.ts";
import { tenantsApart } from "./scenarios/isolation.ts";
import { limits } from "./scenarios/limits.ts";
import { seatRace } from "./scenarios/race.ts";
import { webhooks } from "./scenarios/webhooks.ts";

const accounts = {
  megan: "megan@contoso.com",
  lidia: "lidia@contoso.com",
  alex: "alex@contoso.com",
  ben: "ben@contoso.com",
  grady: "grady@contoso.com",
  pradeep: "pradeep@fabrikam.com",
} as const;
type Tokens = Record<keyof typeof accounts, string>;

export interface Suite {
  backend: Backend;
  http: Http;
  checks: Checks;
  tokens: Tokens;
  short: boolean;
  /** Runs the invariant checker and counts it as a check. */
  invariants(label: string, tokens?: Tokens): Promise<void>;
  /** Fresh tokens for every demo admin (after a restart, say). */
  signInAll(): Promise<{ tokens: Tokens }>;
  /** Subscriptions a vendor may have lowered below assigned, where being over is allowed (R8). */
  lowered: Set<string>;
}

async function main() {
  const short = process.argv.includes("--short");
  const port = Number(process.env.RELIABILITY_PORT ?? 8789);
  const backend = new Backend(port);
  const http = new Http(backend);
  const checks = new Checks();
  let violations = 0;
  let largestOver = 0;
  const started = Date.now();
  console.log(`AppSeats reliability suite (${short ? "short" : "full"}), worker on ${backend.url}`);
  try {
    await backend.start(extraSeed());
    const signInAll = async () => {
      const entries = await Promise.all(Object.entries(accounts).map(async ([name, upn]) => [name, await http.token(upn)] as const));
      return { tokens: Object.fromEntries(entries) as Tokens };
    };
    const suite: Suite = {
      backend,
      http,
      checks,
      tokens: (await signInAll()).tokens,
      short,
      lowered: new Set(),
      signInAll,
      async invariants(label, tokens = suite.tokens) {
        const report = await checkInvariants(backend, http, { contoso: tokens.megan, fabrikam: tokens.pradeep }, suite.lowered);
        violations += report.violations.length;
        largestOver = Math.max(largestOver, report.largestOverAssignment);
        checks.check(`${label}: invariants hold`, report.violations.length === 0, report.violations.slice(0, 5));
        checks.check(`${label}: no admin action over-assigned`, report.largestOverAssignment <= 0, report.largestOverAssignment);
      },
    };

    await seatRace(suite);
    await idempotency(suite);
    await tenantsApart(suite);
    const matrix = await accessMatrix(suite);
    figure("access matrix cells", matrix.cells);
    // Hostile vendor requests may lower Northwind's quantity: being over is then allowed (R8).
    suite.lowered.add("sub_contoso_northwind_notes").add("sub_fabrikam_northwind_notes");
    await hostileInput(suite);
    await crash(suite);
    await webhooks(suite);
    await limits(suite);
    checks.equal("security headers on every response", http.missingHeaders.slice(0, 5), []);
    checks.equal("no 5xx in the whole run", http.serverErrors.slice(0, 5), []);
  } catch (error) {
    checks.check("the suite ran to the end", false, String((error as Error)?.stack ?? error));
  } finally {
    await backend.dispose();
  }

  figure("requests sent", http.sent);
  figure("5xx seen", http.serverErrors.length);
  figure("invariant violations", violations);
  figure("largest over-assignment", Math.max(0, largestOver));
  figure("crash restarts survived", backend.restarts);
  figure("seconds", Math.round((Date.now() - started) / 1000));
  console.log("");
  for (const [name, value] of Object.entries(figures)) console.log(`figure: ${name}: ${value}`);
  console.log(`${checks.passed} passed, ${checks.failed.length} failed`);
  process.exitCode = checks.failed.length > 0 ? 1 : 0;
}

await main();
