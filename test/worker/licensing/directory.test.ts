import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import {
  as,
  assignmentsOf,
  auditActions,
  call,
  changeLicense,
  contoso,
  freshDemo,
  invariantViolations,
  licenseState,
  principal,
  stored,
  waitingQueue,
} from "../support.js";

describe("directory changes and licenses", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
    // Northwind: Engineering takes the 2 free seats; 13 engineers wait.
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
  });

  it("R5: a member leaving an assigned group frees the seat for the first user waiting", async () => {
    const answer = await call("POST", `/api/v1/directory/groups/${contoso.group("Engineering")}/members/remove`, {
      token: megan,
      body: { userIds: [contoso.user("user09")] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ changed: 1, releasedSeats: 1, filledFromWaiting: 1 });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user09"))).toBeNull();
    expect(await licenseState(contoso.northwindNotes, contoso.user("user11"))).toBe("active");
    expect((await auditActions(contoso.northwindNotes)).map((e) => e.action)).toContain("license.fill");
    expect(await invariantViolations()).toEqual([]);
  });

  it("a user joining an assigned group is licensed if a seat is free, else waits at the end of the queue", async () => {
    await call("POST", `/api/v1/directory/groups/${contoso.group("Engineering")}/members`, {
      token: megan,
      body: { userIds: [contoso.user("ben")] },
    });
    expect((await waitingQueue(contoso.northwindNotes)).at(-1)).toBe(contoso.user("ben"));
    await call("POST", `/api/v1/directory/groups/${contoso.group("Design")}/members`, {
      token: megan,
      body: { userIds: [contoso.user("ben")] },
    });
    expect(await licenseState(contoso.litwareChat, contoso.user("ben"))).toBe("active");
    expect(await stored(contoso.litwareChat)).toMatchObject({ active: 6 });
    expect(await invariantViolations()).toEqual([]);
  });

  it("R15: a disabled user keeps the seat and is flagged; the vendor is told the license is not usable", async () => {
    const answer = await call("PATCH", `/api/v1/directory/users/${contoso.user("user09")}`, {
      token: megan,
      body: { accountEnabled: false },
    });
    expect(answer.status).toBe(200);
    expect(await licenseState(contoso.northwindNotes, contoso.user("user09"))).toBe("active");
    const holders = await call("GET", `/api/v1/licenses/${contoso.northwindNotes}/users?state=active`, { token: megan });
    const user09 = holders.body.items.find((h: { user: { id: string } }) => h.user.id === contoso.user("user09"));
    expect(user09.user.accountEnabled).toBe(false);
    const rights = await call("GET", `/vendor/v1/subscriptions/${contoso.northwindNotes}/usage-rights?user=user09@contoso.com`, {
      token: demoVendorKey("northwind"),
    });
    expect(rights.body.state).toBe("inactive");
  });

  it("R15: a deleted user releases every seat, which the queue takes at once", async () => {
    // user09 holds Northwind through Engineering and Litware Chat directly.
    await changeLicense(megan, contoso.litwareChat, "assign", [principal.user("user09")]);
    const answer = await call("DELETE", `/api/v1/directory/users/${contoso.user("user09")}`, { token: megan });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ releasedSeats: 2, filledFromWaiting: 1 });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user09"))).toBeNull();
    expect(await licenseState(contoso.litwareChat, contoso.user("user09"))).toBeNull();
    expect(await licenseState(contoso.northwindNotes, contoso.user("user11"))).toBe("active");
    expect(await assignmentsOf(contoso.litwareChat)).not.toContain(`user:${contoso.user("user09")}`);
    const search = await call("GET", `/api/v1/directory/search?q=user09`, { token: megan });
    expect(search.body.items).toEqual([]);
    expect(await invariantViolations()).toEqual([]);
  });
});
