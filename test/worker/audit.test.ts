import { AuditPage } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../worker/seed/demo.js";
import { as, auditActions, call, changeLicense, contoso, freshDemo, principal, snapshot, storeDb } from "./support.js";

describe("R12: every change writes an audit event in the same transaction", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("assign, unassign, install and vendor changes each write their event, with actor and request id", async () => {
    const assigned = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("adele")]);
    await call("POST", `/api/v1/licenses/${contoso.northwindNotes}/install`, { token: megan });
    await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: demoVendorKey("northwind"), body: { quantity: 7 } });

    const trail = await call("GET", `/api/v1/audit?licenseId=${contoso.northwindNotes}`, { token: megan });
    const page = AuditPage.parse(trail.body);
    expect(page.items.map((e) => e.action)).toEqual(["subscription.update", "license.install", "license.unassign", "license.assign"]);
    const assign = page.items.at(-1)!;
    expect(assign).toMatchObject({
      actor: { id: contoso.user("megan"), displayName: "Megan Bowen", type: "user" },
      licenseId: contoso.northwindNotes,
      principals: [principal.user("adele")],
      requestId: assigned.headers.get("x-request-id"),
    });
    expect(assign.summary).toBe("Assigned Northwind Notes to 1 user(s) or group(s)");
    expect(page.items[0]).toMatchObject({
      actor: { id: "ven_northwind", displayName: "Northwind Traders", type: "vendor" },
      summary: "Northwind Traders changed Northwind Notes: quantity 5 → 7",
    });
  });

  it("a change whose batch fails leaves no audit event: event and change are one transaction", async () => {
    // Make the license insert fail after the audit statement has run in the same batch.
    await storeDb()
      .prepare(`CREATE TRIGGER test_refuse_licenses BEFORE INSERT ON licenses BEGIN SELECT RAISE(ABORT, 'refused by test'); END`)
      .run();
    const before = await snapshot();
    const answer = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    expect(answer.status).toBe(500);
    expect(await snapshot()).toBe(before);
    expect(await auditActions(contoso.northwindNotes)).toEqual([]);
  });

  it("the trail is newest first and pages with a cursor", async () => {
    for (const user of ["adele", "ben"]) {
      await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user(user)]);
    }
    const first = await call("GET", "/api/v1/audit?limit=1", { token: megan });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].principals).toEqual([principal.user("ben")]);
    const second = await call("GET", `/api/v1/audit?limit=1&cursor=${first.body.nextCursor}`, { token: megan });
    expect(second.body.items[0].principals).toEqual([principal.user("adele")]);
    expect(second.body.nextCursor).toBeNull();
  });
});
