/** Every app of the tenant: status, seats, waiting users and marks. Choosing one opens its details. */
import type { LicenseSummary } from "@appseats/shared";
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import { t } from "../../../core/i18n.js";
import { iconSources } from "../../../core/icons.js";
import { icons } from "../../../core/storage.js";
import { markSummaryShown } from "../shown.js";
import { Marks } from "./Marks.js";
import { SeatBar } from "./SeatBar.js";

/** The apps' icons the background keeps (core/icons.ts): never loaded from a vendor's server. */
function useIcons(): Record<string, string> {
  const [sources, setSources] = useState<Record<string, string>>({});
  useEffect(() => void icons.all().then((kept) => setSources(iconSources(kept))), []);
  return sources;
}

export function Summary(props: { licenses: LicenseSummary[]; onOpen: (license: LicenseSummary) => void }) {
  const iconOf = useIcons();
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
              {iconOf[license.app.id] ? <img src={iconOf[license.app.id]} alt="" /> : license.app.name.slice(0, 1)}
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
