import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, changeLicense, contoso, freshDemo, invariantViolations, storeDb, stored, waitingQueue } from "../support.js";

const groupId = "grp_contoso_big";
const members = 10_000;

/** A 10,000-member group, arranged in SQL: users big00001 … big10000, members in that order. */
async function bigGroup() {
  const now = "2026-02-01T00:00:00.000Z";
  await storeDb().batch([
    storeDb().prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${members})
       INSERT INTO users (id, user_principal_name, display_name, mail, account_enabled, created_at)
       SELECT printf('usr_big_%05d', i), printf('big%05d@contoso.com', i), printf('Big User %05d', i), NULL, 1, '${now}' FROM n`,
    ),
    storeDb().prepare(`INSERT INTO groups (id, display_name, mail, created_at) VALUES ('${groupId}', 'Everyone Big', NULL, '${now}')`),
    storeDb().prepare(
      `INSERT INTO group_members (group_id, user_id, added_at)
       SELECT '${groupId}', id, strftime('%Y-%m-%dT%H:%M:%fZ', '${now}', '+' || substr(id, 9) || ' seconds') FROM users WHERE id LIKE 'usr_big_%'`,
    ),
  ]);
}

describe("a 10,000-member group", () => {
  beforeEach(async () => {
    await freshDemo();
    await bigGroup();
  });

  it("R4 at scale: assigned in one request with 6,000 seats, the rest waiting in membership order; unassigned in one request", async () => {
    const megan = await as("megan@contoso.com");
    await call("PUT", `/vendor/v1/subscriptions/${contoso.fabrikamSign}`, { token: demoVendorKey("fabrikam"), body: { quantity: 6000 } });

    const started = performance.now();
    const answer = await changeLicense(megan, contoso.fabrikamSign, "assign", [{ type: "group", id: groupId }]);
    const assignMs = performance.now() - started;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      newlyLicensedUsers: 5989,
      newlyWaitingUsers: 4011,
      seats: { purchased: 6000, assigned: 6000, waiting: 4011 },
    });
    expect(await stored(contoso.fabrikamSign)).toMatchObject({ active: 6000, waiting: 4011 });
    const queue = await waitingQueue(contoso.fabrikamSign);
    expect(queue[0]).toBe("usr_big_05990");
    expect(queue.at(-1)).toBe("usr_big_10000");
    expect(await invariantViolations()).toEqual([]);

    const unassignStarted = performance.now();
    const removed = await changeLicense(megan, contoso.fabrikamSign, "unassign", [{ type: "group", id: groupId }]);
    const unassignMs = performance.now() - unassignStarted;
    expect(removed.body).toMatchObject({ releasedSeats: 5989, filledFromWaiting: 0, seats: { assigned: 11, waiting: 0 } });
    expect(await invariantViolations()).toEqual([]);
    console.log(`figure: 10,000-member group assigned in ${assignMs.toFixed(0)} ms, unassigned in ${unassignMs.toFixed(0)} ms`);
  });
});
