/**
 * Limits: the unauthenticated flood (failed credentials count against their address), the rate
 * limit per token, the body limit, and CORS for the extension's origins only.
 */
import { randomBytes } from "node:crypto";
import { demoVendorKey } from "../../../worker/seed/demo.ts";
import { type Answer, Http } from "../../support/backend.ts";
import { figure } from "../harness.ts";
import type { Suite } from "../run.ts";

/** A well-shaped secret nobody was given: the prefix and 256 random bits. */
const randomSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

/**
 * One address sends many random admin tokens, vendor keys and provisioning tokens, 20 at a
 * time: past 100 failures a minute it is answered 429 with Retry-After before any lookup, no
 * answer is a 5xx, and every other address goes on being served.
 */
async function flood({ http, checks, tokens }: Suite) {
  const attacker = new Http(http.backend);
  const kinds = [
    () => attacker.call("GET", "/api/v1/licenses", { token: randomSecret("ass") }),
    () => attacker.call("GET", "/vendor/v1/subscriptions/sub_contoso_northwind_notes", { token: randomSecret("asv") }),
    () => attacker.call("GET", "/scim/v2/Users", { token: randomSecret("asp") }),
    () => attacker.call("GET", "/api/v1/licenses", { token: `eyJ${randomBytes(20).toString("base64url")}.eyJx.y` }),
  ];
  const statuses: Record<number, number> = {};
  const started = performance.now();
  const total = 2000;
  let retryAfterMissing = 0;
  // Until when the flooding address is surely still refused: a 429 sent at t with Retry-After r
  // (the seconds left in the limiter's minute, rounded up) means its minute lasts past t + r - 1 s.
  let refusedUntil = 0;
  for (let sent = 0; sent < total; sent += 20) {
    const sentAt = performance.now();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => kinds[(sent + i) % kinds.length]!()));
    for (const answer of answers) {
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const retryAfter = Number(answer.headers.get("retry-after"));
      if (answer.status === 429 && !(retryAfter >= 1)) retryAfterMissing += 1;
      if (answer.status === 429) refusedUntil = Math.max(refusedUntil, sentAt + (retryAfter - 1) * 1000);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const refused = statuses[401] ?? 0;
  const limited = statuses[429] ?? 0;
  figure("flood requests", total);
  figure("flood answered 401 (looked up)", refused);
  figure("flood answered 429 (refused before any lookup)", limited);
  figure("flood requests per second", Math.round(total / seconds));
  // A minute boundary may fall within the flood: then the address has a second budget of 100.
  checks.check("flood: at most 100 failed credentials a minute are looked up", refused <= 200, statuses);
  checks.equal("flood: everything else is 429 RateLimited, none a 5xx", refused + limited, total);
  checks.equal("flood: every 429 carries Retry-After", retryAfterMissing, 0);
  const askedAt = performance.now();
  const blocked = await attacker.call("GET", "/vendor/v1/subscriptions/sub_contoso_northwind_notes", { token: demoVendorKey("northwind") });
  // Asked once the minute may have ended (a slow flood ends near its end), a key that works may be served again.
  const minuteMayHaveEnded = askedAt >= refusedUntil;
  checks.check(
    "flood: the flooding address is refused even a key that works, until the minute ends",
    blocked.status === 429 || (minuteMayHaveEnded && blocked.status === 200),
    { status: blocked.status, msBeforeTheMinuteMayEnd: Math.round(refusedUntil - askedAt) },
  );
  const others = [
    await http.call("GET", "/api/v1/licenses", { token: tokens.megan }),
    await http.call("GET", "/vendor/v1/subscriptions/sub_contoso_northwind_notes", { token: demoVendorKey("northwind") }),
  ];
  checks.equal(
    "flood: other addresses are served as before",
    others.map((a) => a.status),
    [200, 200],
  );
}

export async function limits(suite: Suite) {
  const { http, checks, tokens } = suite;
  console.log("Limits: the unauthenticated flood, the rate limit, the body limit, CORS");
  await flood(suite);
  const token = await http.token("ben@contoso.com");
  let limited: Answer | undefined;
  // Up to two windows' worth: the budget resets at each minute boundary, which a run may straddle.
  for (let sent = 0; sent < 2600 && !limited; sent += 50) {
    const answers = await Promise.all(Array.from({ length: 50 }, () => http.call("GET", "/api/v1/me", { token })));
    limited = answers.find((a) => a.status === 429);
  }
  const retryAfter = Number(limited?.headers.get("retry-after"));
  checks.check("limits: 429 RateLimited past the per-token budget", limited?.body?.error?.code === "RateLimited");
  checks.check("limits: with Retry-After between 1 and 60 seconds", retryAfter >= 1 && retryAfter <= 60, retryAfter);
  const other = await http.call("GET", "/api/v1/me", { token: tokens.megan });
  checks.equal("limits: another token is not limited", other.status, 200);

  const huge = JSON.stringify({ principals: [{ type: "user", id: "usr_contoso_adele" }], padding: "x".repeat(1024 * 1024) });
  const tooLarge = await http.call("POST", "/api/v1/licenses/sub_contoso_northwind_notes/assign", {
    token: tokens.megan,
    raw: huge,
    headers: { "content-type": "application/json" },
  });
  checks.equal("limits: a body over 1 MiB is 413 PayloadTooLarge", [tooLarge.status, tooLarge.body?.error?.code], [413, "PayloadTooLarge"]);

  for (const [origin, admitted] of [
    ["chrome-extension://abcdefghijklmnopabcdefghijklmnop", true],
    ["moz-extension://4b1a7c2e-1f7e-4e0a-9a55-0b6f1e1d2c3b", true],
    ["https://evil.example", false],
    [`http://127.0.0.1:${http.backend.port}`, false],
  ] as const) {
    const preflight = await http.call("OPTIONS", "/api/v1/licenses", {
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    const simple = await http.call("GET", "/api/v1/licenses", { token: tokens.megan, headers: { origin } });
    const allowed = [preflight, simple].map((a) => a.headers.get("access-control-allow-origin"));
    checks.equal(`limits: CORS ${admitted ? "admits" : "refuses"} ${origin}`, allowed, admitted ? [origin, origin] : [null, null]);
  }
}
