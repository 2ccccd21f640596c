/**
 * R2's `assigned` and the waiting queue's length are kept in each subscription's row (migration
 * 0005) by triggers on licenses: the guards, the answers and the summary read them instead of
 * counting rows. Here the triggers are driven by plain SQL, so every kind of write is covered
 * whichever change makes it; the rule tests check the same counts after every change through
 * the API (invariantViolations).
 */
import { applyD1Migrations, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { demoSeedStatements } from "../../../worker/seed/demo.js";
import { GuardFailed, guard, runBatch } from "../../../worker/src/licensing/batch.js";
import { contoso, db, env, freshDemo, stored } from "../support.js";

const counted = async (subscriptionId: string) =>
  (await db()
    .prepare(`SELECT active_licenses AS active, waiting_licenses AS waiting FROM subscriptions WHERE id = ?1`)
    .bind(subscriptionId)
    .first<{ active: number; waiting: number }>())!;

const insertLicense = (subscriptionId: string, user: string, state: "active" | "waiting") =>
  db()
    .prepare(
      `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since) VALUES (?1, ?2, 'contoso', ?3, '2026-03-01T00:00:00.000Z')`,
    )
    .bind(subscriptionId, contoso.user(user), state);

describe("the seat counts stored with each subscription", () => {
  beforeEach(freshDemo);

  it("follow every license inserted, moved between states, moved between subscriptions and deleted", async () => {
    const sub = contoso.tailspinMaps;
    const other = contoso.litwareChat;
    const before = { [sub]: await stored(sub), [other]: await stored(other) };
    const expectCounts = async (id: string, active: number, waiting: number) => {
      expect(await counted(id)).toEqual({ active: before[id]!.active + active, waiting: before[id]!.waiting + waiting });
      const rows = await stored(id);
      expect({ active: rows.active, waiting: rows.waiting }).toEqual(await counted(id));
    };

    await db().batch([
      insertLicense(sub, "adele", "active"),
      insertLicense(sub, "megan", "waiting"),
      insertLicense(sub, "grady", "waiting"),
    ]);
    await expectCounts(sub, 1, 2);

    await db()
      .prepare(`UPDATE licenses SET state = 'active' WHERE subscription_id = ?1 AND user_id = ?2`)
      .bind(sub, contoso.user("megan"))
      .run();
    await expectCounts(sub, 2, 1);

    // A write that leaves the state as it was changes no count.
    await db()
      .prepare(`UPDATE licenses SET state = 'active', since = '2026-03-02T00:00:00.000Z' WHERE subscription_id = ?1 AND user_id = ?2`)
      .bind(sub, contoso.user("adele"))
      .run();
    await expectCounts(sub, 2, 1);

    await db()
      .prepare(`UPDATE licenses SET subscription_id = ?2 WHERE subscription_id = ?1 AND user_id = ?3`)
      .bind(sub, other, contoso.user("grady"))
      .run();
    await expectCounts(sub, 2, 0);
    await expectCounts(other, 0, 1);

    await db()
      .prepare(`DELETE FROM licenses WHERE subscription_id = ?1 AND user_id IN (?2, ?3)`)
      .bind(sub, contoso.user("adele"), contoso.user("megan"))
      .run();
    await expectCounts(sub, 0, 0);
    await expectCounts(other, 0, 1);
  });

  it("are rolled back with the rest of a batch that a guard refuses", async () => {
    const sub = contoso.tailspinMaps;
    const before = await counted(sub);
    await expect(
      runBatch(db(), [insertLicense(sub, "adele", "active"), guard(db(), [{ code: "NotEnoughLicenses", ok: "0" }])]),
    ).rejects.toBeInstanceOf(GuardFailed);
    expect(await counted(sub)).toEqual(before);
    expect(await stored(sub)).toMatchObject(before);
  });
});

describe("migration 0005 on a database that already holds licenses", () => {
  it("counts each subscription's existing licenses", async () => {
    await reset();
    await applyD1Migrations(
      env.DB,
      env.TEST_MIGRATIONS.filter((migration) => migration.name < "0005"),
    );
    // The seed as it was then: no Entra ids (migration 0006) nor provisioning tokens (0007).
    const seedOfThen = (await demoSeedStatements()).filter(
      (sql) => !["entra_tenant_id", "provisioning_tokens"].some((later) => sql.includes(later)),
    );
    await env.DB.batch(seedOfThen.map((sql) => env.DB.prepare(sql)));
    await env.DB.prepare(
      `UPDATE licenses SET state = 'waiting' WHERE subscription_id = ?1 AND rowid = (SELECT MAX(rowid) FROM licenses WHERE subscription_id = ?1)`,
    )
      .bind(contoso.fabrikamSign)
      .run();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    const { results } = await db()
      .prepare(
        `SELECT s.id, s.active_licenses, s.waiting_licenses,
                (SELECT COUNT(*) FROM licenses l WHERE l.subscription_id = s.id AND l.state = 'active') AS active,
                (SELECT COUNT(*) FROM licenses l WHERE l.subscription_id = s.id AND l.state = 'waiting') AS waiting
           FROM subscriptions s`,
      )
      .all<{ id: string; active_licenses: number; waiting_licenses: number; active: number; waiting: number }>();
    expect(results.length).toBeGreaterThan(3);
    expect(results.some((row) => row.active > 0)).toBe(true);
    expect(results.find((row) => row.id === contoso.fabrikamSign)!.waiting).toBe(1);
    for (const row of results) expect([row.id, row.active_licenses, row.waiting_licenses]).toEqual([row.id, row.active, row.waiting]);
  });
});
