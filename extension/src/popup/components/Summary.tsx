/** Every app of the tenant: status, seats, waiting users and marks. Choosing one opens its details. */
import type { LicenseSummary } from "@appseats/shared";
import { useLayoutEffect } from "preact/hooks";
import { t } from "../../core/i18n.js";
import { markSummaryShown } from "../shown.js";
import { Marks } from "./Marks.js";
import { SeatBar } from "./SeatBar.js";

export function Summary(props: { licenses: LicenseSummary[]; onOpen: (license: LicenseSummary) => void }) {
  useLayoutEffect(() => {
    if (props.licenses.length > 0) markSummaryShown();
  }, [props.licenses.length]);
  if (props.licenses.length === 0) return <p class="empty">{t("noApps")}</p>;
  return (
    <ul class="apps" aria-label={t("appsLabel")}>
      {props.licenses.map((license) => (
        <li key={license.id}>
          <button type="button" class="app" onClick={() => props.onOpen(license)}>
            <span class="icon" aria-hidden="true">
              {license.app.iconUrl ? <img src={license.app.iconUrl} alt="" /> : license.app.name.slice(0, 1)}
            </span>
            <span class="body">
              <span class="title">
                <span class="name">{license.app.name}</span> <span class="plan">{license.plan}</span> <Marks license={license} />
              </span>
              <SeatBar seats={license.seats} />
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
