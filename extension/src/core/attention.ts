/** What in a license summary needs an admin's attention: the marks of the popup and the badge count. */
import type { LicenseSummary } from "@appseats/shared";
import { isUsable as statusIsUsable } from "@appseats/shared/status";

export type Mark = "warning" | "suspended" | "over" | "low";

/** Low: 10 % of the seats or 2 seats or fewer left. */
export function isLow(license: LicenseSummary): boolean {
  const { purchased, available, overBy } = license.seats;
  return purchased > 0 && overBy === 0 && (available <= 2 || available <= purchased * 0.1);
}

export function marksOf(license: LicenseSummary): Mark[] {
  const marks: Mark[] = [];
  if (license.status === "warning") marks.push("warning");
  if (license.status === "suspended" || license.status === "lockedOut" || license.status === "expired") marks.push("suspended");
  if (license.seats.overBy > 0) marks.push("over");
  else if (isLow(license)) marks.push("low");
  return marks;
}

export const needsAttention = (licenses: LicenseSummary[]) => licenses.filter((l) => marksOf(l).length > 0).length;

export const isUsable = (license: LicenseSummary) => statusIsUsable(license.status);
