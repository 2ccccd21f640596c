/**
 * What the right-click menu's items share: the selected text resolved to one user of the tenant
 * (core/resolve.ts), and the popup opened in a window of its own on a view of that tenant.
 */
import browser from "webextension-polyfill";
import { looksLikeAddress, type Resolution, resolveSelection, selectionQuery } from "../core/resolve.js";
import { liveSessions, withSession } from "../core/session.js";
import { type Session, settings } from "../core/storage.js";

/** The tenant's session, if someone is still signed in to it. */
export const liveSessionOf = async (tenantId: string): Promise<Session | undefined> =>
  (await liveSessions()).find((s) => s.me.tenant.id === tenantId);

/** The selection as a search query, and what the tenant's users make of it. */
export async function resolveSelected(session: Session, selection: string): Promise<{ query: string; resolution: Resolution }> {
  const query = selectionQuery(selection);
  const matches = await withSession(session, (client) => client.search(query, "user", looksLikeAddress(query) ? 5 : 20));
  return { query, resolution: resolveSelection(selection, matches.items) };
}

/** The popup in a window of its own, on the tenant given, at a view of popup.html (`license`, `person`, `details`). */
export async function openPopupWindow(tenantId: string, view: Record<string, string>): Promise<void> {
  await settings.update({ lastTenantId: tenantId });
  const url = browser.runtime.getURL(`popup.html?${new URLSearchParams(view)}`);
  await browser.windows.create({ url, type: "popup", width: 420, height: 640 });
}
