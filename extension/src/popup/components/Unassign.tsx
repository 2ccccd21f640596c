/** Confirming an unassignment, then its result. */
import type { PrincipalView, UnassignResult } from "@appseats/shared";
import { useState } from "preact/hooks";
import { formatCount, t } from "../../core/i18n.js";
import { Dialog, DialogActions } from "./Dialog.js";

export function UnassignDialog(props: {
  appName: string;
  principals: PrincipalView[];
  onConfirm: () => Promise<UnassignResult | "queued" | string>;
  onClose: () => void;
}) {
  const [state, setState] = useState<{ busy?: boolean; result?: UnassignResult | "queued"; error?: string }>({});
  async function confirm() {
    setState({ busy: true });
    const outcome = await props.onConfirm();
    setState(typeof outcome === "string" && outcome !== "queued" ? { error: outcome } : { result: outcome as UnassignResult | "queued" });
  }
  const { result } = state;
  return (
    <Dialog title={t("unassignTitle", props.appName)} onClose={props.onClose} describedBy="unassign-body">
      <div id="unassign-body" aria-live="polite">
        {!result && (
          <>
            <p>{t("unassignConfirm", formatCount(props.principals.length))}</p>
            <ul class="chosen">
              {props.principals.map((p) => (
                <li key={p.id}>{p.displayName}</li>
              ))}
            </ul>
          </>
        )}
        {state.error && (
          <p class="error" role="alert">
            {state.error}
          </p>
        )}
        {result === "queued" && <p class="info">{t("queuedNotice")}</p>}
        {result && result !== "queued" && (
          <p class="success">
            {t(
              "unassignDone",
              formatCount(result.unassigned.length),
              formatCount(result.releasedSeats),
              formatCount(result.filledFromWaiting),
            )}
            {result.stillLicensed.length > 0 &&
              ` ${t("stillLicensed", result.stillLicensed.map((s) => s.viaGroups.map((g) => g.displayName).join(", ")).join("; "))}`}
          </p>
        )}
      </div>
      <DialogActions
        done={Boolean(result)}
        onClose={props.onClose}
        action={{
          label: state.busy ? t("working") : t("unassignAction"),
          kind: "danger",
          disabled: Boolean(state.busy),
          autofocus: true,
          onClick: () => void confirm(),
        }}
      />
    </Dialog>
  );
}
