import type { LicenseSummary } from "@appseats/shared";
import { seatsOf } from "@appseats/shared";
import { describe, expect, it } from "vitest";
import {
  attentionOf,
  daysToRenewal,
  isLow,
  marksOf,
  renewalNoticeId,
  renewsSoon,
  usedPercent,
} from "../../../extension/src/core/attention.js";
import { freshnessOf, staleAfterMs } from "../../../extension/src/core/cache.js";
import { currentTenant, hostMatches } from "../../../extension/src/core/tenant.js";

const license = (
  status: LicenseSummary["status"],
  purchased: number,
  assigned: number,
  more: { waiting?: number; renewsAt?: string } = {},
): LicenseSummary => ({
  id: "l",
  app: { id: "a", name: "App", publisher: "P" },
  plan: "Plan",
  status,
  seats: seatsOf(purchased, assigned, more.waiting ?? 0),
  installed: false,
  vendor: { name: "V" },
  ...(more.renewsAt ? { renewsAt: more.renewsAt } : {}),
});

const now = Date.parse("2026-12-02T10:00:00.000Z");
const inDays = (days: number) => new Date(Date.parse("2026-12-02T00:00:00.000Z") + days * 86_400_000).toISOString();

describe("marks and the badge", () => {
  it("low is 10 % of the seats or 2 seats or fewer left", () => {
    expect(isLow(license("active", 100, 90))).toBe(true);
    expect(isLow(license("active", 100, 89))).toBe(false);
    expect(isLow(license("active", 5, 3))).toBe(true);
    expect(isLow(license("active", 5, 2))).toBe(false);
    expect(isLow(license("active", 0, 0))).toBe(false);
  });

  it("each status and seat count gives its marks; over-assignment replaces low", () => {
    expect(marksOf(license("warning", 20, 5), now)).toEqual(["warning"]);
    expect(marksOf(license("suspended", 10, 0), now)).toEqual(["suspended"]);
    expect(marksOf(license("expired", 10, 10), now)).toEqual(["suspended", "low"]);
    expect(marksOf(license("active", 2, 3), now)).toEqual(["over"]);
    expect(marksOf(license("active", 25, 11), now)).toEqual([]);
    const demo = [license("active", 25, 11), license("warning", 20, 5), license("active", 5, 3), license("suspended", 10, 0)];
    expect(attentionOf(demo, now)).toEqual({ apps: 3, waitingUsers: 0, renewals: 0 });
  });

  it("people waiting for a seat mark their app, and the badge counts them", () => {
    const waiting = license("active", 5, 5, { waiting: 8 });
    expect(marksOf(waiting, now)).toEqual(["low", "waiting"]);
    // Bought none yet, people already wanted through a group: nothing else would mark it.
    expect(marksOf(license("active", 0, 0, { waiting: 3 }), now)).toEqual(["waiting"]);
    expect(attentionOf([waiting, license("active", 0, 0, { waiting: 3 }), license("active", 25, 11)], now)).toEqual({
      apps: 2,
      waitingUsers: 11,
      renewals: 0,
    });
  });

  it("a renewal within 30 days marks its app, counts in the badge and is told once per renewal date", () => {
    expect(daysToRenewal(license("active", 25, 11), now)).toBeUndefined();
    expect(daysToRenewal(license("active", 25, 11, { renewsAt: inDays(12) }), now)).toBe(12);
    expect(renewsSoon(license("active", 25, 11, { renewsAt: inDays(30) }), now)).toBe(true);
    expect(renewsSoon(license("active", 25, 11, { renewsAt: inDays(31) }), now)).toBe(false);
    // On the day of renewal (renewals fall at midnight UTC): "today", still near.
    expect(daysToRenewal(license("active", 25, 11, { renewsAt: inDays(0) }), now)).toBe(0);
    expect(renewsSoon(license("active", 25, 11, { renewsAt: inDays(0) }), now)).toBe(true);
    expect(renewsSoon(license("active", 25, 11, { renewsAt: inDays(1) }), now)).toBe(true);
    // A date already past is the vendor's to update, not a renewal to come.
    expect(renewsSoon(license("active", 25, 11, { renewsAt: inDays(-3) }), now)).toBe(false);

    const soon = license("active", 25, 11, { renewsAt: inDays(12) });
    expect(marksOf(soon, now)).toEqual(["renewal"]);
    expect(attentionOf([soon, license("active", 25, 11, { renewsAt: inDays(90) })], now)).toEqual({
      apps: 1,
      waitingUsers: 0,
      renewals: 1,
    });
    expect(usedPercent(soon)).toBe(44);
    expect(usedPercent(license("active", 0, 0))).toBe(0);
    expect(renewalNoticeId("contoso", soon)).toBe(`renewal:contoso:l:${inDays(12)}`);
    expect(renewalNoticeId("contoso", { ...soon, renewsAt: inDays(377) })).not.toBe(renewalNoticeId("contoso", soon));
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
