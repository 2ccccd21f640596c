/**
 * A vendor's webhook as the vendor manages it (API.md, "Vendor webhooks"): setting, reading and
 * removing it, bad input refused with nothing stored, the secret stored sealed and rotated with
 * both secrets signing for 24 hours, retries with the same webhook-id, and a delivery failed
 * after 24 hours sent again on the vendor's word.
 */

import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, changeLicense, contoso, db, freshDemo, principal } from "../support.js";
import { endpoint, eventsOf, pause, setWebhook, verified } from "./support.js";

const northwind = demoVendorKey("northwind");
const webhookRow = () =>
  db().prepare(`SELECT url, events, secret, previous_secret, previous_until FROM vendor_webhooks WHERE vendor_id = 'ven_northwind'`).first<{
    url: string;
    events: string;
    secret: string;
    previous_secret: string | null;
    previous_until: string | null;
  }>();

describe("a vendor's webhook, as the vendor manages it", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("is set with the events it wants (all when omitted), read back without its secret, and the secret is stored sealed", async () => {
    expect((await call("GET", "/vendor/v1/webhook", { token: northwind })).status).toBe(404);
    const hook = endpoint();
    const set = await call("PUT", "/vendor/v1/webhook", { token: northwind, body: { url: hook.url, events: ["license.revoked"] } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ url: hook.url, events: ["license.revoked"], secret: expect.stringMatching(/^whsec_/) });
    const read = await call("GET", "/vendor/v1/webhook", { token: northwind });
    expect(read.body).toEqual({ url: hook.url, events: ["license.revoked"], createdAt: expect.any(String) });
    expect(JSON.stringify(read.body)).not.toContain("whsec_");
    const stored = await webhookRow();
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.secret).not.toContain(set.body.secret.slice(6, 20));

    // Only the events it wants: a grant is not sent, a revocation is.
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("adele")]);
    const events = eventsOf(await hook.until((requests) => requests.length >= 1), set.body.secret);
    await pause(300);
    expect(events.map((event) => event.type)).toEqual(["license.revoked"]);

    const all = await call("PUT", "/vendor/v1/webhook", { token: northwind, body: { url: hook.url } });
    expect(all.body.events).toEqual(["license.granted", "license.revoked", "subscription.changed"]);
  });

  it("bad input is 400 with the error shape, and stores nothing", async () => {
    const long = `https://hooks.example/${"a".repeat(2048)}`;
    for (const body of [
      { url: "http://hooks.example/appseats" },
      { url: "ftp://hooks.example/appseats" },
      { url: "not a url" },
      { url: long },
      { url: "https://hooks.example/appseats", events: ["license.exploded"] },
      { url: "https://hooks.example/appseats", events: [] },
      { url: "https://hooks.example/appseats", secret: "mine" },
    ]) {
      const answer = await call("PUT", "/vendor/v1/webhook", { token: northwind, body });
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: "InvalidRequest",
        message: expect.any(String),
        details: { issues: expect.any(Array) },
      });
    }
    expect(await webhookRow()).toBeNull();
    expect((await call("PUT", "/vendor/v1/webhook", { token: "asv_not-a-key", body: { url: "https://hooks.example/a" } })).status).toBe(
      401,
    );
    expect((await call("GET", "/vendor/v1/webhook/deliveries?status=lost", { token: northwind })).status).toBe(400);
  });

  it("removed, it is sent nothing more, and is 404", async () => {
    const hook = endpoint();
    await setWebhook(northwind, hook.url);
    expect((await call("DELETE", "/vendor/v1/webhook", { token: northwind })).status).toBe(204);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    await pause(1500);
    expect(await hook.received()).toEqual([]);
    expect((await call("GET", "/vendor/v1/webhook", { token: northwind })).status).toBe(404);
    expect((await call("DELETE", "/vendor/v1/webhook", { token: northwind })).status).toBe(404);
    expect((await call("POST", "/vendor/v1/webhook/secret", { token: northwind })).status).toBe(404);
  });

  it("a new secret is shown once; for 24 hours both sign, then only the new one", async () => {
    const hook = endpoint();
    const first = await setWebhook(northwind, hook.url);
    const rotated = await call("POST", "/vendor/v1/webhook/secret", { token: northwind });
    expect(rotated.status).toBe(200);
    const second = rotated.body.secret as string;
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.body.previousUntil) - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const [during] = await hook.until((requests) => requests.length >= 1);
    expect(during!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    // A receiver that has either secret verifies it.
    expect(verified(during!, first).type).toBe("license.granted");
    expect(verified(during!, second).type).toBe("license.granted");

    // Once the 24 hours are over, only the new secret signs.
    await db()
      .prepare(`UPDATE vendor_webhooks SET previous_until = ?1`)
      .bind(new Date(Date.now() - 1000).toISOString())
      .run();
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("megan")]);
    const [, after] = await hook.until((requests) => requests.length >= 2);
    expect(after!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verified(after!, second).type).toBe("license.granted");
    expect(() => new Webhook(first).verify(after!.body, after!.headers)).toThrow();
  });

  it("an endpoint that answers 500 is sent the same event again, with the same webhook-id, until it takes it", async () => {
    const hook = endpoint();
    await hook.behave({ failFirst: 1 });
    const secret = await setWebhook(northwind, hook.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const [failed, taken] = await hook.until((requests) => requests.length >= 2, 30_000);
    expect(taken!.headers["webhook-id"]).toBe(failed!.headers["webhook-id"]);
    expect(taken!.body).toBe(failed!.body);
    // The first retry comes within a minute (here: after 10 seconds).
    expect(taken!.at - failed!.at).toBeGreaterThanOrEqual(9_000);
    expect(taken!.at - failed!.at).toBeLessThan(60_000);
    expect(eventsOf([failed!, taken!], secret)).toHaveLength(1);
    await expect
      .poll(async () => (await call("GET", "/vendor/v1/webhook/deliveries", { token: northwind })).body.items)
      .toMatchObject([{ status: "delivered", attempts: 2, lastStatus: 204, lastAttemptAt: expect.any(String) }]);
  }, 45_000);

  it("after 24 hours of failures a delivery is failed, the next events go on, and the vendor's retry sends it again", async () => {
    const hook = endpoint();
    await hook.behave({ status: 500 });
    const secret = await setWebhook(northwind, hook.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const [first] = await hook.until((requests) => requests.length >= 1);
    const failingId = first!.headers["webhook-id"]!;
    // A later event of the same subscription waits behind it (commit order).
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("megan")]);
    await pause(1000);
    expect((await hook.received()).every((request) => request.headers["webhook-id"] === failingId)).toBe(true);

    // Its first attempt was 24 hours ago: the next failure is its last.
    await db()
      .prepare(`UPDATE webhook_deliveries SET first_attempt_at = ?2 WHERE id = ?1`)
      .bind(failingId, new Date(Date.now() - 24 * 3600_000 - 60_000).toISOString())
      .run();
    await expect
      .poll(async () => (await call("GET", "/vendor/v1/webhook/deliveries?status=failed", { token: northwind })).body.items, {
        timeout: 30_000,
        interval: 250,
      })
      .toMatchObject([{ id: failingId, status: "failed", attempts: 2, lastStatus: 500 }]);

    // The endpoint is back: the event that waited is sent (it may have met the endpoint still down
    // once, and then comes again 10 seconds later); the failed one only on the vendor's word.
    await hook.behave({ status: 204 });
    const requests = await hook.until((list) => list.some((request) => request.headers["webhook-id"] !== failingId), 40_000);
    const second = requests.find((request) => request.headers["webhook-id"] !== failingId)!;
    expect(verified(second, secret).data).toMatchObject({ users: [{ id: contoso.user("megan") }] });

    let deliveredId = "";
    await expect
      .poll(
        async () => {
          deliveredId = (await call("GET", "/vendor/v1/webhook/deliveries?status=delivered", { token: northwind })).body.items[0]?.id ?? "";
          return deliveredId;
        },
        { timeout: 30_000, interval: 250 },
      )
      .not.toBe("");
    const retryDelivered = await call("POST", `/vendor/v1/webhook/deliveries/${deliveredId}/retry`, { token: northwind });
    expect(retryDelivered.status).toBe(400);
    expect(retryDelivered.body.error.code).toBe("InvalidRequest");
    expect((await call("POST", "/vendor/v1/webhook/deliveries/evt_nothing/retry", { token: northwind })).status).toBe(404);

    const retried = await call("POST", `/vendor/v1/webhook/deliveries/${failingId}/retry`, { token: northwind });
    expect(retried.status).toBe(202);
    const again = await hook.until((list) => list.filter((request) => request.headers["webhook-id"] === failingId).length >= 3, 30_000);
    expect(verified(again.at(-1)!, secret).data).toMatchObject({ users: [{ id: contoso.user("adele") }] });
    await expect
      .poll(async () => (await call("GET", "/vendor/v1/webhook/deliveries?status=failed", { token: northwind })).body.items)
      .toEqual([]);
  }, 90_000);
});
