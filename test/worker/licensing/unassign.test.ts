import { UnassignResult } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import {
  as,
  assignmentsOf,
  auditActions,
  changeLicense,
  contoso,
  freshDemo,
  invariantViolations,
  licenseState,
  principal,
  snapshot,
  stored,
  waitingQueue,
} from "../support.js";

describe("unassigning licenses", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("R6: a user licensed only through Sales cannot be unassigned directly; 409 names the group", async () => {
    const before = await snapshot();
    const answer = await changeLicense(megan, contoso.fabrikamSign, "unassign", [principal.user("diego")]);
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({
      code: "InheritedLicense",
      details: { users: [{ id: contoso.user("diego"), viaGroups: [{ id: contoso.group("Sales"), displayName: "Sales" }] }] },
    });
    expect(answer.body.error.message).toContain("Sales");
    expect(await snapshot()).toBe(before);
  });

  it("R6: unassigning a user who also holds the seat through Sales removes only the direct path", async () => {
    const answer = await changeLicense(megan, contoso.fabrikamSign, "unassign", [principal.user("adele")]);
    expect(answer.status).toBe(200);
    const result = UnassignResult.parse(answer.body);
    expect(result.unassigned.map((p) => p.id)).toEqual([contoso.user("adele")]);
    expect(result.stillLicensed).toEqual([
      { userId: contoso.user("adele"), viaGroups: [{ id: contoso.group("Sales"), displayName: "Sales" }] },
    ]);
    expect(result.releasedSeats).toBe(0);
    expect(await licenseState(contoso.fabrikamSign, contoso.user("adele"))).toBe("active");
    expect(await assignmentsOf(contoso.fabrikamSign)).not.toContain(`user:${contoso.user("adele")}`);
    expect(await stored(contoso.fabrikamSign)).toMatchObject({ active: 11 });
  });

  it("unassigning what is not assigned lists it in notAssigned and is safe to retry", async () => {
    const first = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia")]);
    expect(first.body).toMatchObject({ releasedSeats: 1, notAssigned: [] });
    const again = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia")]);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ unassigned: [], releasedSeats: 0, filledFromWaiting: 0 });
    expect(again.body.notAssigned.map((p: { id: string }) => p.id)).toEqual([contoso.user("lidia")]);
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 2 });
  });

  it("R5: a freed seat goes at once to the first user waiting, and the fill is audited", async () => {
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    expect((await waitingQueue(contoso.northwindNotes))[0]).toBe(contoso.user("user11"));

    const answer = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia"), principal.user("alex")]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ releasedSeats: 2, filledFromWaiting: 2, seats: { assigned: 5, available: 0, waiting: 11 } });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user11"))).toBe("active");
    expect(await licenseState(contoso.northwindNotes, contoso.user("user12"))).toBe("active");
    expect((await waitingQueue(contoso.northwindNotes))[0]).toBe(contoso.user("user13"));

    const audit = await auditActions(contoso.northwindNotes);
    const fill = audit.find((e) => e.action === "license.fill")!;
    expect(JSON.parse(fill.principals!)).toEqual([principal.user("user11"), principal.user("user12")]);
    // The fill is part of the same request (and transaction) as the unassignment.
    expect(fill.request_id).toBe(audit.find((e) => e.action === "license.unassign")!.request_id);
    expect(await invariantViolations()).toEqual([]);
  });

  it("R7: unassigning a group removes that path from every member and refills from the queue", async () => {
    // Northwind: Engineering fills the 2 free seats, Sales waits behind the rest of Engineering.
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Sales")]);
    const answer = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.group("Engineering")]);
    expect(answer.status).toBe(200);
    // user09 and user10 release their seats; adele and user01 (first of Sales in the queue) take them.
    expect(answer.body).toMatchObject({ releasedSeats: 2, filledFromWaiting: 2, seats: { assigned: 5, waiting: 7 } });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user09"))).toBeNull();
    expect(await licenseState(contoso.northwindNotes, contoso.user("user15"))).toBeNull();
    expect(await licenseState(contoso.northwindNotes, contoso.user("adele"))).toBe("active");
    expect(await licenseState(contoso.northwindNotes, contoso.user("user01"))).toBe("active");
    // diego is in Sales but also assigned directly: untouched.
    expect(await licenseState(contoso.northwindNotes, contoso.user("diego"))).toBe("active");
    expect(await invariantViolations()).toEqual([]);
  });

  it("R7: members who hold the seat through another path keep it", async () => {
    const answer = await changeLicense(megan, contoso.fabrikamSign, "unassign", [principal.group("Sales")]);
    // adele is also assigned directly; the other 9 members lose their only path.
    expect(answer.body).toMatchObject({ releasedSeats: 9, seats: { assigned: 2 } });
    expect(await licenseState(contoso.fabrikamSign, contoso.user("adele"))).toBe("active");
    expect(await licenseState(contoso.fabrikamSign, contoso.user("diego"))).toBeNull();
  });

  it("unassigning a user together with the only group they hold it through is allowed", async () => {
    const answer = await changeLicense(megan, contoso.fabrikamSign, "unassign", [principal.user("diego"), principal.group("Sales")]);
    expect(answer.status).toBe(200);
    expect(answer.body.notAssigned.map((p: { id: string }) => p.id)).toEqual([contoso.user("diego")]);
    expect(await licenseState(contoso.fabrikamSign, contoso.user("diego"))).toBeNull();
  });

  it("R14: an unassign dry run answers what the change then does, and changes nothing", async () => {
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    const before = await snapshot();
    const principals = [principal.user("lidia"), principal.group("Engineering")];
    const preview = await changeLicense(megan, contoso.northwindNotes, "unassign", principals, { dryRun: true });
    expect(preview.status).toBe(200);
    expect(await snapshot()).toBe(before);
    const real = await changeLicense(megan, contoso.northwindNotes, "unassign", principals);
    expect({ ...real.body, dryRun: true }).toEqual(preview.body);
    expect(real.body).toMatchObject({ releasedSeats: 3, filledFromWaiting: 0, seats: { assigned: 2, waiting: 0 } });
  });
});
