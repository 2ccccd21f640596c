import { beforeEach, describe, expect, it } from "vitest";
import { type BoundCheck, type Check, GuardFailed, guard, runBatch } from "../../../worker/src/licensing/batch.js";
import { existInTenantSql } from "../../../worker/src/licensing/principals.js";
import { as, changeLicense, contoso, db, fabrikam, freshDemo, principal, snapshot } from "../support.js";

/** A write that shows whether the rest of a batch was stored. */
const marker = () =>
  db().prepare(`INSERT INTO tenants (id, display_name, created_at) VALUES ('marker', 'Marker', '2026-01-01T00:00:00.000Z')`);
const markerStored = async () =>
  (await db().prepare(`SELECT COUNT(*) AS n FROM tenants WHERE id = 'marker'`).first<{ n: number }>())!.n === 1;

/** The rule a batch was refused for, or null if it was stored. */
async function refusal(statements: D1PreparedStatement[]): Promise<string | null> {
  try {
    await runBatch(db(), statements);
    return null;
  } catch (error) {
    if (error instanceof GuardFailed) return error.code;
    throw error;
  }
}

describe("a guard at the head of a change's batch", () => {
  beforeEach(freshDemo);

  it("lets the batch go on when every check holds", async () => {
    const checks: Check[] = [
      { code: "NotFound", ok: "1 = 1" },
      { code: "SubscriptionNotUsable", ok: "?1 = 'usable'" },
    ];
    expect(await refusal([guard(db(), checks, "usable"), marker()])).toBeNull();
    expect(await markerStored()).toBe(true);
  });

  it("is refused for the first check that fails, an unknown answer included, and nothing of the batch is stored", async () => {
    const cases: [Check[], string][] = [
      [
        [
          { code: "NotFound", ok: "0" },
          { code: "NotEnoughLicenses", ok: "0" },
        ],
        "NotFound",
      ],
      [
        [
          { code: "NotFound", ok: "1" },
          { code: "SubscriptionNotUsable", ok: "0" },
          { code: "NotEnoughLicenses", ok: "0" },
        ],
        "SubscriptionNotUsable",
      ],
      [
        [
          { code: "NotFound", ok: "1" },
          { code: "NotEnoughLicenses", ok: "NULL" },
        ],
        "NotEnoughLicenses",
      ],
      [[{ code: "InheritedLicense", ok: "0" }], "InheritedLicense"],
    ];
    for (const [checks, code] of cases) {
      expect(await refusal([marker(), guard(db(), checks)])).toBe(code);
      expect(await markerStored()).toBe(false);
    }
  });

  it("takes a check that brings its own parameters, numbered from ?1, bound after the guard's own", async () => {
    const own = (expected: string): BoundCheck => ({
      code: "CallerChanged",
      ok: "?1 = 'caller' AND ?2 = ?3",
      params: ["caller", expected, "same"],
    });
    const shared: Check = { code: "NotFound", ok: "?1 = 'found'" };
    expect(await refusal([guard(db(), [own("same"), shared], "found"), marker()])).toBeNull();
    expect(await markerStored()).toBe(true);
    expect(await refusal([guard(db(), [own("other"), shared], "found")])).toBe("CallerChanged");
    expect(await refusal([guard(db(), [own("same"), shared], "missing")])).toBe("NotFound");
  });
});

describe("R11: the check that a change's subscription and principals are in the caller's tenant", () => {
  beforeEach(freshDemo);

  const inTenant = async (tenant: string, subscription: string, users: string[], groups: string[]) =>
    (await db()
      .prepare(`SELECT (${existInTenantSql("?1", "?2", { usersJson: "?3", groupsJson: "?4" })}) AS ok`)
      .bind(tenant, subscription, JSON.stringify(users), JSON.stringify(groups))
      .first<{ ok: number }>())!.ok === 1;

  it("holds for the tenant's own subscription, users and groups", async () => {
    expect(await inTenant("contoso", contoso.fabrikamSign, [contoso.user("adele"), contoso.user("megan")], [contoso.group("Sales")])).toBe(
      true,
    );
    expect(await inTenant("contoso", contoso.fabrikamSign, [], [])).toBe(true);
  });

  it("fails for a subscription, user or group of another tenant or of none, and for a deleted user", async () => {
    expect(await inTenant("contoso", fabrikam.northwindNotes, [], [])).toBe(false);
    expect(await inTenant("contoso", "sub_unknown", [], [])).toBe(false);
    expect(await inTenant("contoso", contoso.fabrikamSign, [contoso.user("adele"), fabrikam.user("isaiah")], [])).toBe(false);
    expect(await inTenant("contoso", contoso.fabrikamSign, [], [contoso.group("Sales"), "grp_unknown"])).toBe(false);
    await db().prepare(`UPDATE users SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = ?1`).bind(contoso.user("adele")).run();
    expect(await inTenant("contoso", contoso.fabrikamSign, [contoso.user("adele")], [])).toBe(false);
  });
});

describe("a change whose guard refuses while a fresh read finds nothing wrong", () => {
  beforeEach(freshDemo);

  /** Makes every guard refuse, whatever its checks say: the disagreement a race would cause, every time. */
  const guardsAlwaysRefuse = (code: string) =>
    db()
      .prepare(`CREATE TRIGGER test_guard_disagrees INSTEAD OF INSERT ON batch_guard BEGIN SELECT RAISE(ABORT, 'guard:${code}'); END`)
      .run();

  it.each([
    ["assign", "NotEnoughLicenses", principal.user("adele")],
    ["unassign", "InheritedLicense", principal.user("lidia")],
  ] as const)(
    "%s is tried a bounded number of times, then answered 503 Unavailable with Retry-After, and nothing is stored",
    async (verb, code, who) => {
      const megan = await as("megan@contoso.com");
      await guardsAlwaysRefuse(code);
      const before = await snapshot();
      const answer = await changeLicense(megan, contoso.northwindNotes, verb, [who]);
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe("Unavailable");
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(await snapshot()).toBe(before);
    },
  );
});
