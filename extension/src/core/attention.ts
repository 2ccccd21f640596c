/**
 * What in a license summary needs an admin's attention: the marks of the popup, the badge count
 * and what the badge's title says, and the renewals to tell the admin about.
 */
import type { LicenseSummary } from "@appseats/shared";
import { isUsable as statusIsUsable } from "@appseats/shared/status";

export type Mark = "warning" | "suspended" | "over" | "low" | "waiting" | "renewal";

/** A renewal this close (in days) is marked, counted in the badge and told in a notification. */
export const renewalNoticeDays = 30;
const dayMs = 86_400_000;

/** Low: 10 % of the seats or 2 seats or fewer left. */
export function isLow(license: LicenseSummary): boolean {
  const { purchased, available, overBy } = license.seats;
  return purchased > 0 && overBy === 0 && (available <= 2 || available <= purchased * 0.1);
}

/** Whole days from `now` to the renewal (0 on its day), or undefined without a renewal date. */
export function daysToRenewal(license: LicenseSummary, now: number): number | undefined {
  if (!license.renewsAt) return undefined;
  const days = Math.ceil((Date.parse(license.renewsAt) - now) / dayMs);
  return days === 0 ? 0 : days; // never -0: earlier on the day of renewal is still "today"
}

/** The renewal is within the next 30 days (and not past: a past date is the vendor's to update). */
export function renewsSoon(license: LicenseSummary, now: number): boolean {
  const days = daysToRenewal(license, now);
  return days !== undefined && days >= 0 && days <= renewalNoticeDays;
}

export function marksOf(license: LicenseSummary, now: number): Mark[] {
  const marks: Mark[] = [];
  if (license.status === "warning") marks.push("warning");
  if (license.status === "suspended" || license.status === "lockedOut" || license.status === "expired") marks.push("suspended");
  if (license.seats.overBy > 0) marks.push("over");
  else if (isLow(license)) marks.push("low");
  if (license.seats.waiting > 0) marks.push("waiting");
  if (renewsSoon(license, now)) marks.push("renewal");
  return marks;
}

export interface Attention {
  /** Apps with at least one mark: the badge's number. */
  apps: number;
  /** People wanted through a group who have no seat yet, over all apps. */
  waitingUsers: number;
  /** Apps renewing within 30 days. */
  renewals: number;
}

export function attentionOf(licenses: LicenseSummary[], now: number): Attention {
  return {
    apps: licenses.filter((l) => marksOf(l, now).length > 0).length,
    waitingUsers: licenses.reduce((sum, l) => sum + l.seats.waiting, 0),
    renewals: licenses.filter((l) => renewsSoon(l, now)).length,
  };
}

/** How much of the subscription is used: assigned seats as a whole percentage of the purchased ones. */
export const usedPercent = (license: LicenseSummary): number =>
  license.seats.purchased === 0 ? 0 : Math.round((license.seats.assigned / license.seats.purchased) * 100);

export const renewalNoticePrefix = "renewal:";
/** A renewal told once: per tenant, license and renewal date (a new date is a new renewal). */
export const renewalNoticeId = (tenantId: string, license: LicenseSummary) =>
  `${renewalNoticePrefix}${tenantId}:${license.id}:${license.renewsAt}`;

export const isUsable = (license: LicenseSummary) => statusIsUsable(license.status);
