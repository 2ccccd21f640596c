import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { as, auditActions, call, contoso, freshDemo, principal, snapshot, storeDb, stored } from "../support.js";

const assignPath = `/api/v1/licenses/${contoso.northwindNotes}/assign`;

describe("R13: Idempotency-Key", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });
  const assign = (key: string, principals: unknown[]) =>
    call("POST", assignPath, { token: megan, body: { principals }, headers: { "idempotency-key": key } });

  it("the same key and body replays the first answer and changes nothing more, even sent concurrently", async () => {
    const first = await assign("k-1", [principal.user("adele")]);
    expect(first.status).toBe(200);
    const replays = await Promise.all(Array.from({ length: 10 }, () => assign("k-1", [principal.user("adele")])));
    for (const replay of replays) {
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(first.body);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
    }
    expect((await auditActions(contoso.northwindNotes)).filter((e) => e.action === "license.assign")).toHaveLength(1);
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 4 });
  });

  it("a refusal is replayed too: the same key does not become a success later", async () => {
    const refused = await assign("k-2", ["adele", "ben", "grady"].map(principal.user));
    expect(refused.status).toBe(409);
    await call("POST", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: demoVendorKey("northwind") });
    await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: demoVendorKey("northwind"), body: { quantity: 50 } });
    const replay = await assign("k-2", ["adele", "ben", "grady"].map(principal.user));
    expect(replay.status).toBe(409);
    expect(replay.body).toEqual(refused.body);
  });

  it("the same key with another body is 422 IdempotencyKeyReused and changes nothing", async () => {
    await assign("k-3", [principal.user("adele")]);
    const before = await snapshot();
    const other = await assign("k-3", [principal.user("ben")]);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("IdempotencyKeyReused");
    expect(await snapshot()).toBe(before);
  });

  it("a key whose first request is still in flight is 409 IdempotencyKeyInFlight", async () => {
    // The first request claimed the key and has not finished: its record says so.
    await storeDb()
      .prepare(`INSERT INTO idempotency_records (scope, key, fingerprint, state, created_at) VALUES (?1, 'k-4', 'same', 'inFlight', ?2)`)
      .bind(`user:${contoso.user("megan")}`, new Date().toISOString())
      .run();
    await storeDb()
      .prepare(`UPDATE idempotency_records SET fingerprint = ?1 WHERE key = 'k-4'`)
      .bind(await fingerprintOf(assignPath, { principals: [principal.user("adele")] }))
      .run();
    const before = await snapshot();
    const answer = await assign("k-4", [principal.user("adele")]);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("IdempotencyKeyInFlight");
    expect(await snapshot()).toBe(before);
  });

  it("after 24 hours a key may be used again", async () => {
    await assign("k-5", [principal.user("adele")]);
    await storeDb().prepare(`UPDATE idempotency_records SET created_at = '2020-01-01T00:00:00.000Z' WHERE key = 'k-5'`).run();
    const again = await assign("k-5", [principal.user("ben")]);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.body.assigned.map((p: { id: string }) => p.id)).toEqual([contoso.user("ben")]);
  });

  it("keys are the caller's own: another admin's same key is a new request", async () => {
    await assign("k-6", [principal.user("adele")]);
    const lidia = await as("lidia@contoso.com");
    const answer = await call("POST", assignPath, {
      token: lidia,
      body: { principals: [principal.user("ben")] },
      headers: { "idempotency-key": "k-6" },
    });
    expect(answer.status).toBe(200);
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 5 });
  });

  it("a vendor's quantity change with a key is applied once", async () => {
    const put = () =>
      call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, {
        token: demoVendorKey("northwind"),
        body: { quantity: 9 },
        headers: { "idempotency-key": "v-1" },
      });
    const [a, b] = [await put(), await put()];
    expect(b.body).toEqual(a.body);
    expect((await auditActions(contoso.northwindNotes)).filter((e) => e.action === "subscription.update")).toHaveLength(1);
  });

  it("a malformed key is 400", async () => {
    const answer = await assign("x".repeat(256), [principal.user("adele")]);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("InvalidRequest");
  });
});

/** The request fingerprint the worker stores: method, path and body, hashed. */
async function fingerprintOf(path: string, body: unknown): Promise<string> {
  const text = `POST ${path}\n${JSON.stringify(body)}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
