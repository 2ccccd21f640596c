/**
 * What the right-click menu's items share: the selected text resolved to one user of the tenant
 * (core/resolve.ts), and the popup opened in a window of its own on a view of that tenant.
 */
import browser from "webextension-polyfill";
import { t } from "../../core/i18n.js";
import { looksLikeAddress, type Resolution, resolveSelection, selectionQuery, severalPeople } from "../../core/resolve.js";
import { liveSessions, withSession } from "../../core/session.js";
import { type Session, settings } from "../../core/storage.js";

/** The tenant's session, if someone is still signed in to it. */
export const liveSessionOf = async (tenantId: string): Promise<Session | undefined> =>
  (await liveSessions()).find((s) => s.me.tenant.id === tenantId);

/**
 * The selection as a search query, and what the tenant's users make of it; a selection of two or
 * more addresses is "several" at once, searched for no one.
 */
export async function resolveSelected(session: Session, selection: string): Promise<{ query: string; resolution: Resolution }> {
  const query = selectionQuery(selection);
  const several = severalPeople(selection);
  if (several) return { query, resolution: several };
  const matches = await withSession(session, (client) => client.search(query, "user", looksLikeAddress(query) ? 5 : 20));
  return { query, resolution: resolveSelection(selection, matches.items) };
}

/** What the menu answers a selection of several addresses: select one person. */
export const selectOnePerson = (resolution: Extract<Resolution, { kind: "several" }>) =>
  t("notifySelectOnePerson", [resolution.addresses.length, resolution.addresses.join(", ")]);

/** The popup in a window of its own, on the tenant given, at a view of popup.html (`license`, `person`, `details`). */
export async function openPopupWindow(tenantId: string, view: Record<string, string>): Promise<void> {
  await settings.update({ lastTenantId: tenantId });
  const url = browser.runtime.getURL(`popup.html?${new URLSearchParams(view)}`);
  await browser.windows.create({ url, type: "popup", width: 420, height: 640 });
}
