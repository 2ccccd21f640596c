/**
 * Keeps what the admin sees current: every tenant's cached summary, the "Assign license to"
 * menu and the toolbar badge (how many apps need attention in the current tenant).
 */
import browser from "webextension-polyfill";
import { needsAttention } from "../core/attention.js";
import { t } from "../core/i18n.js";
import { iconsToFetch } from "../core/icons.js";
import { signedInPopup } from "../core/popup-url.js";
import { liveSessions, withSession } from "../core/session.js";
import { icons, type Session, settings, summaries } from "../core/storage.js";
import { rebuildMenus } from "./menus.background.js";

export const refreshAlarm = "appseats-refresh";
export const refreshEveryMinutes = 1;

export async function refreshAll(): Promise<void> {
  const live = await liveSessions();
  // A tenant nobody is signed in to any more (signed out, or forgotten by the browser) keeps no figures.
  await summaries.keepOnly(live.map((s) => s.me.tenant.id));
  for (const session of live) {
    try {
      const summary = await withSession(session, (client) => client.licenses());
      await summaries.put(session.me.tenant.id, { summary, fetchedAt: Date.now() });
      await keepIcons(
        session,
        summary.items.map((item) => item.app),
      );
    } catch {
      // Unreachable or signed out: the cache stays as it was, and the popup says so.
    }
  }
  await showCurrentTenant(live);
}

/** Asks the worker for the icons not kept yet (or kept too long), never the vendors (core/icons.ts). */
async function keepIcons(session: Session, apps: { id: string; iconUrl?: string | undefined }[]) {
  const kept = await icons.all();
  const now = Date.now();
  const wanted = iconsToFetch(apps, kept, now);
  if (wanted.length === 0) return;
  for (const appId of wanted) {
    const dataUrl = await withSession(session, (client) => client.icon(appId));
    kept[appId] = { url: apps.find((app) => app.id === appId)!.iconUrl!, dataUrl, fetchedAt: now };
  }
  await icons.set(kept);
}

/** The menus and the badge of the current tenant, from the cached summary: no call to the backend. */
export async function showCurrentTenant(live?: Session[]): Promise<void> {
  live ??= await liveSessions();
  const { lastTenantId } = await settings.get();
  const current = live.find((s) => s.me.tenant.id === lastTenantId) ?? live[0];
  const cached = current ? await summaries.get(current.me.tenant.id) : undefined;
  await rebuildMenus(current, cached?.summary.items ?? []);
  const count = cached ? needsAttention(cached.summary.items) : 0;
  await browser.action.setBadgeText({ text: count > 0 ? String(count) : "" });
  await browser.action.setBadgeBackgroundColor({ color: "#b45309" });
  await browser.action.setTitle({ title: count > 0 ? t("badgeTitle", count) : t("actionTitle") });
  // The popup draws its last view only while someone is signed in (core/snapshot.ts).
  await browser.action.setPopup({ popup: live.length > 0 ? signedInPopup : "popup.html" });
}
