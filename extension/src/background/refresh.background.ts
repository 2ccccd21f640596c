/**
 * Keeps what the admin sees current: every tenant's cached summary, the "Assign license to"
 * menu and the toolbar badge (how many apps need attention in the current tenant).
 */
import browser from "webextension-polyfill";
import { needsAttention } from "../core/attention.js";
import { t } from "../core/i18n.js";
import { liveSessions, withSession } from "../core/session.js";
import { type Session, settings, summaries } from "../core/storage.js";
import { rebuildMenus } from "./menus.background.js";

export const refreshAlarm = "appseats-refresh";
export const refreshEveryMinutes = 1;

export async function refreshAll(): Promise<void> {
  const live = await liveSessions();
  for (const session of live) {
    try {
      const summary = await withSession(session, (client) => client.licenses());
      await summaries.put(session.me.tenant.id, { summary, fetchedAt: Date.now() });
    } catch {
      // Unreachable or signed out: the cache stays as it was, and the popup says so.
    }
  }
  await showCurrentTenant(live);
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
}
