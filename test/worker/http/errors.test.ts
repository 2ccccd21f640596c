import { ErrorBody, type ErrorCode } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { as, call, changeLicense, contoso, freshDemo, principal, snapshot, storeDb } from "../support.js";

const assignPath = `/api/v1/licenses/${contoso.northwindNotes}/assign`;

/** Every error answer has the one shape of API.md and an X-Request-Id. */
function expectError<C extends ErrorCode>(answer: { status: number; body: unknown; headers: Headers }, status: number, code: C) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const parsed = ErrorBody.parse(answer.body);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(10);
  expect(answer.headers.get("x-request-id")).toBeTruthy();
  expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
  return parsed.error as Extract<ErrorBody["error"], { code: C }>;
}

describe("the error codes of API.md", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("400 InvalidRequest: each failing field is listed in details.issues, and nothing changes", async () => {
    const before = await snapshot();
    const error = expectError(
      await call("POST", assignPath, { token: megan, body: { principals: [{ type: "robot", id: "" }], dryRun: "yes" } }),
      400,
      "InvalidRequest",
    );
    const paths = error.details!.issues!.map((i) => i.path).sort();
    expect(paths).toEqual(["dryRun", "principals.0.id", "principals.0.type"]);
    expect(await snapshot()).toBe(before);
  });

  it("400 InvalidRequest: malformed JSON, wrong types, empty and oversized lists, bad queries and cursors", async () => {
    const before = await snapshot();
    const bad: [string, string, { raw?: string; body?: unknown }][] = [
      ["POST", assignPath, { raw: '{"principals": [' }],
      ["POST", assignPath, { raw: "" }],
      ["POST", assignPath, { body: [] }],
      ["POST", assignPath, { body: { principals: "adele" } }],
      ["POST", assignPath, { body: { principals: [] } }],
      ["POST", assignPath, { body: { principals: Array.from({ length: 501 }, () => principal.user("adele")) } }],
      ["POST", assignPath, { body: { principals: [principal.user("adele")], extra: 1 } }],
      ["POST", assignPath, { body: { principals: [{ type: "user", id: "x".repeat(129) }] } }],
      ["GET", "/api/v1/audit?limit=0", {}],
      ["GET", "/api/v1/audit?limit=abc", {}],
      ["GET", "/api/v1/audit?limit=201", {}],
      ["GET", "/api/v1/audit?cursor=not-a-cursor", {}],
      ["GET", "/api/v1/directory/search?q=", {}],
      ["GET", "/api/v1/directory/search?q=a&type=robot", {}],
      ["GET", `/api/v1/licenses/${contoso.northwindNotes}/users?state=gone`, {}],
    ];
    for (const [method, path, options] of bad) {
      const headers = options.raw !== undefined ? { "content-type": "application/json" } : undefined;
      const answer = await call(method, path, { token: megan, ...options, headers });
      const error = expectError(answer, 400, "InvalidRequest");
      expect(error.details!.issues!.length, `${method} ${path}`).toBeGreaterThan(0);
    }
    expect(await snapshot()).toBe(before);
  });

  it("401 Unauthenticated: a missing, malformed, unknown or expired token", async () => {
    expectError(await call("GET", "/api/v1/licenses"), 401, "Unauthenticated");
    expectError(await call("GET", "/api/v1/licenses", { headers: { authorization: `Token ${megan}` } }), 401, "Unauthenticated");
    expectError(await call("GET", "/api/v1/licenses", { token: "ass_unknown" }), 401, "Unauthenticated");
    expectError(await call("GET", "/api/v1/licenses", { token: "garbage token with spaces" }), 401, "Unauthenticated");
    await storeDb().prepare(`UPDATE session_tokens SET expires_at = '2020-01-01T00:00:00.000Z'`).run();
    expectError(await call("GET", "/api/v1/licenses", { token: megan }), 401, "Unauthenticated");
  });

  it("403 Forbidden: details.requiredRoles names the roles that would be allowed", async () => {
    const grady = await as("grady@contoso.com");
    const error = expectError(
      await call("POST", assignPath, { token: grady, body: { principals: [principal.user("adele")] } }),
      403,
      "Forbidden",
    );
    expect(error.details).toEqual({ requiredRoles: ["GlobalAdmin", "LicenseAdmin", "UserAdmin"] });
  });

  it("404 NotFound: an unknown id, and a path that does not exist", async () => {
    expectError(await call("GET", "/api/v1/licenses/sub_nope", { token: megan }), 404, "NotFound");
    expectError(await call("GET", "/api/v1/nothing-here", { token: megan }), 404, "NotFound");
    expectError(await call("GET", "/nothing-here"), 404, "NotFound");
  });

  it("409 NotEnoughLicenses: details give needed and available", async () => {
    const error = expectError(
      await call("POST", assignPath, { token: megan, body: { principals: ["adele", "ben", "grady"].map(principal.user) } }),
      409,
      "NotEnoughLicenses",
    );
    expect(error.details).toEqual({ needed: 3, available: 2 });
  });

  it("409 InheritedLicense: details name each user and the groups they hold it through", async () => {
    const error = expectError(
      await changeLicense(megan, contoso.litwareChat, "unassign", [principal.user("meiling"), principal.user("joni")]),
      409,
      "InheritedLicense",
    );
    expect(error.details).toEqual({
      users: ["meiling", "joni"].map((name) => ({
        id: contoso.user(name),
        viaGroups: [{ id: contoso.group("Design"), displayName: "Design" }],
      })),
    });
  });

  it("409 SubscriptionNotUsable: details give the status", async () => {
    const error = expectError(
      await changeLicense(megan, contoso.tailspinMaps, "assign", [principal.user("adele")]),
      409,
      "SubscriptionNotUsable",
    );
    expect(error.details).toEqual({ status: "suspended" });
  });

  it("413 PayloadTooLarge: a body over 1 MiB is refused before it is read", async () => {
    const before = await snapshot();
    const huge = JSON.stringify({ principals: [principal.user("adele")], padding: "x".repeat(2 * 1024 * 1024) });
    expectError(
      await call("POST", assignPath, { token: megan, raw: huge, headers: { "content-type": "application/json" } }),
      413,
      "PayloadTooLarge",
    );
    expect(await snapshot()).toBe(before);
  });

  it("415 UnsupportedMediaType: a body that is not JSON", async () => {
    const body = JSON.stringify({ principals: [principal.user("adele")] });
    expectError(
      await call("POST", assignPath, { token: megan, raw: body, headers: { "content-type": "text/plain" } }),
      415,
      "UnsupportedMediaType",
    );
    expectError(
      await call("POST", assignPath, {
        token: megan,
        raw: "principals=adele",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "UnsupportedMediaType",
    );
  });

  it("429 RateLimited: past the per-token budget, with Retry-After; other tokens are not affected", async () => {
    const ben = await as("ben@contoso.com");
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // Up to two windows' worth: the budget resets at each minute boundary, which a run may straddle.
    for (let sent = 0; sent < 2600 && !limited; sent += 50) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => call("GET", "/api/v1/me", { token: ben })));
      limited = answers.find((a) => a.status === 429);
      expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    }
    expect(limited).toBeDefined();
    expectError(limited!, 429, "RateLimited");
    const retryAfter = Number(limited!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call("GET", "/api/v1/me", { token: megan })).status).toBe(200);
  });

  it("500 Internal: details carry the request id and nothing internal", async () => {
    await storeDb().prepare(`DROP TABLE audit_events`).run();
    const answer = await call("POST", assignPath, { token: megan, body: { principals: [principal.user("adele")] } });
    const error = expectError(answer, 500, "Internal");
    expect(error.details).toEqual({ requestId: answer.headers.get("x-request-id") });
    // Nothing of the database or the code: the request id (random hex) is left out of the look.
    const shown = JSON.stringify(answer.body).replaceAll(answer.headers.get("x-request-id")!, "");
    expect(shown).not.toMatch(/sqlite|D1_ERROR|\bD1\b|audit_events|stack|\bat \//i);
  });
});
