/**
 * Moving a deployment of the D1 design into tenant stores (npm run move-to-stores, through
 * /ops/v1/move): on a database seeded the old way — DEMO.md as the D1 design seeded it, every
 * tenant's rows in D1 — each tenant's rows reach its own store, counted on both sides; the move
 * goes on where it stopped; a chunk copied twice changes nothing; and the product then answers
 * from the stores exactly as the D1 design did.
 */
import { applyD1Migrations, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { demoSeedStatements, demoVendorKey } from "../../../worker/seed/demo.js";
import { sha256Hex } from "../../../worker/src/auth/secrets.js";
import { as, call, changeLicense, contoso, db, env, invariantViolations, principal, storeDb } from "../support.js";

/** A database as the D1 design left it: the migrations up to this version's, and DEMO.md seeded into D1's tenant tables. */
async function seededTheOldWay() {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  await env.DB.batch((await demoSeedStatements()).map((sql) => env.DB.prepare(sql)));
  // What a deployment has of the D1 design beyond the seed: a waiting queue, an audit trail, a check of usage.
  await env.DB.batch([
    env.DB.prepare(`UPDATE subscriptions SET purchased = 5 WHERE id = ?1`).bind(contoso.fabrikamSign),
    env.DB.prepare(
      `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since)
       VALUES (?1, 'usr_contoso_user30', 'contoso', 'waiting', '2026-03-01T00:00:00.000Z'),
              (?1, 'usr_contoso_user29', 'contoso', 'waiting', '2026-03-01T00:00:01.000Z')`,
    ).bind(contoso.tailspinMaps),
    env.DB.prepare(
      `INSERT INTO assignments (subscription_id, principal_type, principal_id, tenant_id, assigned_at, assigned_by)
       VALUES (?1, 'user', 'usr_contoso_user30', 'contoso', '2026-03-01T00:00:00.000Z', 'usr_contoso_megan'),
              (?1, 'user', 'usr_contoso_user29', 'contoso', '2026-03-01T00:00:01.000Z', 'usr_contoso_megan')`,
    ).bind(contoso.tailspinMaps),
    env.DB.prepare(
      `INSERT INTO audit_events (id, tenant_id, at, actor_type, actor_id, actor_name, action, subscription_id, principals, summary, request_id)
       VALUES ('evt_before_the_move', 'contoso', '2026-03-01T00:00:00.000Z', 'user', 'usr_contoso_megan', 'Megan Bowen',
               'license.assign', ?1, NULL, 'Assigned Tailspin Maps before the move', 'req_old')`,
    ).bind(contoso.tailspinMaps),
    env.DB.prepare(
      `INSERT INTO usage_checks (subscription_id, user_id, tenant_id, last_asked_at) VALUES (?1, 'usr_contoso_lidia', 'contoso', '2026-03-02T00:00:00.000Z')`,
    ).bind(contoso.northwindNotes),
    // An install started before the move, still waiting for its vendor: its id names no subscription.
    env.DB.prepare(
      `INSERT INTO installs (id, subscription_id, tenant_id, requested_by, requested_at)
       VALUES ('6f1c2d3e-0000-4000-8000-00000000be40', ?1, 'contoso', 'usr_contoso_megan', '2026-03-03T00:00:00.000Z')`,
    ).bind(contoso.northwindNotes),
  ]);
}

const move = (limit: number, token = "test-operator") =>
  call("POST", "/ops/v1/move", { body: { limit }, headers: { authorization: `Bearer ${token}` } });

/** Steps until the move is done; answers each tenant's verified counts. */
async function moveAll(limit = 25) {
  const verified: { tenantId: string; counts: Record<string, { d1: number; store: number }>; ok: boolean }[] = [];
  for (let steps = 0; steps < 500; steps++) {
    const answer = await move(limit);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    if (answer.body.done) return verified;
    if (answer.body.verified) verified.push(answer.body.verified);
  }
  throw new Error("the move did not end");
}

describe("moving a deployment of the D1 design into tenant stores", () => {
  beforeEach(seededTheOldWay);

  it("moves every tenant's rows into its own store and verifies the counts per tenant and table", async () => {
    const verified = await moveAll();
    expect(verified.map((v) => v.tenantId).sort()).toEqual(["contoso", "fabrikam"]);
    for (const tenant of verified) {
      expect(tenant.ok).toBe(true);
      for (const [table, counts] of Object.entries(tenant.counts)) expect(counts.store, `${tenant.tenantId} ${table}`).toBe(counts.d1);
    }
    const contosoCounts = verified.find((v) => v.tenantId === "contoso")!.counts;
    expect(contosoCounts.users!.d1).toBe(49);
    expect(contosoCounts.audit_events!.d1).toBe(1);
    expect(contosoCounts.licenses!.d1).toBeGreaterThan(20);
    // Each tenant's rows in its own store only (R21).
    expect(await storeDb("fabrikam").prepare(`SELECT COUNT(*) AS n FROM users WHERE id LIKE 'usr_contoso_%'`).first()).toEqual({ n: 0 });
    // The waiting queue keeps its order; the progress is recorded in D1.
    expect(
      (
        await storeDb()
          .prepare(`SELECT user_id FROM licenses WHERE subscription_id = ?1 AND state = 'waiting' ORDER BY seq`)
          .bind(contoso.tailspinMaps)
          .all()
      ).results,
    ).toEqual([{ user_id: "usr_contoso_user30" }, { user_id: "usr_contoso_user29" }]);
    const moves = await db().prepare(`SELECT tenant_id, moved_at IS NOT NULL AS moved FROM store_moves ORDER BY tenant_id`).all();
    expect(moves.results).toEqual([
      { tenant_id: "contoso", moved: 1 },
      { tenant_id: "fabrikam", moved: 1 },
    ]);
    expect(await invariantViolations()).toEqual([]);
  });

  it("the product answers from the stores as the D1 design did: sign-in, the summary, a change, the audit of before", async () => {
    const before = await db()
      .prepare(`SELECT COUNT(*) AS n FROM licenses WHERE subscription_id = ?1 AND state = 'active'`)
      .bind(contoso.fabrikamSign)
      .first<{ n: number }>();
    await moveAll(1000);
    const megan = await as("megan@contoso.com");
    const summary = await call("GET", "/api/v1/licenses", { token: megan });
    expect(summary.status).toBe(200);
    const sign = summary.body.items.find((item: { id: string }) => item.id === contoso.fabrikamSign);
    expect(sign.seats).toMatchObject({ purchased: 5, assigned: before!.n, overBy: before!.n - 5 });
    const audit = await call("GET", `/api/v1/audit?licenseId=${contoso.tailspinMaps}`, { token: megan });
    expect(audit.body.items.map((e: { id: string }) => e.id)).toContain("evt_before_the_move");
    const assigned = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    expect(assigned.status).toBe(200);
    const reclaim = await call("GET", `/api/v1/licenses/${contoso.northwindNotes}/reclaim`, { token: megan });
    expect(reclaim.status).toBe(200);
    const scim = await call("GET", "/scim/v2/Users?count=1", { token: "dev-scim-contoso" });
    expect(scim.status).toBe(200);
    expect(scim.body.totalResults).toBe(49);
  });

  it("stopped anywhere, it goes on where it was; a chunk copied twice changes nothing", async () => {
    for (let i = 0; i < 7; i++) expect((await move(10)).status).toBe(200);
    // The same chunk again, as after a crash between the copy and the record of its progress.
    await db().prepare(`UPDATE store_moves SET after_key = '0' WHERE tenant_id = 'contoso'`).run();
    const verified = await moveAll(10);
    expect(verified.every((tenant) => tenant.ok)).toBe(true);
    for (const tenant of verified) {
      for (const [table, counts] of Object.entries(tenant.counts)) expect(counts.store, `${tenant.tenantId} ${table}`).toBe(counts.d1);
    }
    // Run again once done: nothing more to do.
    expect((await move(10)).body).toMatchObject({ done: true });
  });

  it("a provisioning token the D1 design held without an expiry moves, and is refused as it was", async () => {
    const token = "old-token-without-expiry";
    const hash = await sha256Hex(token);
    await db()
      .prepare(
        `INSERT INTO provisioning_tokens (id, tenant_id, token_hash, created_at, created_by) VALUES ('prv_old', 'contoso', ?1, '2026-02-01T00:00:00.000Z', 'usr_contoso_megan')`,
      )
      .bind(hash)
      .run();
    const refusedBefore = await call("GET", "/scim/v2/Users?count=1", { token });
    const verified = await moveAll(1000);
    expect(verified.every((tenant) => tenant.ok)).toBe(true);
    expect(await storeDb().prepare(`SELECT expires_at FROM provisioning_tokens WHERE id = 'prv_old'`).first()).toEqual({
      expires_at: "2026-02-01T00:00:00.000Z",
    });
    const refusedAfter = await call("GET", "/scim/v2/Users?count=1", { token });
    expect([refusedBefore.status, refusedAfter.status]).toEqual([401, 401]);
  });

  it("an install started before the move is completed by its vendor after it, and by no other vendor", async () => {
    await moveAll(1000);
    const complete = (vendor: string) =>
      call("POST", "/vendor/v1/installs/6f1c2d3e-0000-4000-8000-00000000be40/complete", { token: demoVendorKey(vendor) });
    expect((await complete("fabrikam")).status).toBe(404);
    const done = await complete("northwind");
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toEqual({ installed: true });
    const megan = await as("megan@contoso.com");
    const license = await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan });
    expect(license.body.installed).toBe(true);
  });

  it("retiring drops D1's tenant tables only once every tenant is moved; the product then runs on the control plane and the stores", async () => {
    const retire = () => call("POST", "/ops/v1/move/retire", { headers: { authorization: "Bearer test-operator" } });
    expect((await retire()).body).toEqual({ retired: false, tenantsLeft: 2 });
    expect(await db().prepare(`SELECT COUNT(*) AS n FROM users`).first()).toEqual({ n: 49 + 2 });
    await moveAll(1000);
    expect((await retire()).body).toEqual({ retired: true, tenantsLeft: 0 });
    const left = await db()
      .prepare(
        `SELECT name FROM sqlite_master WHERE name IN ('users', 'licenses', 'audit_events', 'batch_guard', 'users_search') ORDER BY name`,
      )
      .all();
    expect(left.results).toEqual([]);
    // Again: nothing more to do; a move step finds nothing to move.
    expect((await retire()).body).toEqual({ retired: true, tenantsLeft: 0 });
    expect((await move(10)).body).toMatchObject({ done: true });
    const megan = await as("megan@contoso.com");
    expect((await call("GET", "/api/v1/licenses", { token: megan })).status).toBe(200);
    expect((await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(200);
  });

  it("is the operator's alone: without the operator token, or with another, 401 and nothing moves", async () => {
    expect((await call("POST", "/ops/v1/move", { body: { limit: 10 } })).status).toBe(401);
    expect((await move(10, "not-the-operator")).status).toBe(401);
    expect((await move(0)).status).toBe(400);
    expect(await db().prepare(`SELECT COUNT(*) AS n FROM store_moves WHERE table_name IS NOT NULL`).first()).toEqual({ n: 0 });
  });
});
