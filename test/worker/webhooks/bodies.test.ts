/**
 * Where a webhook event's body is kept (DESIGN.md, "Tenancy and scale": nothing per user in the
 * control plane): in its tenant's store, written in the change's transaction, read by the sender
 * for each attempt, forgotten once its delivery is done; a failed one kept for the vendor's retry.
 * The control plane's delivery names the event only. Deliveries recorded before this (D1
 * migration 0015) and events waiting in an outbox before it (store schema v3) are still sent.
 */
import { applyD1Migrations, reset, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { migrate } from "../../../worker/src/store/migrate.js";
import type { TenantStore } from "../../../worker/src/store/tenant-store.js";
import { addWebhookEvent, keepWebhookBodies } from "../../../worker/src/store/webhook-bodies.js";
import { as, call, changeLicense, contoso, db, env, freshDemo, inStore, principal, storeOf, storeRows } from "../support.js";
import { endpoint, eventsOf, recordedDeliveries, setWebhook, storeLooksNow, verified } from "./support.js";

const northwind = demoVendorKey("northwind");

/** The bodies Contoso's store keeps. */
const keptBodies = () => storeRows<{ id: string; body: string }>("contoso", `SELECT id, body FROM webhook_bodies ORDER BY id`);

/** Northwind's deliveries, as the control plane stores them. */
const deliveries = () => recordedDeliveries("ven_northwind");

/** An event as a delivery recorded before migration 0015 carried it. */
const oldEvent = (user: string) =>
  JSON.stringify({
    type: "license.granted",
    timestamp: "2026-12-05T12:00:00.000Z",
    data: {
      subscriptionId: contoso.northwindNotes,
      tenantId: "contoso",
      users: [{ id: contoso.user(user), userPrincipalName: `${user}@contoso.com` }],
      via: "direct",
    },
  });

describe("a webhook event's body", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("stays in its tenant's store until its delivery is done, sent the same on every attempt; the control plane keeps none", async () => {
    const hook = endpoint();
    await hook.behave({ failFirst: 1 });
    const secret = await setWebhook(northwind, hook.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const [failed] = await hook.until((requests) => requests.length >= 1);
    const id = failed!.headers["webhook-id"]!;
    // Pending: the store has the body that was signed; the delivery names the event and where it is from.
    expect(await keptBodies()).toEqual([{ id, body: failed!.body }]);
    expect(await deliveries()).toEqual([
      {
        id,
        tenant_id: "contoso",
        subscription_id: contoso.northwindNotes,
        type: "license.granted",
        status: "pending",
        attempts: 1,
        body: null,
      },
    ]);

    const [, taken] = await hook.until((requests) => requests.length >= 2, 30_000);
    expect(taken!.body).toBe(failed!.body);
    expect(eventsOf([failed!, taken!], secret)).toMatchObject([{ id, data: { users: [{ id: contoso.user("adele") }] } }]);
    // Delivered, the delivery stays, still without a body; the store forgets the body at its next look.
    await expect.poll(deliveries).toMatchObject([{ id, status: "delivered", body: null }]);
    await storeLooksNow("contoso");
    expect(await keptBodies()).toEqual([]);
  }, 45_000);

  it("of an event no webhook wants is forgotten when the outbox is handed over", async () => {
    const hook = endpoint();
    await hook.behave({ status: 500 });
    // Northwind wants only subscription.changed; Litware has no webhook at all.
    const secret = await setWebhook(northwind, hook.url, ["subscription.changed"]);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    await changeLicense(megan, contoso.litwareChat, "assign", [principal.user("adele")]);
    expect(
      (await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: northwind, body: { quantity: 9 } })).status,
    ).toBe(200);
    const [sent] = await hook.until((requests) => requests.length >= 1);
    await expect.poll(() => storeRows("contoso", `SELECT id FROM outbox`)).toEqual([]);
    // Only the wanted event's body is kept, while its delivery is pending; the two licenses' events left nothing.
    expect(verified(sent!, secret).type).toBe("subscription.changed");
    expect(await keptBodies()).toEqual([{ id: sent!.headers["webhook-id"], body: sent!.body }]);
    expect((await deliveries()).map((row) => row.type)).toEqual(["subscription.changed"]);
  });

  it("of a failed delivery is kept for the vendor's retry; those delivered, or of a webhook removed, go at the store's look", async () => {
    const hook = endpoint();
    await hook.behave({ status: 500 });
    await setWebhook(northwind, hook.url);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    const [pending] = await hook.until((requests) => requests.length >= 1);
    const pendingId = pending!.headers["webhook-id"]!;
    // As if two earlier events had been kept: one failed for 24 hours, one delivered whose body the sender could not forget.
    const at = new Date(Date.now() - 3600_000).toISOString();
    await db().batch(
      ["failed", "delivered"].map((status, i) =>
        db()
          .prepare(
            `INSERT INTO webhook_deliveries (id, vendor_id, tenant_id, subscription_id, store_seq, type, status, created_at, next_attempt_at)
             VALUES (?1, 'ven_northwind', 'contoso', ?2, ?3, 'license.granted', ?4, ?5, ?5)`,
          )
          .bind(`evt_earlier_${status}`, contoso.northwindNotes, -10 + i, status, at),
      ),
    );
    await inStore("contoso", (sql) => {
      for (const [status, user] of [
        ["failed", "lidia"],
        ["delivered", "alex"],
      ]) {
        sql.exec(`INSERT INTO webhook_bodies (id, body, created_at) VALUES (?, ?, ?)`, `evt_earlier_${status}`, oldEvent(user!), at);
      }
    });
    // The store's look forgets the delivered one's body, and keeps the pending and the failed ones'.
    await storeLooksNow("contoso");
    expect((await keptBodies()).map((row) => row.id).sort()).toEqual(["evt_earlier_failed", pendingId].sort());

    // The webhook removed takes its pending delivery with it; at the next look nothing is pending, and only the failed body stays.
    expect((await call("DELETE", "/vendor/v1/webhook", { token: northwind })).status).toBe(204);
    await storeLooksNow("contoso");
    expect(await keptBodies()).toEqual([{ id: "evt_earlier_failed", body: oldEvent("lidia") }]);
    expect(await inStore("contoso", (sql) => sql.exec(`SELECT COUNT(*) AS n FROM webhook_watch`).one().n)).toBe(0);

    // Set again, the vendor's retry sends the failed one with its kept body; once delivered, it goes too.
    await hook.behave({ status: 204 });
    const secret = await setWebhook(northwind, hook.url);
    expect((await call("POST", "/vendor/v1/webhook/deliveries/evt_earlier_failed/retry", { token: northwind })).status).toBe(202);
    const requests = await hook.until((list) => list.some((request) => request.headers["webhook-id"] === "evt_earlier_failed"));
    const retried = requests.find((request) => request.headers["webhook-id"] === "evt_earlier_failed")!;
    expect(retried.body).toBe(oldEvent("lidia"));
    expect(verified(retried, secret).data).toMatchObject({ users: [{ id: contoso.user("lidia") }] });
    await expect.poll(deliveries).toMatchObject([{ id: "evt_earlier_failed", status: "delivered" }, { status: "delivered" }]);
    await storeLooksNow("contoso");
    expect(await keptBodies()).toEqual([]);
  });

  it("kept by the thousand are asked about 2,000 a look, where the last look stopped, until every one has been", async () => {
    // 2,600 bodies whose deliveries are done (none is in the control plane), nothing pending.
    await inStore("contoso", (sql) =>
      sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2600)
         INSERT INTO webhook_bodies (id, body, created_at) SELECT printf('evt_done_%04d', i), '{}', '2026-12-06T00:00:00.000Z' FROM n`,
      ),
    );
    const watched = () => inStore("contoso", (sql) => sql.exec(`SELECT COUNT(*) AS n FROM webhook_watch`).one().n);
    await storeLooksNow("contoso");
    expect(await keptBodies()).toHaveLength(600);
    // Not all asked about yet: the store looks again, although nothing is pending.
    expect(await watched()).toBe(1);
    await storeLooksNow("contoso");
    expect(await keptBodies()).toEqual([]);
    expect(await watched()).toBe(0);
  });

  it("of a delivery recorded before the bodies moved to the stores is sent from the control plane, and cleared once delivered", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    const due = new Date(Date.now() - 60_000).toISOString();
    await db()
      .prepare(
        `INSERT INTO webhook_deliveries (id, vendor_id, tenant_id, subscription_id, store_seq, type, body, status, created_at, next_attempt_at)
         VALUES ('evt_recorded_before', 'ven_northwind', 'contoso', ?1, 1, 'license.granted', ?2, 'pending', ?3, ?3)`,
      )
      .bind(contoso.northwindNotes, oldEvent("diego"), due)
      .run();
    await storeLooksNow("contoso");
    const [request] = await hook.until((requests) => requests.length >= 1);
    expect(request!.headers["webhook-id"]).toBe("evt_recorded_before");
    expect(request!.body).toBe(oldEvent("diego"));
    expect(verified(request!, secret).data).toMatchObject({ users: [{ id: contoso.user("diego") }] });
    await expect.poll(deliveries).toMatchObject([{ id: "evt_recorded_before", status: "delivered", body: null }]);
  });
});

describe("the sender's read of a body", () => {
  beforeEach(freshDemo);

  it("finds it at every moment of the hand-over: with its outbox entry, then kept once the entry has gone", async () => {
    const store = storeOf("contoso");
    const body = oldEvent("adele");
    const id = await runInDurableObject(store, (_instance: TenantStore, state) => {
      addWebhookEvent(state.storage.sql, contoso.northwindNotes, "license.granted", body, "2026-12-06T00:00:00.000Z");
      return state.storage.sql.exec<{ id: string }>(`SELECT id FROM outbox WHERE topic = 'webhook'`).one().id;
    });
    // The control plane has recorded it and woken the sender, while the entry is still in the outbox.
    expect(await store.webhookBody("contoso", id)).toBe(body);
    await runInDurableObject(store, (_instance: TenantStore, state) => {
      keepWebhookBodies(state.storage.sql, [id]);
      state.storage.sql.exec(`DELETE FROM outbox`);
    });
    expect(await store.webhookBody("contoso", id)).toBe(body);
    expect(await store.webhookBody("contoso", "evt_unknown")).toBeNull();
  });
});

describe("moving the bodies out of the control plane", () => {
  it("D1 migration 0015 keeps every delivery, and the bodies of those not delivered", async () => {
    await reset();
    await applyD1Migrations(
      env.DB,
      env.TEST_MIGRATIONS.filter((migration) => migration.name < "0015"),
    );
    const at = "2026-12-05T12:00:00.000Z";
    await env.DB.batch(
      (["pending", "delivered", "failed"] as const).map((status, i) =>
        env.DB.prepare(
          `INSERT INTO webhook_deliveries (id, vendor_id, tenant_id, subscription_id, store_seq, type, body, status, attempts, created_at,
                                           first_attempt_at, last_attempt_at, last_status, next_attempt_at)
           VALUES (?1, 'ven_northwind', 'contoso', ?2, ?3, 'license.granted', ?4, ?5, ?3, ?6, ?6, ?6, 500, ?6)`,
        ).bind(`evt_${status}`, contoso.northwindNotes, i + 1, oldEvent("adele"), status, at),
      ),
    );
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    const rows = (
      await env.DB.prepare(`SELECT id, status, attempts, store_seq, last_status, body FROM webhook_deliveries ORDER BY store_seq`).all()
    ).results;
    expect(rows).toEqual([
      { id: "evt_pending", status: "pending", attempts: 1, store_seq: 1, last_status: 500, body: oldEvent("adele") },
      { id: "evt_delivered", status: "delivered", attempts: 2, store_seq: 2, last_status: 500, body: null },
      { id: "evt_failed", status: "failed", attempts: 3, store_seq: 3, last_status: 500, body: oldEvent("adele") },
    ]);
    const indexes = (
      await env.DB.prepare(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'webhook_deliveries' AND sql IS NOT NULL`,
      ).all()
    ).results.map((row) => row.name);
    expect(indexes.sort()).toEqual([
      "webhook_deliveries_by_tenant",
      "webhook_deliveries_by_vendor",
      "webhook_deliveries_by_vendor_status",
      "webhook_deliveries_in_order",
    ]);
  });

  it("store schema v3 moves the body of an event waiting in the outbox out of the payload the control plane is sent", async () => {
    const store = storeOf(`bodies-${crypto.randomUUID()}`);
    const moved = await runInDurableObject(store, (_instance: TenantStore, state) => {
      const sql = state.storage.sql;
      // The store as schema v2 left it, an event waiting in its outbox with its body.
      sql.exec(`DROP TABLE webhook_bodies`);
      sql.exec(`ALTER TABLE outbox DROP COLUMN body`);
      sql.exec(`DELETE FROM store_migrations WHERE version >= 3`);
      const event = JSON.parse(oldEvent("adele"));
      sql.exec(
        `INSERT INTO outbox (id, topic, payload, created_at) VALUES ('evt_waiting', 'webhook', ?, ?), ('evt_index', 'control.subscription', '{"topic":"control.subscription"}', ?)`,
        JSON.stringify({ topic: "webhook", subscriptionId: contoso.northwindNotes, event }),
        event.timestamp,
        event.timestamp,
      );
      return {
        applied: migrate(state.storage),
        outbox: sql
          .exec<{ id: string; payload: string; body: string | null }>(`SELECT id, payload, body FROM outbox ORDER BY seq`)
          .toArray(),
      };
    });
    expect(moved.applied[0]).toBe(3);
    expect(
      moved.outbox.map((row) => ({ id: row.id, payload: JSON.parse(row.payload), body: row.body === null ? null : JSON.parse(row.body) })),
    ).toEqual([
      {
        id: "evt_waiting",
        payload: { topic: "webhook", subscriptionId: contoso.northwindNotes, type: "license.granted" },
        body: JSON.parse(oldEvent("adele")),
      },
      { id: "evt_index", payload: { topic: "control.subscription" }, body: null },
    ]);
  });
});
