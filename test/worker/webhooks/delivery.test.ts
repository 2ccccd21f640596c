/**
 * Vendor webhooks (API.md, "Vendor webhooks"; R23): every event type, from the change's own
 * transaction through the outbox, the queue and the sender to a real endpoint on 127.0.0.1,
 * each request verified by `standardwebhooks`; commit order, batching past 1,000 users, and
 * isolation between vendors.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.js";
import { claimsFor, publishedAuthority } from "../entra.js";
import { as, call, changeLicense, contoso, db, fabrikam, freshDemo, inStore, principal } from "../support.js";
import { endpoint, eventsOf, pause, recordedDeliveries, setWebhook, storeLooksNow } from "./support.js";

const northwind = demoVendorKey("northwind");
// Admins in production sign in with Entra ID: its tokens, from a test authority the worker trusts.
const entra = publishedAuthority();
const litware = demoVendorKey("litware");
const scim = (method: string, path: string, body?: unknown) =>
  call(method, `/scim/v2${path}`, {
    token: demoProvisioningToken("contoso"),
    body,
    headers: body ? { "content-type": "application/scim+json" } : {},
  });

describe("the events a vendor's webhook is sent", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("license.granted (direct) when an admin assigns a user: signed so that standardwebhooks verifies it, and recorded delivered", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const assigned = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    expect(assigned.status).toBe(200);
    const [request] = await hook.until((requests) => requests.length >= 1);
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["webhook-id"]).toMatch(/^evt_/);
    expect(Math.abs(Number(request!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    const [event] = eventsOf([request!], secret);
    expect(event).toMatchObject({
      type: "license.granted",
      data: {
        subscriptionId: contoso.northwindNotes,
        tenantId: "contoso",
        via: "direct",
        users: [{ id: contoso.user("adele"), userPrincipalName: "adele@contoso.com" }],
      },
    });
    // The vendor sees it delivered, once.
    await expect
      .poll(async () => (await call("GET", "/vendor/v1/webhook/deliveries", { token: northwind })).body.items)
      .toMatchObject([{ id: request!.headers["webhook-id"], type: "license.granted", status: "delivered", attempts: 1, lastStatus: 204 }]);
  });

  it("an admin signed in with Entra ID (LicenseAdmin by the token's wids) gives a seat: license.granted, like any caller's", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    const token = await entra.sign(claimsFor("lidia@contoso.com", { roles: ["LicenseAdmin"] }));
    const assigned = await changeLicense(token, contoso.northwindNotes, "assign", [principal.user("grady")]);
    expect(assigned.status).toBe(200);
    const events = eventsOf(await hook.until((requests) => requests.length >= 1), secret);
    expect(events).toMatchObject([
      { type: "license.granted", data: { via: "direct", users: [{ id: contoso.user("grady"), userPrincipalName: "grady@contoso.com" }] } },
    ]);
    // A refusal by the token's roles emits nothing: a GlobalReader may not assign (R10).
    const reader = await entra.sign(claimsFor("grady@contoso.com", { roles: ["GlobalReader"] }));
    expect((await changeLicense(reader, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(403);
    await pause(500);
    expect(await hook.received()).toHaveLength(1);
  });

  it("license.granted via group and via the waiting list, license.revoked (unassigned) and subscription.changed, in commit order", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    // Northwind Notes: 5 seats, lidia, alex and diego hold 3.
    expect((await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")])).body).toMatchObject({
      newlyLicensedUsers: 2,
      newlyWaitingUsers: 13,
    });
    expect((await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia")])).body).toMatchObject({
      releasedSeats: 1,
      filledFromWaiting: 1,
    });
    const raised = await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: northwind, body: { quantity: 8 } });
    expect(raised.status).toBe(200);

    const events = eventsOf(await hook.until((requests) => requests.length >= 5), secret);
    expect(
      events.map((event) => [event.type, "via" in event.data ? event.data.via : "reason" in event.data ? event.data.reason : "-"]),
    ).toEqual([
      ["license.granted", "group"],
      ["license.revoked", "unassigned"],
      ["license.granted", "waitingList"],
      ["subscription.changed", "-"],
      ["license.granted", "waitingList"],
    ]);
    expect(events[0]!.data).toMatchObject({ users: [{ id: contoso.user("user09") }, { id: contoso.user("user10") }] });
    expect(events[1]!.data).toMatchObject({ users: [{ id: contoso.user("lidia"), userPrincipalName: "lidia@contoso.com" }] });
    expect(events[2]!.data).toMatchObject({ users: [{ id: contoso.user("user11") }] });
    expect(events[3]).toMatchObject({
      type: "subscription.changed",
      data: {
        subscriptionId: contoso.northwindNotes,
        tenantId: "contoso",
        status: "active",
        seats: { purchased: 8, assigned: 8, waiting: 9 },
      },
    });
    expect(events[4]!.data).toMatchObject({
      users: [{ id: contoso.user("user12") }, { id: contoso.user("user13") }, { id: contoso.user("user14") }],
    });
    // Each event's timestamp is its change's.
    for (const event of events) expect(Date.parse(event.timestamp)).toBeLessThanOrEqual(Date.now());
  });

  it("license.revoked by the directory: removedFromGroup, userDeleted and groupDeleted (SCIM)", async () => {
    const hook = endpoint();
    const secret = await setWebhook(litware, hook.url);
    // Litware Chat is assigned to Design: meiling, joni, user24 … user26.
    const removed = await scim("PATCH", `/Groups/${contoso.group("Design")}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "remove", path: `members[value eq "${contoso.user("joni")}"]` }],
    });
    expect(removed.status).toBeLessThan(300);
    expect((await scim("DELETE", `/Users/${contoso.user("meiling")}`)).status).toBe(204);
    expect((await scim("DELETE", `/Groups/${contoso.group("Design")}`)).status).toBe(204);

    const events = eventsOf(await hook.until((requests) => requests.length >= 3), secret);
    expect(events.map((event) => [event.type, "reason" in event.data ? event.data.reason : null, event.data.subscriptionId])).toEqual([
      ["license.revoked", "removedFromGroup", contoso.litwareChat],
      ["license.revoked", "userDeleted", contoso.litwareChat],
      ["license.revoked", "groupDeleted", contoso.litwareChat],
    ]);
    const users = (i: number) => ("users" in events[i]!.data ? events[i]!.data.users.map((user) => user.id).sort() : []);
    expect(users(0)).toEqual([contoso.user("joni")]);
    expect(users(1)).toEqual([contoso.user("meiling")]);
    expect(users(2)).toEqual([contoso.user("user24"), contoso.user("user25"), contoso.user("user26")].sort());
  });

  it("a change refused by a rule, or previewed, emits nothing; the next committed change is the first event sent", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    const refused = await changeLicense(megan, contoso.northwindNotes, "assign", [
      principal.user("adele"),
      principal.user("megan"),
      principal.user("ben"),
    ]);
    expect(refused.body.error.code).toBe("NotEnoughLicenses");
    const previewed = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")], { dryRun: true });
    expect(previewed.body).toMatchObject({ dryRun: true, newlyLicensedUsers: 1 });
    const unassignPreview = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia")], { dryRun: true });
    expect(unassignPreview.body).toMatchObject({ dryRun: true, releasedSeats: 1 });
    // Nothing waits in the store's outbox or its notes of seats moved.
    expect(await inStore("contoso", (sql) => sql.exec(`SELECT COUNT(*) AS n FROM outbox WHERE topic = 'webhook'`).one().n)).toBe(0);
    expect(await inStore("contoso", (sql) => sql.exec(`SELECT COUNT(*) AS n FROM license_changes`).one().n)).toBe(0);

    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("ben")]);
    const events = eventsOf(await hook.until((requests) => requests.length >= 1), secret);
    await pause(500);
    expect(await hook.received()).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ users: [{ id: contoso.user("ben") }] });
    expect(await recordedDeliveries("ven_northwind")).toHaveLength(1);
  });

  it("a change of more than 1,000 users sends several events of at most 1,000, in order", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    const now = new Date().toISOString();
    await inStore("contoso", (sql) => {
      sql.exec(
        `WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 2500)
         INSERT INTO users (id, user_principal_name, display_name, created_at)
         SELECT printf('usr_bulk%04d', value), printf('bulk%04d@contoso.com', value), printf('Bulk %04d', value), ?1 FROM n`,
        now,
      );
      sql.exec(`INSERT INTO groups (id, display_name, created_at) VALUES ('grp_bulk', 'Bulk', ?1)`, now);
      sql.exec(
        `INSERT INTO group_members (group_id, user_id, added_at) SELECT 'grp_bulk', id, ?1 FROM users WHERE id LIKE 'usr_bulk%'`,
        now,
      );
    });
    await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: northwind, body: { quantity: 3000 } });
    const assigned = await changeLicense(megan, contoso.northwindNotes, "assign", [{ type: "group", id: "grp_bulk" }]);
    expect(assigned.body).toMatchObject({ newlyLicensedUsers: 2500, newlyWaitingUsers: 0 });
    const unassigned = await changeLicense(megan, contoso.northwindNotes, "unassign", [{ type: "group", id: "grp_bulk" }]);
    expect(unassigned.body).toMatchObject({ releasedSeats: 2500 });

    const events = eventsOf(await hook.until((requests) => requests.length >= 7, 30_000), secret);
    expect(events.map((event) => [event.type, "users" in event.data ? event.data.users.length : 0])).toEqual([
      ["subscription.changed", 0],
      ["license.granted", 1000],
      ["license.granted", 1000],
      ["license.granted", 500],
      ["license.revoked", 1000],
      ["license.revoked", 1000],
      ["license.revoked", 500],
    ]);
    const granted = events.slice(1, 4).flatMap((event) => ("users" in event.data ? event.data.users.map((user) => user.id) : []));
    expect(new Set(granted).size).toBe(2500);
    expect(granted[0]).toBe("usr_bulk0001");
    expect(granted.at(-1)).toBe("usr_bulk2500");
  });

  it("each vendor is sent only its own apps' events, from every tenant, and sees only its own deliveries", async () => {
    const notes = endpoint();
    const chat = endpoint();
    const notesSecret = await setWebhook(northwind, notes.url);
    await setWebhook(litware, chat.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const pradeep = await as("pradeep@fabrikam.com");
    await changeLicense(pradeep, fabrikam.northwindNotes, "assign", [{ type: "user", id: fabrikam.user("pradeep") }]);

    const events = eventsOf(await notes.until((requests) => requests.length >= 2), notesSecret);
    expect(events.map((event) => event.data.tenantId).sort()).toEqual(["contoso", "fabrikam"]);
    await pause(500);
    expect(await chat.received()).toEqual([]);
    const litwareDeliveries = await call("GET", "/vendor/v1/webhook/deliveries", { token: litware });
    expect(litwareDeliveries.body.items).toEqual([]);
    // Another vendor's delivery is as unknown as none.
    const retried = await call("POST", `/vendor/v1/webhook/deliveries/${events[0]!.id}/retry`, { token: litware });
    expect(retried.status).toBe(404);
    expect(retried.body.error.code).toBe("NotFound");
  });

  it("a vendor whose endpoint hangs holds back neither the admin's request nor another vendor's deliveries", async () => {
    const stuck = endpoint();
    const chat = endpoint();
    await stuck.behave({ hang: true });
    await setWebhook(northwind, stuck.url);
    const chatSecret = await setWebhook(litware, chat.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    await stuck.until((requests) => requests.length >= 1);
    // The hanging request is open now; the other vendor's event goes through regardless.
    const started = Date.now();
    const answer = await changeLicense(megan, contoso.litwareChat, "assign", [principal.user("adele")]);
    expect(answer.status).toBe(200);
    const [request] = await chat.until((requests) => requests.length >= 1, 5_000);
    expect(request!.at - started).toBeLessThan(5_000);
    expect(eventsOf([request!], chatSecret)[0]).toMatchObject({ type: "license.granted", data: { subscriptionId: contoso.litwareChat } });
    expect((await recordedDeliveries("ven_northwind"))[0]).toMatchObject({ status: "pending" });
  });

  it("a delivery whose queue message was lost is woken by its tenant's store once overdue", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const [sent] = await hook.until((requests) => requests.length >= 1);
    // As if a second event had been recorded and its message lost (a restart of the local queue).
    const dueAt = new Date(Date.now() - 60_000).toISOString();
    await db()
      .prepare(
        `INSERT INTO webhook_deliveries (id, vendor_id, tenant_id, subscription_id, store_seq, type, status, created_at, next_attempt_at)
         SELECT 'evt_lost', vendor_id, tenant_id, subscription_id, store_seq + 1, type, 'pending', ?2, ?2 FROM webhook_deliveries WHERE id = ?1`,
      )
      .bind(sent!.headers["webhook-id"], dueAt)
      .run();
    await inStore("contoso", (sql) =>
      sql.exec(`INSERT INTO webhook_bodies (id, body, created_at) VALUES ('evt_lost', ?, ?)`, sent!.body, dueAt),
    );
    await storeLooksNow("contoso");
    const requests = await hook.until((list) => list.some((request) => request.headers["webhook-id"] === "evt_lost"));
    expect(eventsOf(requests, secret).map((event) => event.id)).toEqual([sent!.headers["webhook-id"], "evt_lost"]);
    await expect.poll(async () => (await recordedDeliveries("ven_northwind")).map((row) => row.status)).toEqual(["delivered", "delivered"]);
    // The store looks again 30 seconds later at the earliest, when this one is done.
    const watch = await inStore("contoso", (sql) => sql.exec(`SELECT next_check_at FROM webhook_watch`).one().next_check_at as number);
    expect(watch - Date.now()).toBeGreaterThan(25_000);
  });
});
