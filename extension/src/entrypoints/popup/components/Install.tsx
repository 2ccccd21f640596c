/** Before install: the admin is told they leave for the vendor's site, to install the app in the organisation's environment. */
import type { LicenseSummary } from "@appseats/shared";
import { useState } from "preact/hooks";
import { t } from "../../../core/i18n.js";
import { Dialog, DialogActions } from "./Dialog.js";

export function InstallDialog(props: { license: LicenseSummary; onContinue: () => Promise<void>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const { license } = props;
  async function proceed() {
    setBusy(true);
    await props.onContinue();
    props.onClose();
  }
  return (
    <Dialog title={t("installTitle", [license.app.name])} onClose={props.onClose} describedBy="install-notice">
      <p id="install-notice">{t("installNotice", [license.vendor.name, license.app.name])}</p>
      <DialogActions
        done={false}
        onClose={props.onClose}
        action={{
          label: busy ? t("working") : t("installContinue"),
          kind: "primary",
          disabled: busy,
          autofocus: true,
          onClick: () => void proceed(),
        }}
      />
    </Dialog>
  );
}
