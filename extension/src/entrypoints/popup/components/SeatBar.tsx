/** Purchased, assigned and available seats of one license, as a bar and in words. */
import type { Seats } from "@appseats/shared";
import { formatCount, t } from "../../../core/i18n.js";

export function SeatBar({ seats }: { seats: Seats }) {
  const used = seats.purchased === 0 ? (seats.assigned > 0 ? 1 : 0) : Math.min(1, seats.assigned / seats.purchased);
  const label = t("seatsLabel", [formatCount(seats.assigned), formatCount(seats.purchased), formatCount(seats.available)]);
  return (
    <div class="seats">
      {/* biome-ignore lint/a11y/useSemanticElements: a <meter> cannot be drawn alike in Chrome and Firefox, nor show seats over the purchase. */}
      <div
        class={`bar${seats.overBy > 0 ? " over" : ""}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={seats.purchased}
        aria-valuenow={seats.assigned}
      >
        <span style={{ width: `${Math.round(used * 100)}%` }} />
      </div>
      <p class="figures">
        {label}
        {seats.waiting > 0 && <span class="waiting"> · {t("waitingCount", [formatCount(seats.waiting)])}</span>}
      </p>
    </div>
  );
}
