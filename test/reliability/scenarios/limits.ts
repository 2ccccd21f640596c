/** Limits: the rate limit per token, the body limit, and CORS for the extension's origins only. */
import type { Answer } from "../../support/backend.ts";
import type { Suite } from "../run.ts";

export async function limits({ http, checks, tokens }: Suite) {
  console.log("Limits: rate limit, body limit, CORS");
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
