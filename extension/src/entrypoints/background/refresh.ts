/**
 * Keeps what the admin sees current: every tenant's cached summary, the "Assign license to"
 * menu, the toolbar badge (how many apps need attention in the current tenant, and in its
 * title who is waiting and what renews soon), and the notifications of renewals near.
 */

import type { LicenseSummary } from "@appseats/shared";
import browser from "webextension-polyfill";
import { type Attention, attentionOf } from "../../core/attention.js";
import { formatCount, t } from "../../core/i18n.js";
import { iconsToFetch } from "../../core/icons.js";
import { signedInPopup } from "../../core/popup-url.js";
import { liveSessions, withSession } from "../../core/session.js";
import { icons, type Session, settings, summaries } from "../../core/storage.js";
import { rebuildMenus } from "./menus.js";
import { noticeRenewals } from "./renewals.js";

export const refreshAlarm = "appseats-refresh";
export const refreshEveryMinutes = 1;

export async function refreshAll(): Promise<void> {
  const live = await liveSessions();
  // A tenant nobody is signed in to any more (signed out, or forgotten by the browser) keeps no figures.
  await summaries.keepOnly(live.map((s) => s.me.tenant.id));
  const fetched: { tenantId: string; licenses: LicenseSummary[] }[] = [];
  for (const session of live) {
    try {
      const summary = await withSession(session, (client) => client.licenses());
      await summaries.put(session.me.tenant.id, { summary, fetchedAt: Date.now() });
      fetched.push({ tenantId: session.me.tenant.id, licenses: summary.items });
      await keepIcons(
        session,
        summary.items.map((item) => item.app),
      );
    } catch {
      // Unreachable or signed out: the cache stays as it was, and the popup says so.
    }
  }
  await showCurrentTenant(live);
  // Only fresh figures are told: a renewal is not announced from a cache that may be old.
  if (fetched.length > 0) await noticeRenewals(fetched);
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

/** The badge's title: how many apps need attention, how many people wait for a seat, how many renewals are near. */
function badgeTitle(attention: Attention): string {
  if (attention.apps === 0) return t("actionTitle");
  return [
    t("badgeTitle", [formatCount(attention.apps)]),
    attention.waitingUsers > 0 ? t("badgeWaiting", [formatCount(attention.waitingUsers)]) : null,
    attention.renewals > 0 ? t("badgeRenewals", [formatCount(attention.renewals)]) : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** The menus and the badge of the current tenant, from the cached summary: no call to the backend. */
export async function showCurrentTenant(live?: Session[]): Promise<void> {
  live ??= await liveSessions();
  const { lastTenantId } = await settings.get();
  const current = live.find((s) => s.me.tenant.id === lastTenantId) ?? live[0];
  const cached = current ? await summaries.get(current.me.tenant.id) : undefined;
  await rebuildMenus(current, cached?.summary.items ?? []);
  const attention = attentionOf(cached?.summary.items ?? [], Date.now());
  await browser.action.setBadgeText({ text: attention.apps > 0 ? String(attention.apps) : "" });
  await browser.action.setBadgeBackgroundColor({ color: "#b45309" });
  await browser.action.setTitle({ title: badgeTitle(attention) });
  // The popup draws its last view only for an admin signed in now (core/popup-url.ts).
  await browser.action.setPopup({ popup: live.length > 0 ? signedInPopup(live) : "popup.html" });
}
