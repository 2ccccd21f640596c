/**
 * One app: who the vendor is, its assignments (users and groups) and how each user holds the
 * seat, a filter, and the actions the admin's roles allow: assign, unassign, install.
 */
import type { LicenseDetail, LicenseSummary, LicenseUsers, PrincipalView } from "@appseats/shared";
import { useEffect, useState } from "preact/hooks";
import { isUsable, usedPercent } from "../../../core/attention.js";
import { describeError } from "../../../core/describe-error.js";
import { formatCount, formatDate, roleNames, t } from "../../../core/i18n.js";
import { clientFor } from "../../../core/session.js";
import type { Session } from "../../../core/storage.js";
import { contactHref } from "../../../core/vendor.js";
import { History } from "./History.js";
import { Marks } from "./Marks.js";
import { Reclaim } from "./Reclaim.js";
import { SeatBar } from "./SeatBar.js";

export function Details(props: {
  session: Session;
  license: LicenseSummary;
  version: number;
  onBack: () => void;
  onAssign: () => void;
  onUnassign: (principals: PrincipalView[]) => void;
  onInstall: () => void;
  onOpenPerson: (userId: string) => void;
  onImport: () => void;
}) {
  const { license, session } = props;
  const [filter, setFilter] = useState("");
  const [detail, setDetail] = useState<LicenseDetail>();
  const [holders, setHolders] = useState<LicenseUsers>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [loadError, setLoadError] = useState<string>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: props.version counts the changes made: each one reads the license again.
  useEffect(() => {
    const client = clientFor(session);
    const timer = setTimeout(
      () => {
        Promise.all([client.license(license.id, filter || undefined), client.holders(license.id, filter || undefined)])
          .then(([d, h]) => {
            setDetail(d);
            setHolders(h);
            setLoadError(undefined);
          })
          .catch((error: unknown) => setLoadError(describeError(error)));
      },
      filter ? 200 : 0,
    );
    return () => clearTimeout(timer);
  }, [session, license.id, filter, props.version]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: after a change, the selection no longer names what is shown.
  useEffect(() => setSelected(new Set()), [props.version]);

  const { can, roles } = session.me;
  const assignBlocked = !can.assign
    ? t("needAssignRole", [roleNames(roles) || t("noRole")])
    : !isUsable(license)
      ? t("notUsable", [t(`status_${license.status}`)])
      : undefined;
  const installBlocked = !can.install ? t("needInstallRole") : undefined;
  const chosen = detail?.assignments.items.filter((a) => selected.has(key(a.principal))).map((a) => a.principal) ?? [];
  /** The holders as the worker's CSV, saved as a file. */
  async function exportCsv() {
    try {
      const csv = await clientFor(session).exportCsv(license.id);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      link.download = `${license.app.name} ${license.plan}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    } catch (error) {
      setLoadError(t("exportFailed", [describeError(error)]));
    }
  }

  const contact = contactHref(license.vendor);

  return (
    <section class="details" aria-labelledby="details-eyebrow details-title">
      <button type="button" class="link back" onClick={props.onBack}>
        ← {t("back")}
      </button>
      <p id="details-eyebrow" class="eyebrow">
        {t("detailsEyebrow")}
      </p>
      <h2 id="details-title">
        {license.app.name} <span class="plan">{license.plan}</span> <Marks license={license} />
      </h2>
      <SeatBar seats={license.seats} />
      {license.renewsAt && (
        <p class="renewal">
          {t("renewsOn", [formatDate(license.renewsAt)])} ·{" "}
          {t("usedOf", [formatCount(license.seats.assigned), formatCount(license.seats.purchased), formatCount(usedPercent(license))])}
        </p>
      )}
      <p class="vendor">
        {t("managedBy", [license.vendor.name])}{" "}
        {contact && (
          <a href={contact} target="_blank" rel="noreferrer">
            {t("contactVendor")}
          </a>
        )}
      </p>

      <div class="toolbar">
        <button
          type="button"
          class="primary"
          disabled={Boolean(assignBlocked)}
          aria-describedby={assignBlocked ? "assign-blocked" : undefined}
          onClick={props.onAssign}
        >
          {t("assignAction")}
        </button>
        <button type="button" disabled={!can.assign || chosen.length === 0} onClick={() => props.onUnassign(chosen)}>
          {t("unassignAction")}
          {chosen.length > 0 && ` (${formatCount(chosen.length)})`}
        </button>
        <button
          type="button"
          disabled={Boolean(installBlocked)}
          aria-describedby={installBlocked ? "install-blocked" : undefined}
          onClick={props.onInstall}
        >
          {license.installed ? t("installAgain") : t("installAction")}
        </button>
      </div>
      <div class="toolbar">
        <button type="button" disabled={Boolean(assignBlocked)} onClick={props.onImport}>
          {t("importAction")}
        </button>
        <button type="button" onClick={() => void exportCsv()}>
          {t("exportAction")}
        </button>
      </div>
      {assignBlocked && (
        <p id="assign-blocked" class="reason">
          {assignBlocked}
        </p>
      )}
      {installBlocked && (
        <p id="install-blocked" class="reason">
          {installBlocked}
        </p>
      )}

      <label for="filter" class="visually-hidden">
        {t("filterLabel")}
      </label>
      <input
        id="filter"
        type="search"
        placeholder={t("filterLabel")}
        value={filter}
        onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
      />
      {loadError && (
        <p class="error" role="alert">
          {loadError}
        </p>
      )}

      <h3>{t("assignmentsHeading")}</h3>
      {detail && detail.assignments.items.length === 0 && <p class="empty">{t("noAssignments")}</p>}
      <ul class="assignments">
        {detail?.assignments.items.map((a) => (
          <li key={key(a.principal)}>
            <label>
              <input
                type="checkbox"
                disabled={!can.assign}
                checked={selected.has(key(a.principal))}
                onChange={(e) => {
                  const next = new Set(selected);
                  if ((e.target as HTMLInputElement).checked) next.add(key(a.principal));
                  else next.delete(key(a.principal));
                  setSelected(next);
                }}
              />
              <span class="name">{a.principal.displayName}</span>{" "}
              <span class="detail">
                {a.principal.type === "group"
                  ? t("groupMembers", [formatCount(a.principal.memberCount ?? 0)])
                  : a.principal.userPrincipalName}
              </span>
            </label>
          </li>
        ))}
      </ul>

      <h3>{t("holdersHeading")}</h3>
      <ul class="holders">
        {holders?.items.map((h) => (
          <li key={h.user.id} class={h.state}>
            <button type="button" class="link name" onClick={() => props.onOpenPerson(h.user.id)}>
              {h.user.displayName}
            </button>{" "}
            <span class="detail">
              {[
                h.direct ? t("holdsDirect") : null,
                h.viaGroups.length > 0 ? t("holdsVia", [h.viaGroups.map((g) => g.displayName).join(", ")]) : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </span>
            {h.state === "waiting" && <span class="mark mark-low">{t("stateWaiting")}</span>}
            {!h.user.accountEnabled && <span class="mark mark-warning">{t("accountDisabled")}</span>}
          </li>
        ))}
      </ul>

      <Reclaim session={session} licenseId={license.id} version={props.version} onReclaim={props.onUnassign} />
      <History session={session} licenseId={license.id} />
    </section>
  );
}

const key = (p: PrincipalView) => `${p.type}:${p.id}`;
