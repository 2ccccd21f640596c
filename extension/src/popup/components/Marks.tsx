/** The marks a license can carry: in its grace period, suspended, over-assigned, low on seats. */
import type { LicenseSummary } from "@appseats/shared";
import { marksOf } from "../../core/attention.js";
import { formatCount, t } from "../../core/i18n.js";

export function Marks({ license }: { license: LicenseSummary }) {
  return (
    <>
      {marksOf(license).map((mark) => (
        <span key={mark} class={`mark mark-${mark}`}>
          {mark === "over"
            ? t("markOver", formatCount(license.seats.overBy))
            : mark === "suspended"
              ? t(`status_${license.status}`)
              : t(mark === "warning" ? "status_warning" : "markLow")}
        </span>
      ))}
    </>
  );
}
