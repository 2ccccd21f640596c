import { can, isUsable, rolesAllowedTo, seatsOf } from "@appseats/shared";
import { describe, expect, it } from "vitest";

describe("seat arithmetic", () => {
  it("available and overBy never go below zero, and one of them is always zero", () => {
    for (let purchased = 0; purchased <= 12; purchased++) {
      for (let assigned = 0; assigned <= 12; assigned++) {
        const seats = seatsOf(purchased, assigned, 3);
        expect(seats.available).toBe(Math.max(0, purchased - assigned));
        expect(seats.overBy).toBe(Math.max(0, assigned - purchased));
        expect(Math.min(seats.available, seats.overBy)).toBe(0);
        expect(seats.purchased + seats.overBy - seats.available).toBe(assigned);
      }
    }
  });

  it("R8: only active and warning subscriptions are usable", () => {
    expect(["active", "warning", "suspended", "lockedOut", "expired"].filter((s) => isUsable(s as never))).toEqual(["active", "warning"]);
  });
});

describe("R10: what each role may do", () => {
  it("matches the table of API.md", () => {
    const table = Object.fromEntries(
      ["GlobalAdmin", "LicenseAdmin", "UserAdmin", "BillingAdmin", "GlobalReader"].map((role) => [
        role,
        (["read", "assign", "install"] as const).filter((capability) => can([role as never], capability)),
      ]),
    );
    expect(table).toEqual({
      GlobalAdmin: ["read", "assign", "install"],
      LicenseAdmin: ["read", "assign"],
      UserAdmin: ["read", "assign"],
      BillingAdmin: ["read"],
      GlobalReader: ["read"],
    });
    expect(can([], "read")).toBe(false);
    expect(rolesAllowedTo.install).toEqual(["GlobalAdmin"]);
  });
});
