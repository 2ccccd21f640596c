/**
 * The tenant store (DESIGN.md, "Tenancy and scale"), its first parts: its own numbered migrations,
 * applied once when it wakes; a change and its outbox entry in one transaction (R22, R23); the
 * outbox delivered to the control plane by the store's alarm, in order, at least once, a repeated
 * or late delivery changing nothing; a store that answers only for its own tenant (R21).
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { deliverToControlPlane } from "../../../worker/src/control/plane.js";
import { migrate, schemaVersion } from "../../../worker/src/store/migrate.js";
import type { StoreCall } from "../../../worker/src/store/operations.js";
import { addToOutbox, deliverOutbox, pendingEntries } from "../../../worker/src/store/outbox.js";
import { storeMigrations } from "../../../worker/src/store/schema.js";
import type { StoreAnswer, TenantStore } from "../../../worker/src/store/tenant-store.js";
import { db, freshDemo } from "../support.js";

const storeOf = (tenantId: string) => env.TENANT_STORES.get(env.TENANT_STORES.idFromName(tenantId));

interface SubscriptionTerms {
  id: string;
  appId: string;
  plan: string;
  purchased: number;
  status: "active" | "warning";
  renewsAt: string | null;
}

/**
 * The vendor sets a subscription's terms in the tenant's store, as its purchase and its changes
 * do (one call each): bought the first time, changed after. Answers the seats.
 */
async function setSubscription(
  store: DurableObjectStub<TenantStore>,
  tenantId: string,
  subscription: SubscriptionTerms,
  now = new Date().toISOString(),
) {
  const call: StoreCall = {
    tenantId,
    requestId: "req_test",
    now,
    credential: { kind: "vendor", id: "ven_northwind", name: "Northwind Traders" },
  };
  const serve = store.serve as unknown as (call: StoreCall, name: string, args: unknown) => Promise<StoreAnswer<{ seats: unknown }>>;
  const known = await serve(call, "subscription", { id: subscription.id });
  const answer = known.ok
    ? await serve(call, "updateSubscription", {
        id: subscription.id,
        appName: "Northwind Notes",
        update: { quantity: subscription.purchased, status: subscription.status, renewsAt: subscription.renewsAt },
      })
    : await serve(call, "purchase", {
        id: subscription.id,
        app: { id: subscription.appId, name: "Northwind Notes" },
        purchase: {
          plan: subscription.plan,
          quantity: subscription.purchased,
          status: subscription.status,
          renewsAt: subscription.renewsAt,
        },
        broughtIn: null,
      });
  if (!answer.ok) throw new Error(`${answer.refusal.code}: ${answer.refusal.message}`);
  return answer.replay ? null : answer.value.seats;
}

const terms: SubscriptionTerms = {
  id: "sub_contoso_store_notes",
  appId: "app_northwind",
  plan: "Standard",
  purchased: 12,
  status: "active",
  renewsAt: null,
};
const indexed = (id: string) =>
  db()
    .prepare(
      `SELECT tenant_id, app_id, plan, purchased, status, active_licenses, waiting_licenses, store_seq FROM subscriptions WHERE id = ?1`,
    )
    .bind(id)
    .first();

describe("a tenant store", () => {
  beforeEach(freshDemo);

  it("applies its migrations once when it first wakes, and not again after it is evicted", async () => {
    const store = storeOf(`migrations-${crypto.randomUUID()}`);
    const first = await runInDurableObject(store, (_instance: TenantStore, state) => ({
      version: schemaVersion(state.storage),
      again: migrate(state.storage),
      tables: state.storage.sql
        .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'licenses', 'outbox')`)
        .toArray()
        .map((row) => row.name)
        .sort(),
    }));
    expect(first).toEqual({ version: storeMigrations.at(-1)!.version, again: [], tables: ["licenses", "outbox", "users"] });
    await evictDurableObject(store);
    const applied = await runInDurableObject(
      store,
      (_instance: TenantStore, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM store_migrations`).one().n,
    );
    expect(applied).toBe(storeMigrations.length);
  });

  it("a migration that fails applies nothing of itself, and is not recorded", async () => {
    const store = storeOf(`broken-${crypto.randomUUID()}`);
    const outcome = await runInDurableObject(store, (_instance: TenantStore, state) => {
      const broken = [{ version: 99, name: "broken", sql: `CREATE TABLE half_done (id INTEGER); SELECT * FROM no_such_table;` }];
      let error = "";
      try {
        migrate(state.storage, broken);
      } catch (thrown) {
        error = String(thrown);
      }
      return {
        error,
        version: schemaVersion(state.storage),
        halfDone: state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).toArray().length,
      };
    });
    expect(outcome.error).toMatch(/no_such_table/);
    expect(outcome.version).toBe(storeMigrations.at(-1)!.version);
    expect(outcome.halfDone).toBe(0);
  });

  it("R23: a subscription set in the store reaches the control plane's index through the outbox and the alarm", async () => {
    const store = storeOf("contoso");
    const seats = await setSubscription(store, "contoso", terms, "2026-12-05T10:00:00.000Z");
    expect(seats).toEqual({ purchased: 12, assigned: 0, available: 12, waiting: 0, overBy: 0 });
    // The alarm, set for now, delivers it (here, if it has not run yet).
    await runDurableObjectAlarm(store);
    await expect
      .poll(() => indexed(terms.id))
      .toEqual({
        tenant_id: "contoso",
        app_id: "app_northwind",
        plan: "Standard",
        purchased: 12,
        status: "active",
        active_licenses: 0,
        waiting_licenses: 0,
        store_seq: expect.any(Number),
      });
    expect(await runInDurableObject(store, (_instance: TenantStore, state) => pendingEntries(state.storage.sql))).toEqual([]);

    // The vendor lowers the quantity: the index follows, in order.
    await setSubscription(store, "contoso", { ...terms, purchased: 3, status: "warning" }, "2026-12-05T11:00:00.000Z");
    await runDurableObjectAlarm(store);
    await expect.poll(() => indexed(terms.id)).toMatchObject({ purchased: 3, status: "warning" });
  });

  it("R23: a delivery repeated or late changes nothing; entries are delivered in the store's order", async () => {
    const store = storeOf("contoso");
    await setSubscription(store, "contoso", terms, "2026-12-05T10:00:00.000Z");
    await runDurableObjectAlarm(store);
    await expect.poll(() => indexed(terms.id)).toMatchObject({ purchased: 12 });
    const olderSeq = ((await indexed(terms.id)) as { store_seq: number }).store_seq;
    await setSubscription(store, "contoso", { ...terms, purchased: 30 }, "2026-12-05T11:00:00.000Z");
    await runDurableObjectAlarm(store);
    await expect.poll(() => indexed(terms.id)).toMatchObject({ purchased: 30 });
    // The older entry comes again (at least once): the index keeps the newer figures.
    await deliverToControlPlane(db(), "contoso", [{ seq: olderSeq, id: "evt_again", payload: entryOf(terms) }]);
    expect(await indexed(terms.id)).toMatchObject({ purchased: 30 });
  });

  it("R23: an entry added in a transaction that rolls back is never delivered", async () => {
    const store = storeOf(`rollback-${crypto.randomUUID()}`);
    const left = await runInDurableObject(store, (_instance: TenantStore, state) => {
      try {
        state.storage.transactionSync(() => {
          addToOutbox(state.storage.sql, { ...entryOf(terms), topic: "control.subscription" }, "2026-12-05T10:00:00.000Z");
          throw new Error("a rule refused the change");
        });
      } catch {
        // refused, as a rule would
      }
      return pendingEntries(state.storage.sql);
    });
    expect(left).toEqual([]);
  });

  it("a failed delivery keeps the entries, in order, and is tried again after a growing wait", async () => {
    const store = storeOf(`failing-${crypto.randomUUID()}`);
    const outcome = await runInDurableObject(store, async (_instance: TenantStore, state) => {
      addToOutbox(state.storage.sql, entryOf(terms), "2026-12-05T10:00:00.000Z");
      addToOutbox(state.storage.sql, entryOf({ ...terms, purchased: 2 }), "2026-12-05T10:00:01.000Z");
      const now = Date.parse("2026-12-05T10:00:02.000Z");
      const failing = async () => {
        throw new Error("D1 unavailable");
      };
      const first = await deliverOutbox(state.storage, failing, now);
      const second = await deliverOutbox(state.storage, failing, now);
      const delivered: number[] = [];
      const last = await deliverOutbox(state.storage, async (entries) => void delivered.push(...entries.map((e) => e.seq)), now);
      return { waits: [first! - now, second! - now], delivered: delivered.length, last, left: pendingEntries(state.storage.sql).length };
    });
    expect(outcome).toEqual({ waits: [1000, 2000], delivered: 2, last: null, left: 0 });
  });

  it("R21: a store answers only for the tenant it holds", async () => {
    const store = storeOf("fabrikam");
    await setSubscription(store, "fabrikam", { ...terms, id: "sub_fabrikam_store_notes" });
    let refused = "";
    try {
      await setSubscription(store, "contoso", terms);
    } catch (error) {
      refused = String(error);
    }
    expect(refused).toMatch(/another tenant/);
    expect(await indexed(terms.id)).toBeNull();
  });
});

/** The outbox payload of a subscription's terms, as a purchase writes it. */
function entryOf(subscription: SubscriptionTerms) {
  return {
    topic: "control.subscription" as const,
    subscriptionId: subscription.id,
    appId: subscription.appId,
    plan: subscription.plan,
    purchased: subscription.purchased,
    status: subscription.status,
    renewsAt: subscription.renewsAt,
    assigned: 0,
    waiting: 0,
    createdAt: "2026-12-05T10:00:00.000Z",
    updatedAt: "2026-12-05T10:00:00.000Z",
  };
}
