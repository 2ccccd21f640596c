import type { LicenseSummary } from "@appseats/shared";
import { seatsOf } from "@appseats/shared";
import { describe, expect, it } from "vitest";
import { isLow, marksOf, needsAttention } from "../../../extension/src/core/attention.js";
import { freshnessOf, staleAfterMs } from "../../../extension/src/core/cache.js";
import { currentTenant, hostMatches } from "../../../extension/src/core/tenant.js";

const license = (status: LicenseSummary["status"], purchased: number, assigned: number): LicenseSummary => ({
  id: "l",
  app: { id: "a", name: "App", publisher: "P" },
  plan: "Plan",
  status,
  seats: seatsOf(purchased, assigned, 0),
  installed: false,
  vendor: { name: "V" },
});

describe("marks and the badge", () => {
  it("low is 10 % of the seats or 2 seats or fewer left", () => {
    expect(isLow(license("active", 100, 90))).toBe(true);
    expect(isLow(license("active", 100, 89))).toBe(false);
    expect(isLow(license("active", 5, 3))).toBe(true);
    expect(isLow(license("active", 5, 2))).toBe(false);
    expect(isLow(license("active", 0, 0))).toBe(false);
  });

  it("each status and seat count gives its marks; over-assignment replaces low", () => {
    expect(marksOf(license("warning", 20, 5))).toEqual(["warning"]);
    expect(marksOf(license("suspended", 10, 0))).toEqual(["suspended"]);
    expect(marksOf(license("expired", 10, 10))).toEqual(["suspended", "low"]);
    expect(marksOf(license("active", 2, 3))).toEqual(["over"]);
    expect(
      needsAttention([license("active", 25, 11), license("warning", 20, 5), license("active", 5, 3), license("suspended", 10, 0)]),
    ).toBe(3);
  });
});

describe("the cache", () => {
  it("is fresh for five minutes, then stale", () => {
    const summary = { items: [], generatedAt: "2026-11-30T00:00:00.000Z" };
    expect(freshnessOf(undefined, 0)).toBe("none");
    expect(freshnessOf({ summary, fetchedAt: 1000 }, 1000 + staleAfterMs)).toBe("fresh");
    expect(freshnessOf({ summary, fetchedAt: 1000 }, 1001 + staleAfterMs)).toBe("stale");
  });
});

describe("the current tenant", () => {
  const tenants = [
    { tenantId: "contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
    { tenantId: "fabrikam", domains: ["fabrikam.com"] },
  ];
  it("is the one whose domain matches the active tab's host", () => {
    expect(hostMatches("helpdesk.fabrikam.com", "fabrikam.com")).toBe(true);
    expect(hostMatches("notfabrikam.com", "fabrikam.com")).toBe(false);
    expect(currentTenant(tenants, "https://helpdesk.fabrikam.com/ticket/1", "contoso")).toBe("fabrikam");
    expect(currentTenant(tenants, "https://contoso.onmicrosoft.com/", "fabrikam")).toBe("contoso");
  });
  it("else the last used, else the first", () => {
    expect(currentTenant(tenants, "https://example.org/", "fabrikam")).toBe("fabrikam");
    expect(currentTenant(tenants, "not a url", undefined)).toBe("contoso");
    expect(currentTenant(tenants, undefined, "gone")).toBe("contoso");
    expect(currentTenant([], "https://contoso.com", undefined)).toBeUndefined();
  });
});
