/**
 * What the admin's workbench asks of the worker: a CSV import's preview (who would get a seat,
 * who has one, who is unknown, whether the seats suffice), the record of when a vendor last
 * asked about each user, and the seats likely wasted that it reveals.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, contoso, freshDemo, snapshot, storeDb } from "../support.js";

const preview = (token: string, license: string, names: string[]) =>
  call("POST", `/api/v1/licenses/${license}/import/preview`, { token, body: { names } });

describe("a CSV import's preview", () => {
  beforeEach(freshDemo);

  it("tells, row by row, who would get a seat, who has one, who is unknown or repeated; and whether seats suffice", async () => {
    const megan = await as("megan@contoso.com");
    const before = await snapshot();
    // Northwind Notes: 5 seats, lidia, alex and diego hold 3.
    const answer = await preview(megan, contoso.northwindNotes, [
      "ADELE@contoso.com",
      "lidia@contoso.com",
      "nobody@contoso.com",
      "adele@contoso.com",
      "",
      "user01@contoso.com",
      "user02@contoso.com",
      "isaiah@fabrikam.com",
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.rows.map((r: { outcome: string }) => r.outcome)).toEqual([
      "assign",
      "alreadyLicensed",
      "unknown",
      "duplicate",
      "blank",
      "assign",
      "assign",
      "unknown",
    ]);
    expect(answer.body.rows[0]).toMatchObject({
      row: 0,
      name: "ADELE@contoso.com",
      user: { id: contoso.user("adele"), accountEnabled: true },
    });
    expect(answer.body.rows[1]).toMatchObject({ state: "active", user: { id: contoso.user("lidia") } });
    expect(answer.body.counts).toEqual({ assign: 3, alreadyLicensed: 1, unknown: 2, duplicate: 1, blank: 1 });
    expect(answer.body.seats).toMatchObject({ purchased: 5, assigned: 3, available: 2 });
    expect(answer.body.enough).toBe(false);
    // A preview changes nothing.
    expect(await snapshot()).toBe(before);
  });

  it("takes 5,000 rows in one request; refuses more, and a reader (403), and another tenant's license (404)", async () => {
    const megan = await as("megan@contoso.com");
    const many = Array.from({ length: 5000 }, (_, i) => `user${String((i % 40) + 1).padStart(2, "0")}@contoso.com`);
    const answer = await preview(megan, contoso.fabrikamSign, many);
    expect(answer.status).toBe(200);
    expect(answer.body.rows).toHaveLength(5000);
    expect(answer.body.counts.duplicate).toBe(4960);
    expect((await preview(megan, contoso.fabrikamSign, [...many, "one@contoso.com"])).status).toBe(400);
    expect((await preview(await as("grady@contoso.com"), contoso.fabrikamSign, ["adele@contoso.com"])).status).toBe(403);
    expect((await preview(megan, "sub_fabrikam_northwind_notes", ["adele@contoso.com"])).status).toBe(404);
  });
});

describe("the vendor's usage-rights questions, and the seats they show idle", () => {
  beforeEach(freshDemo);

  const ask = (user: string) =>
    call("GET", `/vendor/v1/subscriptions/${contoso.northwindNotes}/usage-rights?user=${encodeURIComponent(user)}`, {
      token: demoVendorKey("northwind"),
    });
  const lastAsked = (user: string) =>
    storeDb()
      .prepare(`SELECT last_asked_at FROM usage_checks WHERE subscription_id = ?1 AND user_id = ?2`)
      .bind(contoso.northwindNotes, contoso.user(user))
      .first<{ last_asked_at: string }>();

  it("records when the vendor last asked about each known user, per subscription; not an unknown one", async () => {
    const before = Date.now();
    await ask("lidia@contoso.com");
    await ask(contoso.user("alex"));
    await ask("nobody@contoso.com");
    expect(new Date((await lastAsked("lidia"))!.last_asked_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await lastAsked("alex")).not.toBeNull();
    const rows = await storeDb().prepare(`SELECT COUNT(*) AS n FROM usage_checks`).first<{ n: number }>();
    expect(rows!.n).toBe(2);
  });

  it("lists a disabled account and seats the vendor has not asked about for 30 days, or never, with reasons", async () => {
    const megan = await as("megan@contoso.com");
    // Northwind Notes: lidia, alex, diego hold seats since DEMO.md's seed. The vendor asked about
    // lidia today, about alex 40 days ago; never about diego. Diego is then disabled.
    await ask("lidia@contoso.com");
    const longAgo = new Date(Date.now() - 40 * 24 * 3600_000).toISOString();
    await storeDb()
      .prepare(`INSERT INTO usage_checks (subscription_id, user_id, last_asked_at) VALUES (?1, ?2, ?3)`)
      .bind(contoso.northwindNotes, contoso.user("alex"), longAgo)
      .run();
    const since = await storeDb()
      .prepare(`SELECT MAX(since) AS since FROM licenses WHERE subscription_id = ?1`)
      .bind(contoso.northwindNotes)
      .first<{ since: string }>();
    expect(Date.now() - new Date(since!.since).getTime()).toBeGreaterThan(30 * 24 * 3600_000);
    await call("PATCH", `/api/v1/directory/users/${contoso.user("diego")}`, { token: megan, body: { accountEnabled: false } });

    const list = await call("GET", `/api/v1/licenses/${contoso.northwindNotes}/reclaim`, { token: megan });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { user: { id: string }; reason: string }) => [i.user.id, i.reason])).toEqual([
      [contoso.user("diego"), "disabled"],
      [contoso.user("alex"), "notAskedLately"],
    ]);
    expect(list.body.items[1]).toMatchObject({ lastAskedAt: longAgo, direct: true, viaGroups: [] });

    // Never asked: Engineering's members get seats through the group today; they are not listed until 30 days pass.
    const fresh = await call("GET", `/api/v1/licenses/${contoso.litwareChat}/reclaim`, { token: megan });
    expect(fresh.status).toBe(200);
    for (const item of fresh.body.items) expect(["neverAsked", "disabled"]).toContain(item.reason);
    expect((await call("GET", "/api/v1/licenses/sub_fabrikam_northwind_notes/reclaim", { token: megan })).status).toBe(404);
  });
});
