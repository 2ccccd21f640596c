/** The marks a license can carry: grace period, suspended, over-assigned, low on seats, people waiting, renewal near. */
import type { LicenseSummary } from "@appseats/shared";
import { daysToRenewal, type Mark, marksOf } from "../../../core/attention.js";
import { formatCount, t } from "../../../core/i18n.js";

function markText(mark: Mark, license: LicenseSummary, now: number): string {
  switch (mark) {
    case "over":
      return t("markOver", [formatCount(license.seats.overBy)]);
    case "suspended":
      return t(`status_${license.status}`);
    case "warning":
      return t("status_warning");
    case "low":
      return t("markLow");
    case "waiting":
      return t("markWaiting");
    case "renewal": {
      const days = daysToRenewal(license, now) ?? 0;
      return days === 0 ? t("markRenewalToday") : t("markRenewal", [formatCount(days)]);
    }
  }
}

export function Marks({ license }: { license: LicenseSummary }) {
  const now = Date.now();
  return (
    <>
      {marksOf(license, now).map((mark) => (
        <span key={mark} class={`mark mark-${mark}`}>
          {markText(mark, license, now)}
        </span>
      ))}
    </>
  );
}
