/** Confirming an unassignment, then its result. */
import type { PrincipalView, UnassignResult } from "@appseats/shared";
import { useState } from "preact/hooks";
import { formatCount, t } from "../../../core/i18n.js";
import type { ChangeOutcome } from "../outcome.js";
import { Dialog, DialogActions } from "./Dialog.js";

export function UnassignDialog(props: {
  appName: string;
  principals: PrincipalView[];
  onConfirm: () => Promise<ChangeOutcome<UnassignResult>>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ChangeOutcome<UnassignResult>>();
  async function confirm() {
    setBusy(true);
    setOutcome(await props.onConfirm());
    setBusy(false);
  }
  const result = outcome?.kind === "done" ? outcome.result : undefined;
  const done = outcome !== undefined && outcome.kind !== "refused";
  return (
    <Dialog title={t("unassignTitle", [props.appName])} onClose={props.onClose} describedBy="unassign-body">
      <div id="unassign-body" aria-live="polite">
        {!done && (
          <>
            <p>{t("unassignConfirm", [formatCount(props.principals.length)])}</p>
            <ul class="chosen">
              {props.principals.map((p) => (
                <li key={p.id}>{p.displayName}</li>
              ))}
            </ul>
          </>
        )}
        {outcome?.kind === "refused" && (
          <p class="error" role="alert">
            {outcome.message}
          </p>
        )}
        {outcome?.kind === "queued" && <p class="info">{t("queuedNotice")}</p>}
        {result && (
          <p class="success">
            {t("unassignDone", [
              formatCount(result.unassigned.length),
              formatCount(result.releasedSeats),
              formatCount(result.filledFromWaiting),
            ])}
            {result.stillLicensed.length > 0 &&
              ` ${t("stillLicensed", [result.stillLicensed.map((s) => s.viaGroups.map((g) => g.displayName).join(", ")).join("; ")])}`}
          </p>
        )}
      </div>
      <DialogActions
        done={done}
        onClose={props.onClose}
        action={{
          label: busy ? t("working") : t("unassignButton"),
          kind: "danger",
          disabled: busy,
          autofocus: true,
          onClick: () => void confirm(),
        }}
      />
    </Dialog>
  );
}
