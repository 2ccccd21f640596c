/**
 * "Licenses of “…”" on selected text: resolve it to one user of the current tenant and open the
 * popup on that person's licenses; with no match or several, say so in a notification.
 */
import browser from "webextension-polyfill";
import { ApiError, Unreachable } from "../api/client.js";
import { describeError } from "../core/describe-error.js";
import { t } from "../core/i18n.js";
import { looksLikeAddress, resolveSelection, selectionQuery } from "../core/resolve.js";
import { liveSessions, withSession } from "../core/session.js";
import { settings } from "../core/storage.js";
import { notify } from "./notify.background.js";

export async function openPersonOf({ tenantId, selection }: { tenantId: string; selection: string }): Promise<{ opened: boolean }> {
  const said = async (message: string) => {
    await notify(t("extName"), message);
    return { opened: false };
  };
  const session = (await liveSessions()).find((s) => s.me.tenant.id === tenantId);
  if (!session) return said(t("notifySignedOut"));
  const query = selectionQuery(selection);
  try {
    const matches = await withSession(session, (client) => client.search(query, "user", looksLikeAddress(query) ? 5 : 20));
    const resolution = resolveSelection(selection, matches.items);
    if (resolution.kind !== "user") return said(t("notifyNoPerson", query));
    await settings.update({ lastTenantId: tenantId });
    const url = browser.runtime.getURL(`popup.html?person=${encodeURIComponent(resolution.user.id)}`);
    await browser.windows.create({ url, type: "popup", width: 420, height: 640 });
    return { opened: true };
  } catch (error) {
    if (error instanceof Unreachable) return said(t("notifyUnreachable"));
    if (error instanceof ApiError) return said(describeError(error));
    throw error;
  }
}
