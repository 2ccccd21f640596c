/**
 * The security review, finding 1: rate limiting before authentication. Credentials that fail
 * count against their client address; past 100 a minute the address gets 429 with Retry-After
 * before any lookup, and a token of the wrong shape is never looked up. Each test sends from an
 * address of its own (cf-connecting-ip), so that budgets do not mix.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, contoso, db, freshDemo, storeDb } from "../support.js";

let addresses = 0;
const newAddress = () => `198.51.100.${++addresses}`;

/** A well-shaped secret nobody was given: 256 random bits after the prefix. */
const randomSecret = (prefix: string) => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${prefix}_${btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "")}`;
};

/**
 * The budget is counted in windows of a minute: a flood that a minute boundary cuts in two would
 * get two budgets. Each flood below starts at least 20 seconds before the next boundary.
 */
async function clearOfMinuteBoundary() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

const from = (address: string, token: string | null, path = "/api/v1/licenses", method = "GET") =>
  call(method, path, { token, headers: { "cf-connecting-ip": address } });

describe("credentials that fail count against their address", () => {
  beforeEach(freshDemo);

  it("tokens of the wrong shape are refused (401) before any lookup", async () => {
    // With the tables gone, a lookup would fail with a 500: a 401 shows none was made.
    await db().batch([db().prepare(`DROP TABLE vendor_keys`), db().prepare(`DROP TABLE provisioning_routes`)]);
    await storeDb().prepare(`DROP TABLE session_tokens`).run();
    const address = newAddress();
    for (const [path, token] of [
      ["/api/v1/licenses", "ass_short"],
      ["/api/v1/licenses", "not-a-token"],
      ["/vendor/v1/subscriptions/sub_x", "asv_too-short"],
      ["/vendor/v1/subscriptions/sub_x", randomSecret("asp")],
      ["/scim/v2/Users", randomSecret("asv")],
      ["/scim/v2/Users", "asp_!!!"],
    ] as const) {
      const answer = await from(address, token, path);
      expect(answer.status, `${path} ${token}`).toBe(401);
    }
  });

  it("past 100 failures a minute, the address gets 429 with Retry-After, before any lookup", async () => {
    await clearOfMinuteBoundary();
    const address = newAddress();
    const kinds = [
      () => from(address, randomSecret("ass")),
      () => from(address, randomSecret("asv"), "/vendor/v1/subscriptions/sub_contoso_northwind_notes"),
      () => from(address, randomSecret("asp"), "/scim/v2/Users"),
    ];
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await kinds[i % 3]!()).status);
    expect(statuses.every((status) => status === 401)).toBe(true);

    const refused = await from(address, randomSecret("ass"));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RateLimited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);

    // Now refused before any lookup: with the tables gone, still 429 and not 500.
    await db().batch([db().prepare(`DROP TABLE vendor_keys`)]);
    await storeDb().prepare(`DROP TABLE session_tokens`).run();
    expect((await from(address, randomSecret("ass"))).status).toBe(429);
    expect((await from(address, randomSecret("asv"), "/vendor/v1/subscriptions/sub_x")).status).toBe(429);
  });

  it("an IPv6 client is counted by its /64: 130 failures from addresses of one /64 get 429 past 100", async () => {
    await clearOfMinuteBoundary();
    const prefix = `2001:db8:${(++addresses).toString(16)}:7`;
    const statuses: number[] = [];
    for (let i = 1; i <= 130; i++) {
      const address = `${prefix}:${i.toString(16)}:${(i * 7).toString(16)}::${(i * 13).toString(16)}`;
      statuses.push((await from(address, randomSecret("ass"))).status);
    }
    expect(statuses.slice(0, 100).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(100).every((status) => status === 429)).toBe(true);
    // Another /64 is not held back.
    const megan = await as("megan@contoso.com");
    expect((await from(`2001:db8:${(++addresses).toString(16)}:7::1`, megan)).status).toBe(200);
  });

  it("another address is not held back by one that floods", async () => {
    await clearOfMinuteBoundary();
    const flooding = newAddress();
    for (let i = 0; i < 101; i++) await from(flooding, randomSecret("asv"), "/vendor/v1/subscriptions/sub_x");
    expect((await from(flooding, demoVendorKey("northwind"), "/vendor/v1/subscriptions/sub_contoso_northwind_notes")).status).toBe(429);

    const other = newAddress();
    const megan = await as("megan@contoso.com");
    expect((await from(other, megan)).status).toBe(200);
    expect((await from(other, demoVendorKey("northwind"), "/vendor/v1/subscriptions/sub_contoso_northwind_notes")).status).toBe(200);
    expect((await from(other, demoProvisioningToken("contoso"), "/scim/v2/Users?count=1")).status).toBe(200);
  });

  it("verified credentials do not count as failures", async () => {
    const address = newAddress();
    const megan = await as("megan@contoso.com");
    for (let i = 0; i < 120; i++) expect((await from(address, megan, "/api/v1/me")).status).toBe(200);
    expect((await from(address, megan, `/api/v1/users/${contoso.user("adele")}/licenses`)).status).toBe(200);
  });
});

describe("request ids are the server's", () => {
  beforeEach(freshDemo);

  it("an id the client sends is not the request's id, in the answer or in the audit", async () => {
    const megan = await as("megan@contoso.com");
    const answer = await call("POST", `/api/v1/licenses/${contoso.litwareChat}/assign`, {
      token: megan,
      body: { principals: [{ type: "user", id: contoso.user("adele") }] },
      headers: { "x-request-id": "chosen-by-the-client" },
    });
    expect(answer.status).toBe(200);
    const id = answer.headers.get("x-request-id")!;
    expect(id).not.toBe("chosen-by-the-client");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const audit = await storeDb()
      .prepare(`SELECT request_id FROM audit_events WHERE action = 'license.assign' ORDER BY seq DESC LIMIT 1`)
      .first<{ request_id: string }>();
    expect(audit!.request_id).toBe(id);
  });
});

describe("the audit trail is append-only", () => {
  beforeEach(freshDemo);

  it("the database refuses to change or delete an audit event", async () => {
    const megan = await as("megan@contoso.com");
    await call("POST", `/api/v1/licenses/${contoso.litwareChat}/assign`, {
      token: megan,
      body: { principals: [{ type: "user", id: contoso.user("adele") }] },
    });
    const count = async () => (await storeDb().prepare(`SELECT COUNT(*) AS n FROM audit_events`).first<{ n: number }>())!.n;
    const before = await count();
    expect(before).toBeGreaterThan(0);
    await expect(storeDb().prepare(`UPDATE audit_events SET summary = 'rewritten'`).run()).rejects.toThrow(/append-only/);
    await expect(storeDb().prepare(`DELETE FROM audit_events`).run()).rejects.toThrow(/append-only/);
    expect(await count()).toBe(before);
    expect(await storeDb().prepare(`SELECT COUNT(*) AS n FROM audit_events WHERE summary = 'rewritten'`).first()).toEqual({ n: 0 });
  });
});
