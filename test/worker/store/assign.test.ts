/**
 * Assigning in the tenant store (R1, R3, R4, R8, R11, R12, R14, R23), as plain transactional code
 * in the store's own SQLite: each rule on the answer and on the stored rows.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assign } from "../../../worker/src/store/assign.js";
import type { StoreChange } from "../../../worker/src/store/changes.js";
import { pendingEntries } from "../../../worker/src/store/outbox.js";
import type { TenantStore } from "../../../worker/src/store/tenant-store.js";
import { unassign } from "../../../worker/src/store/unassign.js";

const change: StoreChange = {
  actor: { type: "user", id: "usr_megan", displayName: "Megan Bowen" },
  requestId: "req_test",
  now: "2026-12-05T10:00:00.000Z",
};
const users = ["adele", "diego", "u1", "u2", "u3", "u4", "u5"];

/** A store of its own with seven users, the group Sales (u1…u5, joined in that order) and a subscription of `purchased` seats. */
function storeWith(purchased: number, status = "active") {
  const store = env.TENANT_STORES.get(env.TENANT_STORES.idFromName(`assign-${crypto.randomUUID()}`));
  return runInDurableObject(store, (_instance: TenantStore, state) => {
    const sql = state.storage.sql;
    for (const [i, name] of users.entries()) {
      sql.exec(
        `INSERT INTO users (id, user_principal_name, display_name, mail, created_at) VALUES (?, ?, ?, ?, ?)`,
        `usr_${name}`,
        `${name}@contoso.com`,
        `User ${name}`,
        `${name}@contoso.com`,
        `2026-01-0${1 + (i % 9)}T00:00:00.000Z`,
      );
    }
    sql.exec(
      `INSERT INTO groups (id, display_name, mail, created_at) VALUES ('grp_sales', 'Sales', 'sales@contoso.com', '2026-01-01T00:00:00.000Z')`,
    );
    for (const [i, name] of ["u3", "u1", "u2", "u4", "u5"].entries()) {
      sql.exec(
        `INSERT INTO group_members (group_id, user_id, added_at) VALUES ('grp_sales', ?, ?)`,
        `usr_${name}`,
        `2026-02-0${i + 1}T00:00:00.000Z`,
      );
    }
    sql.exec(
      `INSERT INTO subscriptions (id, app_id, plan, purchased, status, created_at, updated_at) VALUES ('sub_notes', 'app_northwind', 'Standard', ?, ?, ?, ?)`,
      purchased,
      status,
      change.now,
      change.now,
    );
    return store;
  });
}

/** Every row a change could write, to show that a refused or previewed one wrote nothing. */
const rowsOf = (store: DurableObjectStub<TenantStore>) =>
  runInDurableObject(store, (_instance: TenantStore, state) =>
    JSON.stringify(
      ["assignments", "licenses", "audit_events", "outbox"].map((table) =>
        state.storage.sql.exec(`SELECT * FROM ${table} ORDER BY 1, 2`).toArray(),
      ),
    ),
  );
const licenses = (store: DurableObjectStub<TenantStore>) =>
  runInDurableObject(store, (_instance: TenantStore, state) =>
    state.storage.sql
      .exec<{ user_id: string; state: string }>(`SELECT user_id, state FROM licenses ORDER BY seq`)
      .toArray()
      .map((row) => `${row.user_id}:${row.state}`),
  );
const run = (
  store: DurableObjectStub<TenantStore>,
  request: Omit<Parameters<typeof assign>[2], "subscriptionId" | "appName">,
  rule: typeof assign | typeof unassign = assign,
) =>
  runInDurableObject(store, (_instance: TenantStore, state) => {
    try {
      return {
        ok: true as const,
        answer: rule(state.storage, change, { subscriptionId: "sub_notes", appName: "Northwind Notes", ...request }),
      };
    } catch (error) {
      const { code, details } = error as { code: string; details: unknown };
      return { ok: false as const, code, details };
    }
  });
const user = (name: string) => ({ type: "user" as const, id: `usr_${name}` });
const sales = { type: "group" as const, id: "grp_sales" };

describe("assigning in the tenant store", () => {
  it("R3: users named directly get seats all or nothing: 4 users on 3 seats is 409 NotEnoughLicenses, nothing stored", async () => {
    const store = await storeWith(3);
    const before = await rowsOf(store);
    expect(await run(store, { principals: ["adele", "diego", "u1", "u2"].map(user) })).toEqual({
      ok: false,
      code: "NotEnoughLicenses",
      details: { needed: 4, available: 3 },
    });
    expect(await rowsOf(store)).toBe(before);
  });

  it("R3, R12, R23: users who fit get a seat each, one audit event and one outbox entry", async () => {
    const store = await storeWith(3);
    const outcome = await run(store, { principals: [user("adele"), user("diego"), user("adele")] });
    expect(outcome).toMatchObject({
      ok: true,
      answer: {
        assigned: [
          { type: "user", id: "usr_adele", displayName: "User adele", userPrincipalName: "adele@contoso.com" },
          { type: "user", id: "usr_diego" },
        ],
        alreadyAssigned: [],
        newlyLicensedUsers: 2,
        newlyWaitingUsers: 0,
        seats: { purchased: 3, assigned: 2, available: 1, waiting: 0, overBy: 0 },
        dryRun: false,
      },
    });
    expect(await licenses(store)).toEqual(["usr_adele:active", "usr_diego:active"]);
    const written = await runInDurableObject(store, (_instance: TenantStore, state) => ({
      audit: state.storage.sql.exec(`SELECT action, principals, summary FROM audit_events`).toArray(),
      outbox: pendingEntries(state.storage.sql).map((entry) => entry.payload),
    }));
    expect(written.audit).toEqual([
      {
        action: "license.assign",
        principals: JSON.stringify([user("adele"), user("diego")]),
        summary: "Assigned Northwind Notes to 2 user(s) or group(s)",
      },
    ]);
    expect(written.outbox).toEqual([expect.objectContaining({ subscriptionId: "sub_notes", assigned: 2, waiting: 0 })]);
    // Again: already assigned, nothing more written.
    const again = await run(store, { principals: [user("adele")] });
    expect(again).toMatchObject({ ok: true, answer: { assigned: [], alreadyAssigned: [{ id: "usr_adele" }], newlyLicensedUsers: 0 } });
  });

  it("R4: a group is never refused: members get seats while they last, the rest wait in membership order", async () => {
    const store = await storeWith(2);
    const outcome = await run(store, { principals: [sales] });
    expect(outcome).toMatchObject({
      ok: true,
      answer: {
        assigned: [{ type: "group", id: "grp_sales", displayName: "Sales", memberCount: 5 }],
        newlyLicensedUsers: 2,
        newlyWaitingUsers: 3,
        seats: { purchased: 2, assigned: 2, available: 0, waiting: 3, overBy: 0 },
      },
    });
    expect(await licenses(store)).toEqual(["usr_u3:active", "usr_u1:active", "usr_u2:waiting", "usr_u4:waiting", "usr_u5:waiting"]);
  });

  it("R1, R4: groups sharing members: each member joins once, at their first membership, and the queue follows that order", async () => {
    const store = await storeWith(3);
    await runInDurableObject(store, (_instance: TenantStore, state) => {
      state.storage.sql.exec(
        `INSERT INTO groups (id, display_name, created_at) VALUES ('grp_support', 'Support', '2026-01-01T00:00:00.000Z')`,
      );
      for (const [name, at] of [
        ["u5", "2026-01-15T00:00:00.000Z"],
        ["u1", "2026-03-01T00:00:00.000Z"],
        ["adele", "2026-02-02T12:00:00.000Z"],
      ]) {
        state.storage.sql.exec(`INSERT INTO group_members (group_id, user_id, added_at) VALUES ('grp_support', ?, ?)`, `usr_${name}`, at);
      }
    });
    const outcome = await run(store, { principals: [sales, { type: "group", id: "grp_support" }] });
    expect(outcome).toMatchObject({ ok: true, answer: { newlyLicensedUsers: 3, newlyWaitingUsers: 3 } });
    // Sales joined u3, u1, u2, u4, u5 on 1 … 5 February; Support u5 on 15 January, u1 on 1 March.
    expect(await licenses(store)).toEqual([
      "usr_u5:active",
      "usr_u3:active",
      "usr_u1:active",
      "usr_adele:waiting",
      "usr_u2:waiting",
      "usr_u4:waiting",
    ]);
  });

  it("R1: a user named directly and through a group holds one row; a waiting member named directly gets a seat", async () => {
    const store = await storeWith(3);
    await run(store, { principals: [sales] });
    expect(await licenses(store)).toEqual(["usr_u3:active", "usr_u1:active", "usr_u2:active", "usr_u4:waiting", "usr_u5:waiting"]);
    // No seat left: u4, waiting, needs one.
    expect(await run(store, { principals: [user("u4")] })).toMatchObject({
      ok: false,
      code: "NotEnoughLicenses",
      details: { needed: 1, available: 0 },
    });
    const both = await storeWith(5);
    await run(both, { principals: [user("u1"), sales] });
    const rows = await licenses(both);
    expect(rows.filter((row) => row.startsWith("usr_u1:"))).toEqual(["usr_u1:active"]);
    expect(rows).toHaveLength(5);
  });

  it("R8: a subscription that is not usable gives no seat: 409 SubscriptionNotUsable with its status", async () => {
    const store = await storeWith(10, "suspended");
    const before = await rowsOf(store);
    expect(await run(store, { principals: [user("adele")] })).toEqual({
      ok: false,
      code: "SubscriptionNotUsable",
      details: { status: "suspended" },
    });
    expect(await run(store, { principals: [sales] })).toMatchObject({ ok: false, code: "SubscriptionNotUsable" });
    expect(await rowsOf(store)).toBe(before);
  });

  it("R11: a principal this tenant does not have makes the whole request 404, and nothing is stored", async () => {
    const store = await storeWith(10);
    const before = await rowsOf(store);
    expect(await run(store, { principals: [user("adele"), { type: "user", id: "usr_fabrikam_isaiah" }] })).toMatchObject({
      ok: false,
      code: "NotFound",
    });
    expect(await rowsOf(store)).toBe(before);
  });

  it("R14: dryRun answers exactly what the change does, and changes nothing", async () => {
    const previewed = await storeWith(3);
    const real = await storeWith(3);
    const request = { principals: [user("adele"), sales] };
    const before = await rowsOf(previewed);
    const preview = await run(previewed, { ...request, dryRun: true });
    expect(await rowsOf(previewed)).toBe(before);
    const done = await run(real, request);
    expect(preview).toEqual({ ...done, answer: { ...(done as { answer: object }).answer, dryRun: true } });
  });
});

describe("unassigning in the tenant store", () => {
  const unassigned = (store: DurableObjectStub<TenantStore>, principals: Parameters<typeof assign>[2]["principals"], dryRun?: boolean) =>
    run(store, { principals, ...(dryRun ? { dryRun } : {}) }, unassign);
  const salesRef = { id: "grp_sales", displayName: "Sales" };

  it("R6: a user with a group path keeps the seat, and the answer says through which groups", async () => {
    const store = await storeWith(10);
    await run(store, { principals: [user("u1"), sales] });
    const outcome = await unassigned(store, [user("u1")]);
    expect(outcome).toMatchObject({
      ok: true,
      answer: {
        unassigned: [{ id: "usr_u1" }],
        notAssigned: [],
        stillLicensed: [{ userId: "usr_u1", viaGroups: [salesRef] }],
        releasedSeats: 0,
      },
    });
    expect(await licenses(store)).toContain("usr_u1:active");
  });

  it("R6: a user whose only paths are groups cannot be unassigned: 409 InheritedLicense names the groups, nothing stored", async () => {
    const store = await storeWith(10);
    await run(store, { principals: [sales] });
    const before = await rowsOf(store);
    expect(await unassigned(store, [user("u2"), user("u3")])).toEqual({
      ok: false,
      code: "InheritedLicense",
      details: {
        users: [
          { id: "usr_u2", viaGroups: [salesRef] },
          { id: "usr_u3", viaGroups: [salesRef] },
        ],
      },
    });
    expect(await rowsOf(store)).toBe(before);
    // Unassigned with the group in the same request, it goes.
    expect(await unassigned(store, [user("u2"), sales])).toMatchObject({
      ok: true,
      answer: { notAssigned: [{ id: "usr_u2" }], releasedSeats: 5 },
    });
    expect(await licenses(store)).toEqual([]);
  });

  it("R7, R5: a group unassigned releases the seats no path holds, and waiting users get them at once, in order", async () => {
    const store = await storeWith(3);
    await run(store, { principals: [user("adele"), user("diego")] });
    await run(store, { principals: [sales] });
    expect(await licenses(store)).toEqual([
      "usr_adele:active",
      "usr_diego:active",
      "usr_u3:active",
      "usr_u1:waiting",
      "usr_u2:waiting",
      "usr_u4:waiting",
      "usr_u5:waiting",
    ]);
    const outcome = await unassigned(store, [user("adele"), user("diego")]);
    expect(outcome).toMatchObject({
      ok: true,
      answer: { releasedSeats: 2, filledFromWaiting: 2, seats: { purchased: 3, assigned: 3, available: 0, waiting: 2, overBy: 0 } },
    });
    expect(await licenses(store)).toEqual(["usr_u3:active", "usr_u1:active", "usr_u2:active", "usr_u4:waiting", "usr_u5:waiting"]);
    const actions = await runInDurableObject(store, (_instance: TenantStore, state) =>
      state.storage.sql.exec<{ action: string; principals: string }>(`SELECT action, principals FROM audit_events ORDER BY seq`).toArray(),
    );
    expect(actions.slice(-2)).toEqual([
      { action: "license.unassign", principals: JSON.stringify([user("adele"), user("diego")]) },
      { action: "license.fill", principals: JSON.stringify([user("u1"), user("u2")]) },
    ]);
    // R7: the group goes, and every member's seat with it.
    expect(await unassigned(store, [sales])).toMatchObject({ ok: true, answer: { releasedSeats: 3, filledFromWaiting: 0 } });
    expect(await licenses(store)).toEqual([]);
  });

  it("what was not assigned is listed in notAssigned, safe to send again; dryRun answers exactly and changes nothing", async () => {
    const previewed = await storeWith(2);
    const real = await storeWith(2);
    for (const store of [previewed, real]) {
      await run(store, { principals: [user("adele"), sales] });
    }
    const before = await rowsOf(previewed);
    const request = [user("adele"), user("diego")];
    const preview = await unassigned(previewed, request, true);
    expect(await rowsOf(previewed)).toBe(before);
    const done = await unassigned(real, request);
    expect(done).toMatchObject({
      ok: true,
      answer: { unassigned: [{ id: "usr_adele" }], notAssigned: [{ id: "usr_diego" }], releasedSeats: 1, filledFromWaiting: 1 },
    });
    expect(preview).toEqual({ ...done, answer: { ...(done as { answer: object }).answer, dryRun: true } });
    expect(await unassigned(real, [user("adele")])).toMatchObject({
      ok: true,
      answer: { unassigned: [], notAssigned: [{ id: "usr_adele" }] },
    });
  });
});
