import { env } from "cloudflare:workers";
import { errorCodes } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { demoControlStatements, demoVendorKey } from "../../../worker/seed/demo.js";
import { seedDemoStores } from "../../../worker/seed/stores.js";
import { app as production } from "../../../worker/src/index.js";
import { app } from "../../../worker/src/local.js";
import { as, call, changeLicense, contoso, db, freshDemo, principal, snapshot, storeDb } from "../support.js";

describe("what every response carries", () => {
  beforeEach(freshDemo);

  it("X-Request-Id and the security headers, on answers and errors alike", async () => {
    const megan = await as("megan@contoso.com");
    for (const answer of [
      await call("GET", "/api/v1/licenses", { token: megan }),
      await call("GET", "/api/v1/licenses"),
      await call("GET", "/nowhere"),
      await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, {
        token: demoVendorKey("northwind"),
        body: { quantity: -1 },
      }),
    ]) {
      expect(answer.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("strict-transport-security")).toContain("max-age=");
      expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("CORS admits the extension's origins and nothing else", async () => {
    const origins = {
      "chrome-extension://abcdefghijklmnopabcdefghijklmnop": true,
      "moz-extension://4b1a7c2e-1f7e-4e0a-9a55-0b6f1e1d2c3b": true,
      "https://evil.example": false,
      "http://127.0.0.1:8787": false,
      null: false,
    };
    for (const [origin, admitted] of Object.entries(origins)) {
      const preflight = await call("OPTIONS", "/api/v1/licenses", {
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
      const simple = await call("GET", "/api/v1/licenses", { headers: { origin } });
      expect(preflight.headers.get("access-control-allow-origin"), origin).toBe(admitted ? origin : null);
      expect(simple.headers.get("access-control-allow-origin"), origin).toBe(admitted ? origin : null);
      if (admitted) expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    }
  });

  it("the OpenAPI 3.1 document is generated from the routes and the shared schemas, with each route's own errors", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    const assign = doc.paths["/api/v1/licenses/{id}/assign"].post;
    expect(assign.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AssignRequest" });
    expect(assign.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/AssignResult" });
    expect(assign.responses["409"].description.split(", ").sort()).toEqual([
      "IdempotencyKeyInFlight",
      "NotEnoughLicenses",
      "SubscriptionNotUsable",
    ]);
    expect(assign.security).toEqual([{ adminToken: [] }]);
    expect(assign.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header" }));
    expect(assign.parameters).toContainEqual(expect.objectContaining({ name: "id", in: "path", required: true }));
    const principals = doc.components.schemas.AssignRequest.properties.principals;
    expect(principals).toMatchObject({ type: "array", minItems: 1, maxItems: 500, items: { $ref: "#/components/schemas/Principal" } });
    expect(doc.components.schemas.Seats.required).toEqual(["purchased", "assigned", "available", "waiting", "overBy"]);
    // What the middlewares on a path answer is documented by the middlewares themselves.
    const vendorPut = doc.paths["/vendor/v1/subscriptions/{id}"].put;
    expect(Object.keys(vendorPut.responses).sort()).toEqual(["200", "400", "401", "404", "409", "413", "415", "422", "429", "500"]);
    expect(vendorPut.security).toEqual([{ vendorKey: [] }]);
    const me = doc.paths["/api/v1/me"].get;
    expect(Object.keys(me.responses).sort()).toEqual(["200", "401", "429", "500"]);
    const licenses = doc.paths["/api/v1/licenses"].get;
    expect(Object.keys(licenses.responses).sort()).toEqual(["200", "401", "403", "429", "500"]);
    expect(doc.paths["/api/v1/licenses/{id}/export.csv"].get.responses["200"].content).toHaveProperty("text/csv");
    // The error body documents each code's details as shared/src/error-codes.ts defines them.
    const errorsByCode = new Map<string, { properties: { details?: { properties: Record<string, unknown>; required?: string[] } } }>(
      doc.components.schemas.ErrorBody.properties.error.oneOf.map((shape: { properties: { code: { const: string } } }) => [
        shape.properties.code.const,
        shape,
      ]),
    );
    expect([...errorsByCode.keys()].sort()).toEqual([...errorCodes].sort());
    expect(errorsByCode.get("NotEnoughLicenses")!.properties.details).toMatchObject({
      properties: { needed: { type: "integer" }, available: { type: "integer" } },
      required: ["needed", "available"],
    });
    expect(errorsByCode.get("PayloadTooLarge")!.properties.details!.required).toEqual(["maxBytes"]);
    expect(errorsByCode.get("Unauthenticated")!.properties.details).toBeUndefined();
  });

  it("every route the app serves is in openapi.json, and every documented path is served; dev-only routes only where served", async () => {
    const served = (dev: boolean) =>
      new Set(
        app.routes
          .filter((route) => route.method !== "ALL" && !route.path.includes("*"))
          .filter((route) => dev || !route.path.startsWith("/api/v1/dev/"))
          .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`),
      );
    const documented = (doc: { paths: Record<string, Record<string, unknown>> }) =>
      new Set(
        Object.entries(doc.paths).flatMap(([path, operations]) =>
          Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
        ),
      );
    const documentFor = async (devSignIn: string) =>
      (await app.fetch(new Request("http://appseats.test/api/v1/openapi.json"), { ...env, DEV_SIGN_IN: devSignIn })).json() as Promise<{
        paths: Record<string, Record<string, { tags?: string[] }>>;
      }>;

    const local = await documentFor("true");
    expect([...documented(local)].sort()).toEqual([...served(true)].sort());
    expect(local.paths["/api/v1/dev/sign-in"]!.post!.tags).toEqual(["dev-only"]);
    expect(local.paths["/api/v1/dev/accounts"]!.get!.tags).toEqual(["dev-only"]);

    const deployed = await documentFor("false");
    expect([...documented(deployed)].sort()).toEqual([...served(false)].sort());
    expect(Object.keys(deployed.paths).some((path) => path.startsWith("/api/v1/dev/"))).toBe(false);
    const operationIds = Object.values(local.paths).flatMap((operations) =>
      Object.values(operations).map((op) => (op as { operationId: string }).operationId),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('local sign-in exists only in the local entry, on a loopback host, when DEV_SIGN_IN is "true"; otherwise 404', async () => {
    const request = (origin: string) =>
      new Request(`${origin}/api/v1/dev/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userPrincipalName: "megan@contoso.com" }),
      });
    const refusals = [
      await app.fetch(request("http://localhost:8787"), { ...env, DEV_SIGN_IN: "false" }),
      // A page the developer visits cannot reach it by DNS rebinding: only 127.0.0.1 and localhost.
      await app.fetch(request("http://appseats.test"), env),
      await app.fetch(request("http://attacker.example:8787"), env),
    ];
    for (const off of refusals) {
      expect(off.status).toBe(404);
      expect(((await off.json()) as { error: { code: string } }).error.code).toBe("NotFound");
    }
    // The production entry has no local sign-in at all, whatever its variables say: its path is
    // answered as any path that does not exist there.
    const absent = await production.fetch(request("http://localhost:8787"), env);
    const nowhere = await production.fetch(new Request("http://localhost:8787/api/v1/no-such-path", { method: "POST" }), env);
    expect(absent.status).toBe(nowhere.status);
    expect(((await absent.json()) as { error: { code: string } }).error.code).toBe(
      ((await nowhere.json()) as { error: { code: string } }).error.code,
    );
    for (const origin of ["http://127.0.0.1:8787", "http://localhost"]) {
      const on = await app.fetch(request(origin), env);
      expect(on.status).toBe(200);
      const { token, expiresAt } = (await on.json()) as { token: string; expiresAt: string };
      // The tenant it belongs to, then 256 random bits.
      expect(token).toMatch(/^ass_[\w-]+\.[\w-]{43}$/);
      expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 7 * 3600_000);
    }
    const deployed = (await (await production.fetch(new Request("http://appseats.test/api/v1/openapi.json"), env)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(deployed.paths).some((path) => path.startsWith("/api/v1/dev/"))).toBe(false);
  });

  it("tokens and vendor keys are stored only as hashes", async () => {
    const token = await as("megan@contoso.com");
    const sessions = await storeDb()
      .prepare(`SELECT token_hash FROM session_tokens UNION ALL SELECT token_hash FROM provisioning_tokens`)
      .all<{ token_hash: string }>();
    const keys = await db()
      .prepare(`SELECT key_hash AS token_hash FROM vendor_keys UNION ALL SELECT token_hash FROM provisioning_routes`)
      .all<{ token_hash: string }>();
    const rows = { results: [...sessions.results, ...keys.results] };
    for (const row of rows.results) {
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.token_hash).not.toContain(token);
    }
    expect(JSON.stringify(rows.results)).not.toContain("dev-vendor");
  });

  it("a disabled or unknown account cannot sign in", async () => {
    expect((await call("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName: "joni@contoso.com" } })).status).toBe(404);
    expect((await call("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName: "nobody@contoso.com" } })).status).toBe(404);
    expect((await call("POST", "/api/v1/dev/sign-in", { body: { upn: "megan@contoso.com" } })).status).toBe(400);
  });

  it("seeding the demo twice changes nothing, and does not undo an admin's change", async () => {
    const megan = await as("megan@contoso.com");
    await changeLicense(megan, contoso.fabrikamSign, "unassign", [principal.group("Sales")]);
    const before = await snapshot();
    await db().batch((await demoControlStatements()).map((sql) => db().prepare(sql)));
    await seedDemoStores(env, "req_seed_again");
    expect(await snapshot()).toBe(before);
  });
});

describe("bad input on every route is a 4xx with the error shape, never a 5xx, and changes nothing", () => {
  beforeEach(freshDemo);

  it("wrong types, wrong content types and malformed JSON across all mutating routes", async () => {
    const megan = await as("megan@contoso.com");
    const vendor = demoVendorKey("northwind");
    const routes: [string, string, string][] = [
      ["POST", `/api/v1/licenses/${contoso.northwindNotes}/assign`, megan],
      ["POST", `/api/v1/licenses/${contoso.northwindNotes}/unassign`, megan],
      ["POST", `/api/v1/directory/groups/${contoso.group("Sales")}/members`, megan],
      ["POST", `/api/v1/directory/groups/${contoso.group("Sales")}/members/remove`, megan],
      ["PATCH", `/api/v1/directory/users/${contoso.user("adele")}`, megan],
      ["PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, vendor],
      ["POST", "/api/v1/dev/sign-in", ""],
    ];
    const bodies: { raw: string; type: string }[] = [
      { raw: "{", type: "application/json" },
      { raw: "null", type: "application/json" },
      { raw: "42", type: "application/json" },
      { raw: '"text"', type: "application/json" },
      { raw: "[]", type: "application/json" },
      { raw: '{"principals":[{"type":"user","id":{"$ne":null}}]}', type: "application/json" },
      { raw: '{"userIds":["\' OR 1=1 --"],"accountEnabled":"yes","quantity":1e309}', type: "application/json" },
      { raw: "<xml/>", type: "application/xml" },
      { raw: "a=b", type: "multipart/form-data; boundary=x" },
    ];
    const before = await snapshot();
    for (const [method, path, token] of routes) {
      for (const { raw, type } of bodies) {
        const answer = await call(method, path, { token, raw, headers: { "content-type": type } });
        expect(answer.status, `${method} ${path} ${raw}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${method} ${path} ${raw}`).toBeLessThan(500);
        expect(answer.body.error.code).toMatch(/^(InvalidRequest|UnsupportedMediaType|NotFound)$/);
      }
    }
    expect(await snapshot()).toBe(before);
  });
});
