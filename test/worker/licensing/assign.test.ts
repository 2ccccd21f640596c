import { AssignResult, ErrorBody } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import {
  as,
  auditActions,
  changeLicense,
  contoso,
  expectSummaryMatchesStore,
  freshDemo,
  invariantViolations,
  licenseState,
  principal,
  snapshot,
  stored,
  waitingQueue,
} from "../support.js";

describe("assigning licenses", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("R1: a user with several paths (direct, Sales, All Staff) holds one seat", async () => {
    const answer = await changeLicense(megan, contoso.fabrikamSign, "assign", [principal.group("All Staff"), principal.user("adele")]);
    expect(answer.status).toBe(200);
    const result = AssignResult.parse(answer.body);
    expect(result.assigned.map((p) => p.displayName)).toEqual(["All Staff"]);
    expect(result.alreadyAssigned.map((p) => p.displayName)).toEqual(["Adele Vance"]);
    // 49 users in all; 11 held seats already, 14 more fit in 25, the other 24 wait.
    expect(result.newlyLicensedUsers).toBe(14);
    expect(result.newlyWaitingUsers).toBe(24);
    const rows = await stored(contoso.fabrikamSign);
    expect(rows.active + rows.waiting).toBe(49);
    expect(rows).toMatchObject({ active: 25, waiting: 24 });
    expect(await invariantViolations()).toEqual([]);
  });

  it("R3: assigning more users than seats available is refused whole and changes nothing", async () => {
    const before = await snapshot();
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", [
      principal.user("adele"),
      principal.user("megan"),
      principal.user("ben"),
    ]);
    expect(answer.status).toBe(409);
    expect(ErrorBody.parse(answer.body).error).toMatchObject({ code: "NotEnoughLicenses", details: { needed: 3, available: 2 } });
    expect(await snapshot()).toBe(before);
  });

  it("R3: users who already hold a seat do not count as needing one", async () => {
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", [
      principal.user("lidia"),
      principal.user("adele"),
      principal.user("megan"),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ newlyLicensedUsers: 2, newlyWaitingUsers: 0, seats: { purchased: 5, assigned: 5, available: 0 } });
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 5, waiting: 0 });
    expect(await licenseState(contoso.northwindNotes, contoso.user("adele"))).toBe("active");
  });

  it("R4: a group is never refused for lack of seats; members beyond the seats wait in membership order", async () => {
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ newlyLicensedUsers: 2, newlyWaitingUsers: 13, seats: { assigned: 5, available: 0, waiting: 13 } });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user09"))).toBe("active");
    expect(await licenseState(contoso.northwindNotes, contoso.user("user10"))).toBe("active");
    const engineersWaiting = Array.from({ length: 13 }, (_, i) => contoso.user(`user${11 + i}`));
    expect(await waitingQueue(contoso.northwindNotes)).toEqual(engineersWaiting);

    // First come, first served across requests: Sales queues behind Engineering.
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Sales")]);
    const salesWaiting = ["adele", ...Array.from({ length: 8 }, (_, i) => `user0${i + 1}`)].map(contoso.user);
    expect(await waitingQueue(contoso.northwindNotes)).toEqual([...engineersWaiting, ...salesWaiting]);
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 5, waiting: 22 });
    expect(await invariantViolations()).toEqual([]);
    await expectSummaryMatchesStore(megan);
  });

  it("R8: a suspended subscription gives no seats (409 SubscriptionNotUsable); one in its grace period does", async () => {
    const before = await snapshot();
    const refused = await changeLicense(megan, contoso.tailspinMaps, "assign", [principal.user("adele")]);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "SubscriptionNotUsable", details: { status: "suspended" } });
    expect(await snapshot()).toBe(before);

    const warning = await changeLicense(megan, contoso.litwareChat, "assign", [principal.user("adele")]);
    expect(warning.status).toBe(200);
    expect(await licenseState(contoso.litwareChat, contoso.user("adele"))).toBe("active");
  });

  it("R14: dryRun answers exactly what the assignment then does, and changes nothing", async () => {
    const before = await snapshot();
    const principals = [principal.group("Engineering"), principal.user("adele")];
    const preview = await changeLicense(megan, contoso.northwindNotes, "assign", principals, { dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body.dryRun).toBe(true);
    expect(await snapshot()).toBe(before);

    const real = await changeLicense(megan, contoso.northwindNotes, "assign", principals);
    expect({ ...real.body, dryRun: true }).toEqual(preview.body);
    expect(real.body).toMatchObject({ newlyLicensedUsers: 2, newlyWaitingUsers: 14 });
  });

  it("R14: a dry run that would be refused is refused the same way", async () => {
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", ["adele", "megan", "ben"].map(principal.user), {
      dryRun: true,
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: "NotEnoughLicenses", details: { needed: 3, available: 2 } });
  });

  it("assigning what is already assigned lists it as alreadyAssigned and writes no audit event", async () => {
    const before = await auditActions(contoso.fabrikamSign);
    const answer = await changeLicense(megan, contoso.fabrikamSign, "assign", [principal.group("Sales"), principal.user("megan")]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ assigned: [], newlyLicensedUsers: 0, newlyWaitingUsers: 0, seats: { assigned: 11 } });
    expect(answer.body.alreadyAssigned).toHaveLength(2);
    expect(await auditActions(contoso.fabrikamSign)).toEqual(before);
  });

  it("the same principal twice in one request is assigned once", async () => {
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele"), principal.user("adele")]);
    expect(answer.status).toBe(200);
    expect(answer.body.assigned).toHaveLength(1);
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 4 });
  });

  it("a principal that does not exist in the tenant makes the whole assignment 404", async () => {
    const before = await snapshot();
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", [
      principal.user("adele"),
      { type: "user", id: "usr_fabrikam_isaiah" },
    ]);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: "NotFound", details: { missing: [{ type: "user", id: "usr_fabrikam_isaiah" }] } });
    expect(await snapshot()).toBe(before);
  });
});
