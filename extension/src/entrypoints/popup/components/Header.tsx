/** The current tenant and the signed-in admin, with a switcher when several tenants are signed in. */

import type { Me } from "@appseats/shared";
import browser from "webextension-polyfill";
import { t } from "../../../core/i18n.js";
import type { Session } from "../../../core/storage.js";

export function Header(props: { sessions: Session[]; me: Me; onSwitch: (tenantId: string) => void }) {
  const { me } = props;
  return (
    <header class="header">
      <div class="tenant">
        {props.sessions.length > 1 ? (
          <label>
            <span class="visually-hidden">{t("switchTenant")}</span>
            <select value={me.tenant.id} onChange={(e) => props.onSwitch((e.target as HTMLSelectElement).value)}>
              {props.sessions.map((s) => (
                <option key={s.me.tenant.id} value={s.me.tenant.id}>
                  {s.me.tenant.displayName}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <strong>{me.tenant.displayName}</strong>
        )}
        <span class="domain">{me.tenant.domains[0]}</span>
      </div>
      <div class="admin">
        <span title={me.user.userPrincipalName}>{me.user.displayName}</span>
        <button type="button" class="link" onClick={() => void browser.runtime.openOptionsPage()}>
          {t("settings")}
        </button>
      </div>
    </header>
  );
}
