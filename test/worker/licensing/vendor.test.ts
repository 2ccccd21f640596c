import { VendorSubscription } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import {
  as,
  auditActions,
  call,
  changeLicense,
  contoso,
  freshDemo,
  invariantViolations,
  licenseState,
  principal,
  snapshot,
  storeDb,
  stored,
} from "../support.js";

const northwindKey = demoVendorKey("northwind");
const setSubscription = (id: string, body: unknown, key = northwindKey) =>
  call("PUT", `/vendor/v1/subscriptions/${id}`, { token: key, body });

describe("what vendors change", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("R8: lowering the quantity below assigned revokes nothing, gives no new seats, and shows by how much the tenant is over", async () => {
    const answer = await setSubscription(contoso.northwindNotes, { quantity: 2 });
    expect(answer.status).toBe(200);
    expect(VendorSubscription.parse(answer.body).seats).toEqual({ purchased: 2, assigned: 3, available: 0, waiting: 0, overBy: 1 });
    expect(await stored(contoso.northwindNotes)).toMatchObject({ purchased: 2, active: 3 });

    const direct = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    expect(direct.body.error).toMatchObject({ code: "NotEnoughLicenses", details: { needed: 1, available: 0 } });
    const group = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    expect(group.body).toMatchObject({ newlyLicensedUsers: 0, newlyWaitingUsers: 15 });

    // Freeing one seat only brings the tenant back to its quantity: nobody is filled yet.
    const first = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia")]);
    expect(first.body).toMatchObject({ releasedSeats: 1, filledFromWaiting: 0, seats: { assigned: 2, overBy: 0 } });
    const second = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("alex")]);
    expect(second.body).toMatchObject({ releasedSeats: 1, filledFromWaiting: 1, seats: { assigned: 2, waiting: 14 } });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user09"))).toBe("active");
    expect(await invariantViolations()).toEqual([]);
  });

  it("R5: raising the quantity gives waiting users their seats in the same request, audited", async () => {
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    const answer = await setSubscription(contoso.northwindNotes, { quantity: 10 });
    expect(answer.body.seats).toEqual({ purchased: 10, assigned: 10, available: 0, waiting: 8, overBy: 0 });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user15"))).toBe("active");
    expect(await licenseState(contoso.northwindNotes, contoso.user("user16"))).toBe("waiting");
    const actions = (await auditActions(contoso.northwindNotes)).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(["subscription.update", "license.fill"]);
  });

  it("R5 and R8: a suspended subscription fills no seats until the vendor makes it usable again", async () => {
    await changeLicense(megan, contoso.northwindNotes, "assign", [principal.group("Engineering")]);
    await setSubscription(contoso.northwindNotes, { status: "suspended" });
    const unassigned = await changeLicense(megan, contoso.northwindNotes, "unassign", [principal.user("lidia")]);
    expect(unassigned.body).toMatchObject({ releasedSeats: 1, filledFromWaiting: 0 });
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 4, waiting: 13 });

    const usable = await setSubscription(contoso.northwindNotes, { status: "active" });
    expect(usable.body).toMatchObject({ status: "active", seats: { assigned: 5, waiting: 12 } });
    expect(await licenseState(contoso.northwindNotes, contoso.user("user11"))).toBe("active");
    expect(await invariantViolations()).toEqual([]);
  });

  it("R9: admins cannot change the quantity; the summary names the vendor and how to reach them", async () => {
    const withAdminToken = await setSubscription(contoso.northwindNotes, { quantity: 50 }, megan);
    expect(withAdminToken.status).toBe(401);
    const summary = await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan });
    expect(summary.body.vendor).toEqual({ name: "Northwind Traders", contactEmail: "sales@northwind.example" });
    const sign = await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}`, { token: megan });
    expect(sign.body.vendor).toEqual({ name: "Fabrikam, Inc.", contactUrl: "https://fabrikam.example/support" });
    expect(await stored(contoso.northwindNotes)).toMatchObject({ purchased: 5 });
  });

  it("a vendor sees only subscriptions of its own apps: any other id is 404", async () => {
    const before = await snapshot();
    const other = await setSubscription(contoso.fabrikamSign, { quantity: 1 });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe("NotFound");
    const rights = await call("GET", `/vendor/v1/subscriptions/${contoso.fabrikamSign}/usage-rights?user=adele@contoso.com`, {
      token: northwindKey,
    });
    expect(rights.status).toBe(404);
    expect(await snapshot()).toBe(before);
    const unknownKey = await setSubscription(contoso.northwindNotes, { quantity: 1 }, "dev-vendor-nobody");
    expect(unknownKey.status).toBe(401);
  });

  it("a vendor's quantity and status are validated: negative, fractional or unknown values are 400 and change nothing", async () => {
    const before = await snapshot();
    for (const body of [
      { quantity: -1 },
      { quantity: 2.5 },
      { quantity: "7" },
      { status: "paused" },
      {},
      { quantity: 3, extra: true },
      { renewsAt: "next year" },
      { renewsAt: 20270105 },
    ]) {
      const answer = await setSubscription(contoso.northwindNotes, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe("InvalidRequest");
      expect(answer.body.error.details.issues.length).toBeGreaterThan(0);
    }
    expect(await snapshot()).toBe(before);
  });

  it("a vendor sets the renewal date, or clears it; admins see it on the license; audited", async () => {
    const renewed = await setSubscription(contoso.northwindNotes, { renewsAt: "2027-03-01T00:00:00.000Z" });
    expect(renewed.status).toBe(200);
    expect(VendorSubscription.parse(renewed.body)).toMatchObject({ renewsAt: "2027-03-01T00:00:00.000Z", seats: { purchased: 5 } });
    const seen = await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan });
    expect(seen.body.renewsAt).toBe("2027-03-01T00:00:00.000Z");
    expect((await call("GET", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: northwindKey })).body.renewsAt).toBe(
      "2027-03-01T00:00:00.000Z",
    );
    const audit = await storeDb()
      .prepare(`SELECT summary FROM audit_events WHERE subscription_id = ?1 AND action = 'subscription.update' ORDER BY rowid DESC`)
      .bind(contoso.northwindNotes)
      .first<{ summary: string }>();
    expect(audit?.summary).toContain("→ 2027-03-01T00:00:00.000Z");

    // The same date again changes nothing worth an audit event; null ends the renewals.
    const count = async () => (await auditActions(contoso.northwindNotes)).length;
    const events = await count();
    await setSubscription(contoso.northwindNotes, { renewsAt: "2027-03-01T00:00:00.000Z" });
    expect(await count()).toBe(events);
    const ended = await setSubscription(contoso.northwindNotes, { renewsAt: null, quantity: 6 });
    expect(ended.body).toMatchObject({ renewsAt: null, seats: { purchased: 6 } });
    const row = await storeDb()
      .prepare(`SELECT renews_at, purchased FROM subscriptions WHERE id = ?1`)
      .bind(contoso.northwindNotes)
      .first();
    expect(row).toEqual({ renews_at: null, purchased: 6 });
    expect((await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan })).body.renewsAt).toBeUndefined();
  });

  it("usage rights: active and warning are usable; waiting, disabled and unknown users are not, and look alike", async () => {
    const rights = async (license: string, user: string, key: string) =>
      call("GET", `/vendor/v1/subscriptions/${license}/usage-rights?user=${encodeURIComponent(user)}`, { token: demoVendorKey(key) });
    expect((await rights(contoso.fabrikamSign, "adele@contoso.com", "fabrikam")).body).toEqual({
      userId: contoso.user("adele"),
      state: "active",
    });
    expect((await rights(contoso.fabrikamSign, contoso.user("adele"), "fabrikam")).body.state).toBe("active");
    // Who exists is not told: a known user without a seat, one of another tenant and one nobody
    // knows get the same answer, naming the user as asked.
    for (const user of ["ben@contoso.com", "isaiah@fabrikam.com", "nobody@contoso.com", "usr_nobody"]) {
      const answer = await rights(contoso.fabrikamSign, user, "fabrikam");
      expect(answer.status, user).toBe(200);
      expect(answer.body, user).toEqual({ userId: user, state: "inactive" });
    }
    expect((await rights(contoso.litwareChat, "meiling@contoso.com", "litware")).body.state).toBe("warning");
    expect((await rights(contoso.litwareChat, "joni@contoso.com", "litware")).body.state).toBe("inactive");

    await setSubscription(contoso.northwindNotes, { status: "lockedOut" });
    expect((await rights(contoso.northwindNotes, "lidia@contoso.com", "northwind")).body.state).toBe("suspended");
    await setSubscription(contoso.northwindNotes, { status: "expired" });
    expect((await rights(contoso.northwindNotes, "lidia@contoso.com", "northwind")).body.state).toBe("inactive");
  });

  it("install: a GlobalAdmin starts it at the vendor's URL; the vendor completes it and the license shows installed", async () => {
    const started = await call("POST", `/api/v1/licenses/${contoso.northwindNotes}/install`, { token: megan });
    expect(started.status).toBe(200);
    const url = new URL(started.body.redirectUrl);
    expect(`${url.origin}${url.pathname}`).toBe("https://notes.northwind.example/install");
    expect(url.searchParams.get("tenant")).toBe("contoso");
    expect(url.searchParams.get("install")).toBe(started.body.installId);
    expect((await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan })).body.installed).toBe(false);

    const wrongVendor = await call("POST", `/vendor/v1/installs/${started.body.installId}/complete`, { token: demoVendorKey("litware") });
    expect(wrongVendor.status).toBe(404);
    const completed = await call("POST", `/vendor/v1/installs/${started.body.installId}/complete`, { token: northwindKey });
    expect(completed.body).toEqual({ installed: true });
    expect((await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan })).body.installed).toBe(true);
    expect((await auditActions(contoso.northwindNotes)).map((e) => e.action)).toEqual(["license.install", "license.install.complete"]);
  });
});
